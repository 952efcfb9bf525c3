"""Numbers a reader can trust (issue #14): the year is a decision, every number carries its
state, completeness is checked before submit and verify, and the public page keeps the last
verified result while it is corrected."""

from __future__ import annotations

import re
from decimal import Decimal as D

import pytest

from dashboard.charts import Series, average_series, trend_svg
from penilaian import formatting, scoring
from penilaian.models import (
    Assessment,
    EvidenceLink,
    Program,
    ProgramYear,
    VerifiedSnapshot,
    WorkflowEvent,
)
from penilaian.services import save_values
from penilaian.workflow import Incomplete, submit, unlock, verify
from regions.scoping import scope_for
from tests.conftest import start
from tests.test_dashboard_builders import fill

pytestmark = pytest.mark.django_db
Status = Assessment.Status
REASON = {"confirm_reason": "Data Dinsos menyusul; diajukan agar jadwal provinsi terpenuhi."}


# --- pure rules -------------------------------------------------------------------------------


def test_number_state_is_the_status_except_a_draft_of_carried_values_only():
    assert scoring.number_state(None) is None
    assert scoring.number_state("verified", answered=3, carried=3) == "verified"
    assert scoring.number_state("draft", answered=3, carried=3) == "carried"
    assert scoring.number_state("draft", answered=3, carried=2) == "draft"
    assert scoring.number_state("draft", answered=0, carried=0) == "draft"
    assert scoring.number_state("returned", answered=2, carried=2) == "returned"
    assert scoring.is_unverified("submitted") and not scoring.is_unverified("verified")


def test_missing_items_lists_unanswered_and_evidence_in_catalog_order():
    specs = [
        scoring.IndicatorSpec("A", "g", 1, scoring.Kind.SCORE, D(10), evidence_required=True),
        scoring.IndicatorSpec("B", "g", 2, scoring.Kind.SCORE, D(10)),
        scoring.IndicatorSpec("C", "g", 3, scoring.Kind.SCORE, D(10), evidence_required=True),
    ]

    missing = scoring.missing_items(specs, {"A": D(5), "B": None}, {"A"})

    assert missing.unanswered == ("B", "C")
    assert missing.evidence == ("C",)
    assert missing.count == 3 and not missing.complete
    assert scoring.missing_items(specs, {"A": 1, "B": 1, "C": 1}, {"A", "C"}).complete


def test_the_trend_draws_unverified_totals_hollow_and_says_so_in_the_legend():
    line = Series("Kabupaten Bangka", {2024: D(700), 2025: D(722), 2026: D(104)})
    line = Series(line.label, line.values, {2024: "verified", 2025: "verified", 2026: "draft"})

    svg = str(trend_svg([line], [2024, 2025, 2026], D(1000), title="t", unverified_label="ⓘ"))
    plain = str(trend_svg([line.only_verified()], [2024, 2025], D(1000), title="t"))

    assert len(re.findall(r'class="point unverified" data-state="draft"', svg)) == 1
    assert len(re.findall(r'class="point" data-state="verified"', svg)) == 2
    assert 'class="unverified"' in svg  # the dotted segment 2025 → 2026
    assert 'class="legend-unverified"' in svg and "ⓘ" in svg
    assert "unverified" not in plain and plain.count("<circle") == 2
    averaged = average_series([line], [2025, 2026], "avg")
    assert averaged.unverified(2026) and not averaged.unverified(2025)


# --- the year is a decision -------------------------------------------------------------------


def test_the_dashboard_year_does_not_move_when_an_officer_opens_or_starts_next_year(
    client, operator_dinkes_bangka, koordinator_bangka, verifikator
):
    fill("19.01", Program.KLA, 2025, 0.7, Status.VERIFIED)
    client.force_login(operator_dinkes_bangka)
    assert "Belum dimulai" in client.get("/penilaian/kla/19.01/2026/").text
    client.force_login(koordinator_bangka)
    client.post("/penilaian/kla/19.01/2026/mulai/")
    assert Assessment.objects.filter(edition__year=2026).count() == 1

    for user in (operator_dinkes_bangka, koordinator_bangka, verifikator):
        client.force_login(user)
        for url in ("/", "/kla/", "/ape/", "/kampung-kb/", "/penilaian/"):
            response = client.get(url)
            assert response.context["year"] == 2025, (user, url)
        assert client.get("/wilayah/19.01/").context["year"] == 2025

    ProgramYear.objects.filter(program=Program.KLA).update(year=2026)  # the admin decides
    assert client.get("/kla/").context["year"] == 2026


