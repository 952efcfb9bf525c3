"""The whole workflow through the pages: fill, submit, return with reasons, fix, resubmit, verify,
the lock, an admin unlock and the frozen "as verified" snapshot."""

from decimal import Decimal as D

import pytest
from django.utils.translation import gettext

from penilaian.models import (
    Answer,
    Assessment,
    Notification,
    ReturnReason,
    VerifiedSnapshot,
    WorkflowEvent,
)
from tests.conftest import start

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def started(db):
    """The assessments these tests fill, started as the koordinator would (a GET starts none)."""
    start("kla", "19.01", 2025)


URL = "/penilaian/kla/19.01/2025/"


def page(client, user, url=URL):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response


def assessment():
    return Assessment.objects.get(edition__program="kla", edition__year=2025, region__code="19.01")


def values():
    return dict(
        Answer.objects.filter(assessment=assessment()).values_list("indicator__code", "value")
    )


def save(client, user, data):
    client.force_login(user)
    return client.post(URL, {"version": assessment().version, **data})


def test_full_walk_return_with_reasons_resubmit_verify_lock_unlock_and_frozen_snapshot(
    client, koordinator_bangka, operator_dinkes_bangka, verifikator, admin_user
):
    # The operator opens the form (which starts the assessment) and saves a draft.
    page(client, operator_dinkes_bangka)
    response = save(client, operator_dinkes_bangka, {"v_KLA-3-02": "40", "n_KLA-3-02": "Data"})
    assert response.status_code == 302
    assert values() == {"KLA-3-02": D(40)}

    # The koordinator fills a kelembagaan value and submits.
    save(client, koordinator_bangka, {"v_KLA-KL-01": "40"})
    client.force_login(koordinator_bangka)
    assert client.post(URL + "ajukan/", {"confirm_reason": "Uji: belum lengkap"}).status_code == 302
    assert assessment().status == Assessment.Status.SUBMITTED
    assert Notification.objects.filter(user=verifikator).count() == 1

    # Submitted means locked: the operator's save is refused and nothing changes.
    response = save(client, operator_dinkes_bangka, {"v_KLA-3-02": "10"})
    assert response.status_code == 409
    assert values()["KLA-3-02"] == D(40)

    # The verifikator returns with a reason on one indicator.
    client.force_login(verifikator)
    assert client.get(URL + "kembalikan/").status_code == 200
    response = client.post(URL + "kembalikan/", {"r_KLA-3-02": "Sumber data tidak dilampirkan."})
    assert response.status_code == 302
    assert assessment().status == Assessment.Status.RETURNED
    reason = ReturnReason.objects.get(assessment=assessment())
    assert (reason.indicator.code, reason.round, reason.resolved) == ("KLA-3-02", 1, False)
    assert set(
        Notification.objects.filter(assessment=assessment(), read_at=None)
        .exclude(user=verifikator)
        .values_list("user__username", flat=True)
    ) == {koordinator_bangka.username, operator_dinkes_bangka.username}

    # The officer sees the reason on the form, fixes the value, the koordinator resubmits.
    assert "Sumber data tidak dilampirkan." in page(client, operator_dinkes_bangka).text
    assert save(client, operator_dinkes_bangka, {"v_KLA-3-02": "12"}).status_code == 302
    # That was the only returned indicator: the koordinator is told it is fixed.
    assert Notification.objects.filter(
        user=koordinator_bangka, message__contains="sudah diubah"
    ).exists()
    client.force_login(koordinator_bangka)
    assert client.post(URL + "ajukan/", {"confirm_reason": "Uji: belum lengkap"}).status_code == 302
    assert ReturnReason.objects.get(assessment=assessment()).resolved is True

    # The verifikator verifies: locked, snapshot frozen, officers notified.
    client.force_login(verifikator)
    assert (
        client.post(URL + "verifikasi/", {"confirm_reason": "Uji: belum lengkap"}).status_code
        == 302
    )
    verified = assessment()
    assert verified.status == Assessment.Status.VERIFIED
    snapshot = VerifiedSnapshot.objects.get(assessment=verified)
    frozen_score = snapshot.score
    assert snapshot.data["values"]["KLA-3-02"] == "12"
    html = page(client, koordinator_bangka).text
    assert str(Assessment.Status.VERIFIED.label) in html
    assert f'data-score="{snapshot.data["score"]}"' in html

    # Verified is locked for the koordinator too.
    assert save(client, koordinator_bangka, {"v_KLA-KL-01": "0"}).status_code == 409
    assert values()["KLA-KL-01"] == D(40)

    # Only the admin unlocks, with a reason; later edits never touch the snapshot.
    client.force_login(koordinator_bangka)
    assert (
        client.post(URL + "buka-kunci/", {"reason": "x", "to_status": "draft"}).status_code == 403
    )
    client.force_login(admin_user)
    response = client.post(URL + "buka-kunci/", {"reason": "", "to_status": "draft"})
    assert response.status_code == 400
    assert assessment().status == Assessment.Status.VERIFIED
    response = client.post(
        URL + "buka-kunci/", {"reason": "Koreksi data dinkes", "to_status": "returned"}
    )
    assert response.status_code == 302
    assert assessment().status == Assessment.Status.RETURNED
    unlock = WorkflowEvent.objects.get(assessment=assessment(), action="unlock")
    assert (unlock.reason, unlock.from_status, unlock.to_status) == (
        "Koreksi data dinkes",
        "verified",
        "returned",
    )
    assert save(client, operator_dinkes_bangka, {"v_KLA-3-02": "40"}).status_code == 302
    snapshot.refresh_from_db()
    assert snapshot.score == frozen_score
    assert snapshot.data["values"]["KLA-3-02"] == "12"
    html = page(client, koordinator_bangka).text
    assert gettext("Score as last verified (frozen)") in html
    assert [e.action for e in WorkflowEvent.objects.filter(assessment=assessment()).reverse()] == [
        "submit",
        "return",
        "fixed",  # the returned indicator changed (status stays returned)
        "submit",
        "verify",
        "unlock",
    ]


