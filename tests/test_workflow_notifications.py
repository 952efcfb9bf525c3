"""In-app notifications: who is told of submit, return and verify; the unread count in the
navigation; marking read; nobody reads another user's notifications."""

import pytest
from django.utils.translation import gettext

from penilaian import workflow
from penilaian.models import Edition, Notification
from penilaian.services import get_or_create_assessment
from regions.models import Region

pytestmark = pytest.mark.django_db

URL = "/penilaian/kla/19.01/2025/"


@pytest.fixture
def kla_bangka():
    return get_or_create_assessment(
        Edition.objects.get(program="kla", year=2025), Region.objects.get(code="19.01")
    )


def recipients():
    return sorted(Notification.objects.values_list("user__username", flat=True))


def test_submit_tells_the_verifikators_and_nobody_else(
    kla_bangka, koordinator_bangka, verifikator, koordinator_belitung, pimpinan
):
    workflow.submit(kla_bangka, user=koordinator_bangka, confirm_reason="Uji: belum lengkap")

    assert recipients() == [verifikator.username]
    notification = Notification.objects.get()
    assert notification.url == URL
    assert "Kabupaten Bangka" in notification.message and "2025" in notification.message


def test_return_and_verify_tell_the_regions_koordinator_and_operators(
    kla_bangka,
    koordinator_bangka,
    operator_dinkes_bangka,
    operator_disdik_bangka,
    koordinator_belitung,
    verifikator,
):
    workflow.submit(kla_bangka, user=koordinator_bangka, confirm_reason="Uji: belum lengkap")
    Notification.objects.all().delete()

    workflow.return_assessment(
        kla_bangka,
        user=verifikator,
        items=[
            workflow.ReturnItem(
                reason="Lengkapi", indicator=kla_bangka.edition.indicators.get(code="KLA-3-02")
            )
        ],
    )
    returned = recipients()
    Notification.objects.all().delete()
    workflow.submit(kla_bangka, user=koordinator_bangka, confirm_reason="Uji: belum lengkap")
    Notification.objects.all().delete()
    workflow.verify(kla_bangka, user=verifikator, confirm_reason="Uji: belum lengkap")

    expected = sorted(
        [
            koordinator_bangka.username,
            operator_dinkes_bangka.username,
            operator_disdik_bangka.username,
        ]
    )
    assert returned == expected
    assert recipients() == expected


def test_the_navigation_shows_the_unread_count_and_the_page_marks_them_read(
    client, kla_bangka, koordinator_bangka, verifikator
):
    workflow.submit(kla_bangka, user=koordinator_bangka, confirm_reason="Uji: belum lengkap")
    workflow.return_assessment(kla_bangka, user=verifikator, items=[], note="Lengkapi semua")
    workflow.submit(kla_bangka, user=koordinator_bangka, confirm_reason="Uji: belum lengkap")
    client.force_login(verifikator)

    nav = client.get("/penilaian/").text.split("</nav>")[0]
    assert 'class="unread"' in nav and "(2)" in nav
    page = client.get("/penilaian/notifikasi/")
    assert page.status_code == 200 and len(page.context["page"].object_list) == 2

    first = Notification.objects.filter(user=verifikator).first()
    response = client.post(f"/penilaian/notifikasi/{first.pk}/buka/")
    assert response.status_code == 302 and response["Location"] == URL
    assert Notification.objects.filter(user=verifikator, read_at=None).count() == 1

    client.post("/penilaian/notifikasi/")
    assert Notification.objects.filter(user=verifikator, read_at=None).count() == 0
    assert 'class="unread"' not in client.get("/penilaian/").text.split("</nav>")[0]


def test_nobody_opens_or_marks_another_users_notifications(
    client, kla_bangka, koordinator_bangka, verifikator, koordinator_belitung
):
    workflow.submit(kla_bangka, user=koordinator_bangka, confirm_reason="Uji: belum lengkap")
    notification = Notification.objects.get(user=verifikator)
    client.force_login(koordinator_belitung)

    assert client.post(f"/penilaian/notifikasi/{notification.pk}/buka/").status_code == 404
    client.post("/penilaian/notifikasi/", {"id": notification.pk})
    page = client.get("/penilaian/notifikasi/")

    assert list(page.context["page"].object_list) == []
    assert gettext("No notifications.") in page.text
    notification.refresh_from_db()
    assert notification.read_at is None


@pytest.mark.parametrize("count", [1, 3])
def test_the_notification_page_reads_with_a_constant_number_of_queries(
    client, kla_bangka, koordinator_bangka, verifikator, count, django_assert_num_queries
):
    for _round in range(count):
        workflow.submit(kla_bangka, user=koordinator_bangka, confirm_reason="Uji: belum lengkap")
        workflow.return_assessment(kla_bangka, user=verifikator, items=[], note="x")
    client.force_login(verifikator)
    client.get("/penilaian/notifikasi/")

    # session, user, assignment (nav role), count for the paginator, notifications, unread count
    with django_assert_num_queries(6):
        response = client.get("/penilaian/notifikasi/")
    assert len(response.context["page"].object_list) == count
