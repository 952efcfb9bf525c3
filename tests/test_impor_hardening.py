"""Import edge cases found by probing (issue #12): the app's own export re-imports unchanged
through both doors, locked assessments refuse only rows that would change them, a second
confirm of one preview is answered (not a 500), a stale no-op confirm records nothing, and a
file full of repeated keys is refused with one error per key and a bounded error list."""

from __future__ import annotations

import io
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from impor.models import ImportRecord
from penilaian.models import Assessment
from regions.models import Region, Role
from tests.conftest import make_user
from tests.impor_files import (  # noqa: F401 (fixtures)
    NILAI,
    apply,
    bahasa,
    impor_media,
    preview,
    snapshot,
    xlsx,
)

pytestmark = pytest.mark.django_db

RESOURCES = ("nilai", "kampung_kb", "desa")


@pytest.fixture
def demo():
    call_command("seed_demo", "--password", "Sandi-uji-2026!", stdout=StringIO())


def named(data: bytes, name: str) -> io.BytesIO:
    handle = io.BytesIO(data)
    handle.name = name
    return handle


def test_the_full_demo_export_re_imports_unchanged_through_both_doors(client, demo):
    admin = make_user("admin.uji", Role.ADMIN)
    client.force_login(admin)
    locked = Assessment.objects.filter(status__in=["submitted", "verified"])
    assert locked.filter(edition__program__in=["ape", "kla"]).exists()
    assert locked.filter(edition__program="kampung_kb").exists()
    before = snapshot()
    for resource in RESOURCES:
        export = client.get(reverse("impor:export", args=[resource]))
        assert export.status_code == 200
        data = export.content
        name = f"{resource}.xlsx"

        page = client.post(reverse("impor:upload", args=[resource]), {"file": named(data, name)})
        outcome = page.context["outcome"]
        assert outcome.refused is None, (resource, outcome.refused)
        assert outcome.plan.errors == [], (resource, outcome.plan.errors[:3])
        assert outcome.plan.total > 300 and outcome.plan.unchanged == outcome.plan.total
        assert outcome.no_changes
        assert "tidak ada perubahan" in page.content.decode().lower()

        model = {"nilai": "nilaiproxy", "kampung_kb": "kampungkbproxy", "desa": "desaproxy"}
        page = client.post(
            reverse(f"admin:impor_{model[resource]}_import"),
            {"import_file": named(data, name), "format": "0", "resource": "0"},
        )
        outcome = page.context["result"].impor
        assert outcome.refused is None and outcome.plan.errors == [], resource
        assert outcome.plan.unchanged == outcome.plan.total
        assert "tidak ada perubahan" in page.content.decode().lower()
    assert snapshot() == before


def locked_bangka_2025(admin):
    """Two APE 2025 values of 19.01 stored, then the assessment submitted."""
    outcome = apply(
        admin,
        xlsx([NILAI, ["19.01", 2025, "APE-KOM-01", 3, "lama"], ["19.01", 2025, "APE-KOM-03", 1]]),
    )
    assert outcome.record is not None
    assessment = Assessment.objects.get(
        region=Region.objects.get(code="19.01"), edition__program="ape", edition__year=2025
    )
    Assessment.objects.filter(pk=assessment.pk).update(status=Assessment.Status.SUBMITTED)
    return assessment


def test_unchanged_rows_of_a_locked_assessment_are_unchanged_not_errors(admin_user):
    locked_bangka_2025(admin_user)
    same = xlsx([NILAI, ["19.01", 2025, "APE-KOM-01", 3, "lama"], ["19.01", 2025, "APE-KOM-03", 1]])
    outcome = preview(admin_user, same)
    assert outcome.plan.errors == []
    assert (outcome.plan.unchanged, outcome.no_changes) == (2, True)
    # Without the optional note column the stored note counts as kept.
    outcome = preview(admin_user, xlsx([NILAI[:4], ["19.01", 2025, "APE-KOM-01", 3]]))
    assert outcome.plan.errors == [] and outcome.plan.unchanged == 1


def test_a_row_that_would_change_a_locked_assessment_is_refused(admin_user):
    locked_bangka_2025(admin_user)
    before = snapshot()
    rows = [
        ["19.01", 2025, "APE-KOM-01", 3, "lama"],  # unchanged: fine
        ["19.01", 2025, "APE-KOM-03", 0, ""],  # changed value
        ["19.01", 2025, "APE-KOM-02", 2, ""],  # a new value in the locked assessment
    ]
    outcome = apply(admin_user, xlsx([NILAI, *rows]))
    assert outcome.record is None
    assert [(e.row, e.column) for e in outcome.plan.errors] == [(3, ""), (4, "")]
    assert all("terkunci" in e.message for e in outcome.plan.errors)
    outcome = apply(admin_user, xlsx([NILAI, ["19.01", 2025, "APE-KOM-01", 3, "baru"]]))
    assert [e.row for e in outcome.plan.errors] == [2]  # a changed note is a change
    assert snapshot() == before


# --- confirming a preview: once, and never an empty record ---

ROWS = [["19.01", 2025, "APE-KOM-01", 3, "catatan"], ["19.01", 2025, "APE-KOM-03", "ya", ""]]
EXPIRED = "Pratinjau ini sudah kedaluwarsa. Unggah ulang berkasnya."


