"""Admin pages for evidence, workflow records, snapshots and notifications: they work for the
admin, records written by the workflow are read-only, and a regional staff user is refused
the admin (only the provincial admin role enters it)."""

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile

from penilaian import workflow
from penilaian.evidence import store_document
from penilaian.models import Document, Edition, EvidenceLink, Notification
from penilaian.services import get_or_create_assessment
from regions.models import Assignment, Region, Role
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%%EOF\n"
MODELS = ["document", "evidencelink", "returnreason", "workflowevent", "verifiedsnapshot"]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def bangka_records(koordinator_bangka, verifikator):
    """A 19.01 assessment walked through return and verify, with a linked document."""
    assessment = get_or_create_assessment(
        Edition.objects.get(program="kla", year=2025), Region.objects.get(code="19.01")
    )
    document = store_document(
        SimpleUploadedFile("perda.pdf", PDF),
        region=assessment.region,
        title="Perda KLA Bangka",
        user=koordinator_bangka,
    )
    indicator = assessment.edition.indicators.get(code="KLA-KL-01")
    EvidenceLink.objects.create(document=document, assessment=assessment, indicator=indicator)
    workflow.submit(assessment, user=koordinator_bangka, confirm_reason="Uji: belum lengkap")
    workflow.return_assessment(
        assessment, user=verifikator, items=[workflow.ReturnItem("Perda belum sah", indicator)]
    )
    workflow.submit(assessment, user=koordinator_bangka, confirm_reason="Uji: belum lengkap")
    workflow.verify(assessment, user=verifikator, confirm_reason="Uji: belum lengkap")
    return assessment, document


@pytest.fixture
def staff_belitung(koordinator_belitung):
    """The Belitung koordinator made staff with view permission on the evidence models."""
    koordinator_belitung.is_staff = True
    koordinator_belitung.save()
    koordinator_belitung.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="penilaian", codename__in=[f"view_{m}" for m in MODELS]
        )
    )
    return koordinator_belitung


def test_admin_lists_and_opens_every_new_model(client, admin_user, bangka_records):
    _assessment, document = bangka_records
    client.force_login(admin_user)

    for model in [*MODELS, "notification"]:
        response = client.get(f"/admin/penilaian/{model}/")
        assert response.status_code == 200, model
        assert response.context["cl"].result_count >= 1, model
    change = client.get(f"/admin/penilaian/document/{document.pk}/change/")
    assert change.status_code == 200
    assert f"/penilaian/dokumen/{document.pk}/" in change.text
    assert client.get(f"/admin/penilaian/document/{document.pk}/history/").status_code == 200


def test_workflow_records_cannot_be_added_or_changed_in_the_admin(
    client, admin_user, bangka_records
):
    client.force_login(admin_user)

    for model in ["document", "evidencelink", "returnreason", "workflowevent", "notification"]:
        assert client.get(f"/admin/penilaian/{model}/add/").status_code == 403, model
    snapshot = bangka_records[0].snapshots.get()
    response = client.post(
        f"/admin/penilaian/verifiedsnapshot/{snapshot.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 403
    assert bangka_records[0].snapshots.count() == 1


def test_a_staff_user_of_another_region_is_refused_the_admin(
    client, staff_belitung, bangka_records
):
    """Only the provincial admin role enters the admin (issue #12): a koordinator made staff
    with view permissions gets 403, not a region-filtered list."""
    _assessment, document = bangka_records
    client.force_login(staff_belitung)

    for model in MODELS:
        assert client.get(f"/admin/penilaian/{model}/").status_code == 403, model
    assert client.get(f"/admin/penilaian/document/{document.pk}/change/").status_code == 403
    assert client.get(f"/admin/penilaian/document/{document.pk}/history/").status_code == 403
    client.post(f"/admin/penilaian/document/{document.pk}/change/", {"title": "Diubah"})
    document.refresh_from_db()
    assert document.title == "Perda KLA Bangka"


def test_officers_who_are_not_staff_do_not_reach_the_admin(
    client, koordinator_belitung, operator_dinkes_bangka, bangka_records
):
    for user in (koordinator_belitung, operator_dinkes_bangka):
        client.force_login(user)
        assert client.get("/admin/penilaian/document/").status_code == 403
    client.logout()
    response = client.get("/admin/penilaian/document/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_an_admin_who_is_not_a_superuser_sees_only_their_own_notifications(
    client, bangka_records, verifikator
):
    staff_admin = make_user("admin.bukan.superuser", None)
    staff_admin.is_staff = True
    staff_admin.save()
    Assignment.objects.create(user=staff_admin, role=Role.ADMIN)
    Notification.objects.create(user=staff_admin, message="Untuk admin")
    staff_admin.user_permissions.add(
        Permission.objects.get(content_type__app_label="penilaian", codename="view_notification")
    )
    client.force_login(staff_admin)

    response = client.get("/admin/penilaian/notification/")

    assert [n.message for n in response.context["cl"].result_list] == ["Untuk admin"]
    assert Notification.objects.filter(user=verifikator).exists()
    assert Document.objects.count() == 1


def test_the_admin_cannot_change_status_or_values_behind_the_workflow(
    client, admin_user, bangka_records
):
    assessment, _document = bangka_records
    client.force_login(admin_user)
    url = f"/admin/penilaian/assessment/{assessment.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200

    client.post(url, {"status": "draft", "note": "catatan admin", "answers-TOTAL_FORMS": "0"})

    assessment.refresh_from_db()
    assert assessment.status == "verified"
    assert client.get("/admin/penilaian/assessment/add/").status_code == 403