def test_one_current_year_per_programme_is_a_database_constraint():
    from django.db import IntegrityError, transaction

    assert dict(ProgramYear.objects.values_list("program", "year")) == {
        "ape": 2025,
        "kla": 2025,
        "kampung_kb": 2025,
    }
    with pytest.raises(IntegrityError), transaction.atomic():
        ProgramYear.objects.create(program=Program.KLA, year=2026)


def test_the_admin_sets_the_current_year_and_a_year_without_edition_is_refused(client, admin_user):
    row = ProgramYear.objects.get(program=Program.KLA)
    client.force_login(admin_user)
    url = f"/admin/penilaian/programyear/{row.pk}/change/"
    assert client.get(url).status_code == 200

    bad = client.post(url, {"program": "kla", "year": "1999"})
    good = client.post(url, {"program": "kla", "year": "2026"})

    assert bad.status_code == 200 and "errornote" in bad.text
    assert good.status_code == 302
    assert ProgramYear.objects.get(program=Program.KLA).year == 2026


def test_a_koordinator_cannot_change_the_current_year(client, koordinator_bangka):
    client.force_login(koordinator_bangka)
    row = ProgramYear.objects.get(program=Program.KLA)
    response = client.post(
        f"/admin/penilaian/programyear/{row.pk}/change/", {"program": "kla", "year": "2026"}
    )
    assert response.status_code in (302, 403)
    assert ProgramYear.objects.get(program=Program.KLA).year == 2025


# --- completeness before submit and verify ----------------------------------------------------


@pytest.fixture
def kla_partly(koordinator_bangka):
    """KLA 2025 of Bangka with 2 of 31 indicators answered and no evidence."""
    assessment = start("kla", "19.01", 2025)
    save_values(
        assessment,
        {"KLA-KL-01": "40", "KLA-1-01": "90"},
        user=koordinator_bangka,
        scope=scope_for(koordinator_bangka),
    )
    return assessment


URL = "/penilaian/kla/19.01/2025/"


def test_submitting_with_missing_items_lists_them_and_needs_a_reason(
    client, koordinator_bangka, kla_partly
):
    client.force_login(koordinator_bangka)

    listed = client.get(URL + "ajukan/")
    refused = client.post(URL + "ajukan/", {"note": "siap"})
    kla_partly.refresh_from_db()
    status_after_refusal = kla_partly.status
    done = client.post(URL + "ajukan/", REASON)

    assert listed.status_code == 200
    assert 'id="missing-unanswered"' in listed.text and "KLA-KL-02" in listed.text
    assert 'id="missing-evidence"' in listed.text
    assert "2 dari 31 indikator terisi" in listed.text
    assert 'name="confirm_reason"' in listed.text
    assert refused.status_code == 409 and 'id="decide-error"' in refused.text
    assert status_after_refusal == Status.DRAFT
    assert done.status_code == 302
    event = WorkflowEvent.objects.get(assessment=kla_partly, action="submit")
    assert REASON["confirm_reason"] in event.reason
    assert "29" in event.reason  # 29 unanswered, in the history
    assert REASON["confirm_reason"] in client.get(URL).text  # the page's history shows it


def test_the_verifier_sees_completeness_and_each_indicators_evidence_and_confirms_a_gap(
    client, koordinator_bangka, verifikator, kla_partly
):
    submit(kla_partly, user=koordinator_bangka, confirm_reason="uji")
    client.force_login(verifikator)

    page = client.get(URL + "verifikasi/")
    refused = client.post(URL + "verifikasi/")
    done = client.post(URL + "verifikasi/", REASON)

    assert page.status_code == 200
    assert 'id="bukti-per-indikator"' in page.text and 'id="check-KLA-KL-01"' in page.text
    assert "2 dari 31 indikator terisi" in page.text
    assert refused.status_code == 409
    assert done.status_code == 302
    snapshot = VerifiedSnapshot.objects.get(assessment=kla_partly)
    assert snapshot.data["incomplete"] is True
    assert len(snapshot.data["missing"]["unanswered"]) == 29
    assert REASON["confirm_reason"] in WorkflowEvent.objects.get(action="verify").reason


