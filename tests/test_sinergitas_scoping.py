"""Who sees and who changes meetings: provincial roles see all, regional users only the meetings
covering their region; the admin and the koordinator of a covered region change them."""

import datetime
import io

import pytest
from openpyxl import load_workbook

from penilaian.models import Document, EvidenceLink
from sinergitas.models import FollowUp, Meeting, MeetingDocument
from tests.test_sinergitas_factories import (
    make_assessment,
    make_followup,
    make_meeting,
    pdf_upload,
    region,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def bangka_meeting(admin_user, client):
    """A 19.01-only meeting with a document attached (uploaded by the admin)."""
    meeting = make_meeting("19.01", title="Rapat khusus Bangka", date=datetime.date(2019, 10, 14))
    client.force_login(admin_user)
    response = client.post(
        f"/sinergitas/{meeting.pk}/dokumen/",
        {"file": pdf_upload(), "title": "Notulen", "role": "minutes"},
    )
    assert response.status_code == 302
    client.logout()
    return meeting


def test_koordinator_of_belitung_does_not_see_a_bangka_meeting_in_the_list(
    client, koordinator_belitung, bangka_meeting
):
    make_meeting("19.02", title="Rapat Belitung sendiri")
    client.force_login(koordinator_belitung)
    body = client.get("/sinergitas/").content.decode()
    assert "Rapat Belitung sendiri" in body
    assert "Rapat khusus Bangka" not in body


def test_koordinator_of_belitung_gets_404_for_every_page_of_a_bangka_meeting(
    client, koordinator_belitung, bangka_meeting
):
    document_id = bangka_meeting.documents.get().pk
    client.force_login(koordinator_belitung)
    pk = bangka_meeting.pk
    for path in [
        f"/sinergitas/{pk}/",
        f"/sinergitas/{pk}/ubah/",
        f"/sinergitas/{pk}/dokumen/{document_id}/",
        f"/sinergitas/{pk}/tindak-lanjut/",
    ]:
        assert client.get(path).status_code == 404, path


def test_koordinator_of_belitung_changes_nothing_on_a_bangka_meeting(
    client, koordinator_belitung, bangka_meeting
):
    document = bangka_meeting.documents.get()
    assessment, _indicator = make_assessment("19.01")
    followup = make_followup(bangka_meeting, datetime.date(2030, 1, 1))
    client.force_login(koordinator_belitung)
    pk = bangka_meeting.pk
    posts = [
        (f"/sinergitas/{pk}/ubah/", {"title": "Diubah", "venue": "X", "date": "2019-10-15"}),
        (f"/sinergitas/{pk}/dokumen/", {"file": pdf_upload(), "role": "minutes"}),
        (f"/sinergitas/{pk}/dokumen/{document.pk}/lepas/", {}),
        (
            f"/sinergitas/{pk}/bukti/",
            {"document": document.pk, "assessment": assessment.pk, "indicator_code": "KLA-KL-01"},
        ),
        (f"/sinergitas/{pk}/tindak-lanjut/", {"what": "Baru", "due_date": "2030-01-01"}),
        (f"/sinergitas/{pk}/tindak-lanjut/{followup.pk}/ubah/", {"status": "done"}),
    ]
    for path, data in posts:
        assert client.post(path, data).status_code == 404, path
    bangka_meeting.refresh_from_db()
    followup.refresh_from_db()
    assert bangka_meeting.title == "Rapat khusus Bangka"
    assert Document.objects.count() == 1
    assert MeetingDocument.objects.count() == 1
    assert not EvidenceLink.objects.exists()
    assert FollowUp.objects.count() == 1 and followup.status == "open"


def test_koordinator_of_belitung_exports_and_calendars_no_bangka_meeting(
    client, koordinator_belitung, bangka_meeting
):
    make_meeting("19.02", title="Rapat Belitung sendiri", date=datetime.date(2019, 10, 16))
    client.force_login(koordinator_belitung)
    response = client.get("/sinergitas/ekspor.xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    titles = [row[2] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert titles == ["Rapat Belitung sendiri"]
    calendar = client.get("/sinergitas/kalender/?bulan=2019-10").content.decode()
    assert f"/sinergitas/{bangka_meeting.pk}/" not in calendar
    assert "Rapat Belitung sendiri" in calendar


def test_a_meeting_covering_both_regions_is_seen_and_edited_by_either_koordinator(
    client, koordinator_belitung, koordinator_bangka
):
    shared = make_meeting("19.01", "19.02", title="Rapat bersama")
    for user in (koordinator_bangka, koordinator_belitung):
        client.force_login(user)
        assert client.get(f"/sinergitas/{shared.pk}/").status_code == 200
        assert client.get(f"/sinergitas/{shared.pk}/ubah/").status_code == 200


def test_koordinator_edit_keeps_the_other_region_and_cannot_add_a_region(
    client, koordinator_belitung
):
    shared = make_meeting("19.01", "19.02", title="Rapat bersama")
    client.force_login(koordinator_belitung)
    base = {
        "title": "Rapat bersama (revisi)",
        "date": "2025-03-11",
        "venue": "Aula",
        "organiser": "X",
    }
    response = client.post(
        f"/sinergitas/{shared.pk}/ubah/", {**base, "regions": [region("19.02").pk]}
    )
    assert response.status_code == 302
    shared.refresh_from_db()
    assert shared.title == "Rapat bersama (revisi)"
    assert sorted(r.code for r in shared.regions.all()) == ["19.01", "19.02"]

    own = make_meeting("19.02", title="Rapat Belitung")
    response = client.post(
        f"/sinergitas/{own.pk}/ubah/",
        {**base, "title": "Diperluas", "regions": [region("19.02").pk, region("19.05").pk]},
    )
    assert response.status_code == 400
    assert "regions" in response.context["form"].errors
    own.refresh_from_db()
    assert own.title == "Rapat Belitung"
    assert [r.code for r in own.regions.all()] == ["19.02"]


def test_koordinator_creates_meetings_only_for_their_own_region(client, koordinator_belitung):
    client.force_login(koordinator_belitung)
    data = {"title": "Sosialisasi KLA", "date": "2025-05-02", "venue": "Aula", "organiser": "X"}
    refused = client.post("/sinergitas/baru/", {**data, "regions": [region("19.01").pk]})
    assert refused.status_code == 400
    assert not Meeting.objects.exists()
    accepted = client.post("/sinergitas/baru/", {**data, "regions": [region("19.02").pk]})
    assert accepted.status_code == 302
    meeting = Meeting.objects.get()
    assert [r.code for r in meeting.regions.all()] == ["19.02"]
    assert meeting.created_by == koordinator_belitung


def test_koordinator_of_one_region_cannot_change_the_other_regions_follow_up(
    client, koordinator_belitung
):
    shared = make_meeting("19.01", "19.02")
    bangka_followup = make_followup(shared, datetime.date(2030, 1, 1), region_code="19.01")
    client.force_login(koordinator_belitung)
    path = f"/sinergitas/{shared.pk}/tindak-lanjut/{bangka_followup.pk}/ubah/"
    assert client.post(path, {"status": "done"}).status_code == 403
    bangka_followup.refresh_from_db()
    assert bangka_followup.status == "open"
    response = client.post(
        f"/sinergitas/{shared.pk}/tindak-lanjut/",
        {
            "what": "Rapat lanjutan",
            "region": region("19.01").pk,
            "owner_kind": bangka_followup.owner_kind_id,
            "due_date": "2030-02-01",
            "status": "open",
        },
    )
    assert response.status_code == 400
    assert "region" in response.context["form"].errors
    assert FollowUp.objects.count() == 1


@pytest.mark.parametrize("role", ["verifikator", "pimpinan", "operator_dinkes_bangka"])
def test_read_only_roles_see_a_meeting_but_may_not_change_it(client, request, role):
    user = request.getfixturevalue(role)
    meeting = make_meeting("19.01", title="Rapat Bangka")
    client.force_login(user)
    assert client.get(f"/sinergitas/{meeting.pk}/").status_code == 200
    assert "Rapat Bangka" in client.get("/sinergitas/").content.decode()
    edit = client.post(
        f"/sinergitas/{meeting.pk}/ubah/",
        {"title": "Diubah", "date": "2025-03-10", "venue": "X", "organiser": "X"},
    )
    assert edit.status_code == 403
    assert client.get("/sinergitas/baru/").status_code == 403
    assert (
        client.post(f"/sinergitas/{meeting.pk}/dokumen/", {"file": pdf_upload()}).status_code == 403
    )
    meeting.refresh_from_db()
    assert meeting.title == "Rapat Bangka"
    assert not Document.objects.exists()


def test_unassigned_user_sees_no_meeting(client, unassigned_user):
    meeting = make_meeting("19.01", title="Rapat Bangka")
    client.force_login(unassigned_user)
    assert "Rapat Bangka" not in client.get("/sinergitas/").content.decode()
    assert client.get(f"/sinergitas/{meeting.pk}/").status_code == 404


def test_anonymous_visitor_is_sent_to_the_login_page(client):
    meeting = make_meeting("19.01")
    for path in ["/sinergitas/", f"/sinergitas/{meeting.pk}/", "/sinergitas/ekspor.xlsx"]:
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