def test_nobody_verifies_what_they_submitted(client, admin_user, verifikator):
    client.force_login(admin_user)
    client.get(URL)
    assert client.post(URL + "ajukan/", {"confirm_reason": "Uji: belum lengkap"}).status_code == 302

    assert (
        client.post(URL + "verifikasi/", {"confirm_reason": "Uji: belum lengkap"}).status_code
        == 403
    )
    assert assessment().status == Assessment.Status.SUBMITTED
    assert gettext("You submitted this assessment, so someone else must review it.") in (
        client.get(URL).text
    )

    client.force_login(verifikator)
    assert (
        client.post(URL + "verifikasi/", {"confirm_reason": "Uji: belum lengkap"}).status_code
        == 302
    )
    assert assessment().status == Assessment.Status.VERIFIED


def test_returning_without_any_reason_is_refused_and_changes_nothing(
    client, koordinator_bangka, verifikator
):
    page(client, koordinator_bangka)
    client.post(URL + "ajukan/", {"confirm_reason": "Uji: belum lengkap"})
    client.force_login(verifikator)

    response = client.post(URL + "kembalikan/", {"r_KLA-3-02": "  ", "note": ""})

    assert response.status_code == 400
    assert (
        gettext("Give a reason for each returned indicator (at least one) before returning.")
        in response.text
    )
    assert assessment().status == Assessment.Status.SUBMITTED
    assert not ReturnReason.objects.exists()


@pytest.mark.parametrize("action", ["ajukan/", "verifikasi/", "kembalikan/", "buka-kunci/"])
def test_another_regions_officer_gets_404_on_every_workflow_action(
    client, koordinator_bangka, koordinator_belitung, action
):
    page(client, koordinator_bangka)
    client.force_login(koordinator_belitung)

    response = client.post(URL + action, {"reason": "x", "r_KLA-3-02": "x"})

    assert response.status_code == 404
    assert assessment().status == Assessment.Status.DRAFT
    assert not WorkflowEvent.objects.exists()


def test_operator_and_pimpinan_cannot_submit_or_verify(
    client, koordinator_bangka, operator_dinkes_bangka, pimpinan
):
    page(client, koordinator_bangka)
    client.force_login(operator_dinkes_bangka)
    assert client.post(URL + "ajukan/", {"confirm_reason": "Uji: belum lengkap"}).status_code == 403
    client.force_login(koordinator_bangka)
    client.post(URL + "ajukan/", {"confirm_reason": "Uji: belum lengkap"})

    for user in (operator_dinkes_bangka, koordinator_bangka, pimpinan):
        client.force_login(user)
        assert (
            client.post(URL + "verifikasi/", {"confirm_reason": "Uji: belum lengkap"}).status_code
            == 403
        )
        assert client.post(URL + "kembalikan/", {"r_KLA-3-02": "x"}).status_code == 403

    assert assessment().status == Assessment.Status.SUBMITTED
    assert list(WorkflowEvent.objects.values_list("action", flat=True)) == ["submit"]


def test_a_draft_cannot_be_verified_and_the_page_says_why(client, koordinator_bangka, verifikator):
    page(client, koordinator_bangka)
    client.force_login(verifikator)

    response = client.post(URL + "verifikasi/", {"confirm_reason": "Uji: belum lengkap"})

    assert response.status_code == 409
    assert gettext("Only a submitted assessment can be verified or returned.") in response.text
    assert assessment().status == Assessment.Status.DRAFT
    assert not VerifiedSnapshot.objects.exists()