def test_a_complete_assessment_needs_no_reason(koordinator_bangka, verifikator, kla_partly):
    answers = {
        code: "0"
        for code in kla_partly.edition.indicators.values_list("code", flat=True)
        if code not in ("KLA-KL-01", "KLA-1-01")
    }
    save_values(kla_partly, answers, user=koordinator_bangka, scope=scope_for(koordinator_bangka))
    from penilaian.models import Document

    document = Document.objects.create(
        region=kla_partly.region,
        title="Bukti",
        file="evidence/19.01/x.pdf",
        original_name="x.pdf",
        content_type="application/pdf",
        size=10,
        sha256="0" * 64,
    )
    for indicator in kla_partly.edition.indicators.filter(evidence_required=True):
        EvidenceLink.objects.create(document=document, assessment=kla_partly, indicator=indicator)

    submit(kla_partly, user=koordinator_bangka)
    snapshot = verify(kla_partly, user=verifikator)

    assert snapshot.data["incomplete"] is False


def test_incomplete_submit_through_the_service_is_refused_and_changes_nothing(
    koordinator_bangka, kla_partly
):
    with pytest.raises(Incomplete) as error:
        submit(kla_partly, user=koordinator_bangka, confirm_reason="   ")
    assert len(error.value.missing.unanswered) == 29
    kla_partly.refresh_from_db()
    assert kla_partly.status == Status.DRAFT and not WorkflowEvent.objects.exists()


def test_the_check_pages_are_in_scope_and_for_the_right_roles(
    client, kla_partly, koordinator_belitung, operator_dinkes_bangka, verifikator, pimpinan
):
    client.force_login(koordinator_belitung)
    assert client.get(URL + "ajukan/").status_code == 404
    assert client.get(URL + "verifikasi/").status_code == 404
    client.force_login(operator_dinkes_bangka)
    assert client.get(URL + "ajukan/").status_code == 403
    assert client.get(URL + "verifikasi/").status_code == 403
    client.force_login(pimpinan)
    assert client.post(URL + "ajukan/", REASON).status_code == 403
    client.force_login(verifikator)
    assert client.get(URL + "verifikasi/").status_code == 200  # a draft: shown, not allowed
    kla_partly.refresh_from_db()
    assert kla_partly.status == Status.DRAFT


# --- states on the pages, the public page after an unlock -------------------------------------


@pytest.fixture
def verified_incomplete(koordinator_bangka, verifikator, kla_partly):
    submit(kla_partly, user=koordinator_bangka, confirm_reason="uji")
    verify(kla_partly, user=verifikator, confirm_reason="uji")
    return kla_partly


def test_a_verified_but_incomplete_result_says_so_everywhere(
    client, admin_user, verified_incomplete
):
    client.force_login(admin_user)
    for url in ("/?tahun=2025", "/kla/?tahun=2025", "/wilayah/19.01/?tahun=2025"):
        assert 'class="flag incomplete"' in client.get(url).text, url
    print_page = client.get("/wilayah/19.01/cetak/?tahun=2025").text
    assert 'class="flag incomplete"' in print_page and 'data-state="verified"' in print_page
    client.logout()
    public = client.get("/publik/?tahun=2025").text
    row = public.split('id="r-19.01"')[1].split("</tr>")[0]
    assert 'class="flag incomplete"' in row


def test_the_public_page_keeps_the_last_verified_result_after_an_unlock(
    client, admin_user, koordinator_bangka, verified_incomplete
):
    snapshot = VerifiedSnapshot.objects.get()
    before = client.get("/publik/").text.split('id="r-19.01"')[1].split("</tr>")[0]

    unlock(verified_incomplete, user=admin_user, reason="Koreksi data klaster 1")
    save_values(
        verified_incomplete,
        {"KLA-KL-01": "0"},
        user=koordinator_bangka,
        scope=scope_for(koordinator_bangka),
    )
    response = client.get("/publik/")
    after = response.text.split('id="r-19.01"')[1].split("</tr>")[0]

    assert response.context["year"] == 2025
    assert 'class="num kla-score">80<' in before
    assert 'class="num kla-score">80<' in after  # as verified, not the corrected 40
    assert formatting.date(snapshot.verified_at, "id") in after and 'class="verified-at' in after
    assert 'class="note reopened"' in after
    trend = response.context["trend"]["charts"][0]["table"]
    assert [v for v, _s, _l in {r.code: c for r, c in trend}["19.01"]] == [D(80)]


