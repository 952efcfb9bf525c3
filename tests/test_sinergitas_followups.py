"""Follow-ups: the overdue rule around the due date (Asia/Jakarta), owners, and the form."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from regions.models import Opd, OpdKind
from regions.scoping import scope_for
from sinergitas.models import FollowUp, jakarta_today
from sinergitas.queries import meeting_list
from tests.test_sinergitas_factories import make_followup, make_meeting, region

pytestmark = pytest.mark.django_db

DUE = datetime.date(2025, 3, 10)


@pytest.mark.parametrize(
    ("today", "status", "overdue"),
    [
        (DUE - datetime.timedelta(days=1), "open", False),
        (DUE, "open", False),
        (DUE, "in_progress", False),
        (DUE + datetime.timedelta(days=1), "open", True),
        (DUE + datetime.timedelta(days=1), "in_progress", True),
        (DUE + datetime.timedelta(days=1), "done", False),
        (DUE + datetime.timedelta(days=400), "done", False),
    ],
)
def test_a_follow_up_is_overdue_only_after_its_due_date_and_while_not_done(today, status, overdue):
    followup = make_followup(make_meeting(), DUE, status=status)
    assert followup.is_overdue(today) is overdue
    assert FollowUp.objects.overdue(today).filter(pk=followup.pk).exists() is overdue


def test_today_is_the_jakarta_date_not_the_utc_date(monkeypatch):
    # 18:30 UTC on 9 March is 01:30 WIB on 10 March.
    instant = datetime.datetime(2025, 3, 9, 18, 30, tzinfo=datetime.UTC)
    monkeypatch.setattr(timezone, "now", lambda: instant)
    assert jakarta_today() == datetime.date(2025, 3, 10)
    meeting = make_meeting()
    due_yesterday = make_followup(meeting, datetime.date(2025, 3, 9), what="kemarin")
    due_today = make_followup(meeting, datetime.date(2025, 3, 10), what="hari ini")
    assert due_yesterday.overdue and not due_today.overdue
    assert list(FollowUp.objects.overdue()) == [due_yesterday]


def test_the_list_counts_open_and_overdue_follow_ups_per_meeting(admin_user):
    meeting = make_meeting()
    make_followup(meeting, DUE - datetime.timedelta(days=1), what="terlambat")
    make_followup(meeting, DUE, what="jatuh tempo hari ini")
    make_followup(meeting, DUE - datetime.timedelta(days=5), status="done", what="selesai")
    make_meeting(title="Tanpa tindak lanjut")
    rows = {m.title: m for m in meeting_list(scope_for(admin_user), today=DUE)}
    assert rows["Rapat koordinasi"].open_followup_count == 2
    assert rows["Rapat koordinasi"].overdue_followup_count == 1
    assert rows["Tanpa tindak lanjut"].open_followup_count == 0


def test_the_detail_page_flags_only_the_overdue_follow_up(client, admin_user):
    today = jakarta_today()
    meeting = make_meeting()
    make_followup(meeting, today - datetime.timedelta(days=1), what="Tindak lanjut terlambat")
    make_followup(meeting, today, what="Tindak lanjut hari ini")
    client.force_login(admin_user)
    response = client.get(f"/sinergitas/{meeting.pk}/")
    flags = {f.what: f.is_late for f in response.context["followups"]}
    assert flags == {"Tindak lanjut terlambat": True, "Tindak lanjut hari ini": False}
    assert response.content.decode().count('class="sg-late"') == 1


def test_a_follow_up_has_exactly_one_owner_in_the_database():
    meeting = make_meeting()
    kind = OpdKind.objects.get(code="dinkes")
    opd = Opd.objects.get(region__code="19.01", kind=kind)
    common = {"meeting": meeting, "what": "X", "region": region("19.01"), "due_date": DUE}
    with pytest.raises(IntegrityError), transaction.atomic():
        FollowUp.objects.create(**common, owner_kind=kind, owner_opd=opd)
    with pytest.raises(IntegrityError), transaction.atomic():
        FollowUp.objects.create(**common)


def test_the_follow_up_form_explains_owner_mistakes_and_saves_nothing(client, koordinator_bangka):
    meeting = make_meeting("19.01")
    client.force_login(koordinator_bangka)
    path = f"/sinergitas/{meeting.pk}/tindak-lanjut/"
    base = {"what": "Menyusun SK gugus tugas KLA", "region": region("19.01").pk, "status": "open"}
    no_owner = client.post(path, {**base, "due_date": "2025-06-30"})
    assert no_owner.status_code == 400
    assert no_owner.context["form"].errors["owner_opd"] == ["Pilih OPD penanggung jawab."]
    other_region_opd = Opd.objects.get(region__code="19.02", kind__code="dinkes")
    foreign = client.post(
        path, {**base, "due_date": "2025-06-30", "owner_opd": other_region_opd.pk}
    )
    assert foreign.status_code == 400
    assert foreign.context["form"].errors["owner_opd"] == [
        "Pilih OPD dari wilayah rapat ini pada daftar."
    ]
    bad_date = client.post(path, {**base, "due_date": "30-30-2025", "owner_kind": 1})
    assert "due_date" in bad_date.context["form"].errors
    assert 'class="field field-error"' in bad_date.content.decode()
    assert not FollowUp.objects.exists()


def test_koordinator_records_and_closes_a_follow_up(client, koordinator_bangka):
    meeting = make_meeting("19.01")
    opd = Opd.objects.get(region__code="19.01", kind__code="dp3akb")
    client.force_login(koordinator_bangka)
    data = {
        "what": "Menyusun SK gugus tugas KLA",
        "region": region("19.01").pk,
        "owner_opd": opd.pk,
        "due_date": "2025-06-30",
        "status": "open",
    }
    assert client.post(f"/sinergitas/{meeting.pk}/tindak-lanjut/", data).status_code == 302
    followup = FollowUp.objects.get()
    assert followup.owner_opd == opd and followup.due_date == datetime.date(2025, 6, 30)
    path = f"/sinergitas/{meeting.pk}/tindak-lanjut/{followup.pk}/ubah/"
    assert client.post(path, {**data, "status": "done"}).status_code == 302
    followup.refresh_from_db()
    assert followup.status == "done"
    assert not followup.is_overdue(datetime.date(2026, 1, 1))


# --- one owner choice: the OPD (its kind follows) -----------------------------------------------


def test_the_follow_up_form_asks_for_the_owner_once_as_an_opd(client, koordinator_bangka):
    meeting = make_meeting("19.01")
    client.force_login(koordinator_bangka)

    html = client.get(f"/sinergitas/{meeting.pk}/tindak-lanjut/").content.decode()

    assert 'name="owner_opd"' in html and 'name="owner_kind"' not in html
    assert html.count("OPD penanggung jawab") == 1
    assert "enis OPD penanggung jawab" not in html
    owner = html.split('name="owner_opd"')[1].split("</select>")[0]
    assert "Dinas Kesehatan Kabupaten Bangka" in owner and "Belitung" not in owner
    assert "required" in html.split('name="owner_opd"')[0].rsplit("<label", 1)[1]


def test_an_admin_choosing_an_opd_of_the_other_region_gets_an_indonesian_error(client, admin_user):
    meeting = make_meeting("19.01", "19.02")
    client.force_login(admin_user)
    belitung_dinkes = Opd.objects.get(region__code="19.02", kind__code="dinkes")

    response = client.post(
        f"/sinergitas/{meeting.pk}/tindak-lanjut/",
        {
            "what": "Menyusun SK gugus tugas KLA",
            "region": region("19.01").pk,
            "owner_opd": belitung_dinkes.pk,
            "due_date": "2025-06-30",
            "status": "open",
        },
    )

    assert response.status_code == 400
    assert response.context["form"].errors["owner_opd"] == [
        f"{belitung_dinkes.name} bukan OPD di Kabupaten Bangka; pilih OPD wilayah tersebut."
    ]
    assert not FollowUp.objects.exists()


def test_a_follow_up_owned_by_a_kind_opens_with_its_opd_and_is_saved_with_it(
    client, koordinator_bangka
):
    meeting = make_meeting("19.01")
    followup = make_followup(meeting, DUE)  # stored with the kind dp3akb only
    dp3akb = Opd.objects.get(region__code="19.01", kind__code="dp3akb")
    client.force_login(koordinator_bangka)
    path = f"/sinergitas/{meeting.pk}/tindak-lanjut/{followup.pk}/ubah/"

    form = client.get(path).context["form"]
    assert form["owner_opd"].value() == dp3akb.pk
    response = client.post(
        path,
        {
            "what": followup.what,
            "region": followup.region_id,
            "owner_opd": dp3akb.pk,
            "due_date": "2025-03-10",
            "status": "done",
        },
    )

    assert response.status_code == 302
    followup.refresh_from_db()
    assert (followup.owner_opd, followup.owner_kind, followup.status) == (dp3akb, None, "done")
    assert followup.owner_opd.kind.code == "dp3akb"  # the kind follows from the OPD


def test_an_older_post_naming_the_kind_is_saved_with_that_kinds_opd(client, koordinator_bangka):
    meeting = make_meeting("19.01")
    client.force_login(koordinator_bangka)

    response = client.post(
        f"/sinergitas/{meeting.pk}/tindak-lanjut/",
        {
            "what": "Menyusun SK gugus tugas KLA",
            "region": region("19.01").pk,
            "owner_kind": OpdKind.objects.get(code="dinkes").pk,
            "due_date": "2025-06-30",
            "status": "open",
        },
    )

    assert response.status_code == 302
    followup = FollowUp.objects.get()
    assert followup.owner_opd == Opd.objects.get(region__code="19.01", kind__code="dinkes")
    assert followup.owner_kind is None