def admin_preview(client, data: bytes = None):
    data = data or xlsx([NILAI, *ROWS])
    response = client.post(
        reverse("admin:impor_nilaiproxy_import"),
        {"import_file": named(data, "nilai.xlsx"), "format": "0", "resource": "0"},
    )
    assert response.context["result"].impor.can_apply
    return response.context["confirm_form"].initial


def page_messages(client, response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def test_a_second_confirm_of_one_admin_preview_is_answered_and_writes_nothing(client, admin_user):
    client.force_login(admin_user)
    form = admin_preview(client)
    url = reverse("admin:impor_nilaiproxy_process_import")
    first = client.post(url, form)
    assert first.status_code == 302
    after_first = snapshot()
    assert ImportRecord.objects.count() == 1

    second = client.post(url, form, follow=True)  # the double click

    assert second.status_code == 200
    assert second.redirect_chain[-1][0] == reverse("admin:impor_nilaiproxy_import")
    assert EXPIRED in page_messages(client, second)
    assert snapshot() == after_first


def test_a_second_confirm_on_the_import_pages_is_answered_the_same_way(client, admin_user):
    client.force_login(admin_user)
    page = client.post(
        reverse("impor:upload", args=["nilai"]),
        {"file": named(xlsx([NILAI, *ROWS]), "nilai.xlsx")},
    )
    token = page.context["confirm_form"].initial["token"]
    url = reverse("impor:confirm", args=["nilai"])
    assert client.post(url, {"token": token}).status_code == 302
    after_first = snapshot()
    second = client.post(url, {"token": token}, follow=True)
    assert EXPIRED in page_messages(client, second)
    assert snapshot() == after_first


def test_confirming_a_stale_preview_that_changes_nothing_records_nothing(client, admin_user):
    """The preview offered two new rows; someone imported the same file meanwhile. The confirm
    then changes nothing: no ImportRecord, no history, a "no changes" message (both doors)."""
    client.force_login(admin_user)
    data = xlsx([NILAI, *ROWS])
    admin_form = admin_preview(client, data)
    page = client.post(reverse("impor:upload", args=["nilai"]), {"file": named(data, "n.xlsx")})
    token = page.context["confirm_form"].initial["token"]
    assert apply(admin_user, data).record is not None  # the other import
    before = snapshot()

    response = client.post(
        reverse("admin:impor_nilaiproxy_process_import"), admin_form, follow=True
    )
    assert "Tidak ada perubahan" in " ".join(page_messages(client, response))
    response = client.post(reverse("impor:confirm", args=["nilai"]), {"token": token}, follow=True)
    assert "Tidak ada perubahan" in " ".join(page_messages(client, response))

    assert snapshot() == before
    assert ImportRecord.objects.count() == 1


# --- a file full of repeated keys ---


def test_a_repeated_key_is_one_error_naming_every_row_it_appears_on(admin_user):
    rows = [["19.01", 2025, "APE-KOM-01", 3, ""]] * 5 + [["19.01", 2025, "APE-KOM-03", 1, ""]] * 2
    outcome = preview(admin_user, xlsx([NILAI, *rows]))
    assert [(e.row, e.message) for e in outcome.plan.errors] == [
        (2, "Kunci 19.01 / 2025 / APE-KOM-01 muncul 5 kali dalam berkas: baris 2, 3, 4, 5, 6."),
        (7, "Kunci 19.01 / 2025 / APE-KOM-03 muncul dua kali dalam berkas: baris 7 dan 8."),
    ]
    assert outcome.plan.invalid == 7 and outcome.plan.error_total == 2


def test_a_file_of_thousands_of_repeats_keeps_a_bounded_error_list_and_counts_the_rest(
    client, admin_user
):
    from impor.validation import MAX_ERRORS, ROWS_LISTED

    keys = [["19.01", 2025, code, 1, ""] for code in ("APE-KOM-03", "APE-KOM-04")]
    wrong = [["19.99", 2025, "APE-KOM-01", 3, ""]] * (MAX_ERRORS + 500)  # one error each
    rows = [*keys * 1500, *wrong]
    outcome = preview(admin_user, xlsx([NILAI, *rows]))

    plan = outcome.plan
    assert (len(plan.errors), plan.error_total) == (MAX_ERRORS, MAX_ERRORS + 500 + 2 + 1)
    assert plan.invalid == len(rows)
    first = plan.errors[0].message
    assert first.startswith("Kunci 19.01 / 2025 / APE-KOM-03 muncul 1500 kali dalam berkas:")
    listed = ", ".join(str(2 + 2 * n) for n in range(ROWS_LISTED))
    assert first.endswith(f"baris {listed} dan {1500 - ROWS_LISTED} lainnya.")
    assert plan.errors[1].row == 3  # the second key: once, on its first row

    client.force_login(admin_user)
    handle = named(xlsx([NILAI, *rows]), "ulang.xlsx")
    html = client.post(reverse("impor:upload", args=["nilai"]), {"file": handle}).content.decode()
    total = f"{plan.error_total:,}".replace(",", ".")
    assert f"Berkas ini memiliki {total} kesalahan." in html