def test_states_are_shown_next_to_numbers_and_counted(client, admin_user, verified_incomplete):
    fill("19.02", Program.KLA, 2025, 0.5, Status.SUBMITTED)
    fill("19.02", Program.KLA, 2024, 0.5, Status.VERIFIED)
    client.force_login(admin_user)

    response = client.get("/?tahun=2025")
    html = response.text

    counts = {c.state: c for c in response.context["state_counts"]}
    assert counts["verified"].kla == 1 and counts["incomplete"].kla == 1
    assert counts["submitted"].kla == 1 and counts["none"].kla == 5
    assert 'id="state-counts"' in html
    assert 'data-state="submitted"' in html and "belum diverifikasi" in html
    assert 'class="point unverified" data-state="submitted"' in html  # 19.02 in 2025
    only = client.get("/?tahun=2025&terverifikasi=1")
    assert "point unverified" not in only.text


def test_a_draft_of_last_years_values_is_marked_carried_over(
    client, koordinator_bangka, verified_incomplete
):
    ProgramYear.objects.update(year=2026)
    client.force_login(koordinator_bangka)
    client.post("/penilaian/kla/19.01/2026/mulai/")

    html = client.get("/kla/").text

    assert 'data-state="carried"' in html


def test_the_api_readiness_carries_the_state(client, admin_user, verified_incomplete):
    client.force_login(admin_user)
    row = client.get("/api/v1/readiness/?year=2025&region=19.01").json()["results"][0]

    assert row["kla"]["state"] == "verified" and row["kla"]["incomplete"] is True
    assert row["kla"]["verified_at"]
    assert row["ape"]["state"] is None and row["ape"]["verified_at"] is None


def test_the_exports_carry_the_state_of_each_number(client, admin_user, verified_incomplete):
    from io import BytesIO

    from openpyxl import load_workbook

    fill("19.02", Program.KLA, 2025, 0.5, Status.SUBMITTED)
    client.force_login(admin_user)

    for url in ("/ekspor/kla.xlsx?tahun=2025", "/ekspor/rekap.xlsx?tahun=2025"):
        book = load_workbook(BytesIO(client.get(url).content))
        values = {c for row in book.worksheets[0].iter_rows(values_only=True) for c in row}
        assert "terverifikasi; belum lengkap" in values, url
        assert "diajukan, belum diverifikasi" in values, url


@pytest.mark.parametrize("count", [1, 3])
def test_the_public_page_reads_results_reopened_for_correction_in_constant_queries(
    client, admin_user, verifikator, django_assert_num_queries, count
):
    from dashboard import store
    from dashboard.models import StoredReadiness
    from tests.test_dashboard_builders import fill_desa

    reopened = []
    for code in ("19.01", "19.02", "19.03")[:count]:
        for assessment in (
            fill(code, Program.KLA, 2025, 0.6, Status.SUBMITTED),
            fill(code, Program.APE, 2025, 0.6, Status.SUBMITTED),
            fill_desa(code, 2025, Status.SUBMITTED),
        ):
            verify(assessment, user=verifikator, confirm_reason="uji")
            unlock(assessment, user=admin_user, reason="Koreksi")
            reopened.append(assessment)
    store.refresh([a.pk for a in reopened])  # their rows: the corrections in progress
    rows = StoredReadiness.objects.filter(assessment__in=[a.pk for a in reopened]).order_by("pk")
    before = list(rows.values_list("assessment_id", "computed_at", "data"))

    # the 9 of a fresh public page (test_dashboard_public) + the last verified results computed
    # from the snapshots, twice (the trend's scores, the year's readiness): 4 catalog,
    # 5 assessment, desa rows, desa totals, potential desa — as many for 1 region as for 3
    with django_assert_num_queries(9 + 2 * 12):
        response = client.get("/publik/?tahun=2025")

    html = response.content.decode()
    assert len(re.findall(r'kla-score">', html)) == count
    assert html.count('class="note reopened"') >= count
    # the "as verified" results are never stored: the rows still hold the corrections
    assert len(before) == len(reopened)
    assert list(rows.values_list("assessment_id", "computed_at", "data")) == before
