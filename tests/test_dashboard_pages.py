"""The province dashboard, region page and programme pages: numbers, scope, queries, input."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kampung_kb.models import DesaRecord
from penilaian.models import (
    Assessment,
    AwardResult,
    Edition,
    Program,
    ProgramYear,
    WorkflowEvent,
)
from penilaian.services import save_values
from penilaian.workflow import submit
from regions.models import Desa, Region
from regions.scoping import scope_for
from sinergitas.models import FollowUp, Meeting
from tests.test_dashboard_builders import (
    add_desa,
    expected,
    expected_kampung_kb,
    fill,
    fill_desa,
    row_html,
    shown,
)

pytestmark = pytest.mark.django_db
Status = Assessment.Status


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts without cached page data, so it measures the full read."""
    cache.clear()


PAGES = [
    "/",
    "/wilayah/19.01/",
    "/wilayah/19.01/cetak/",
    "/ape/",
    "/kla/",
    "/kampung-kb/",
    "/ekspor/rekap.xlsx",
    "/ekspor/ape.xlsx",
    "/ekspor/kla.xlsx",
    "/ekspor/kampung-kb.xlsx",
]


@pytest.fixture
def data_2025():
    fill("19.01", Program.APE, 2025, 0.8, Status.VERIFIED)
    fill("19.01", Program.KLA, 2025, 0.7, Status.SUBMITTED)
    fill("19.02", Program.APE, 2025, 0.4)
    fill("19.02", Program.KLA, 2025, 0.5)
    fill_desa("19.01", 2025)
    fill_desa("19.02", 2025, Status.VERIFIED)


def html_of(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


# --- access -----------------------------------------------------------------------------------


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_visitors_are_sent_to_the_login_page(client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_koordinator_sees_only_their_own_region_on_the_dashboard(
    client, koordinator_belitung, data_2025
):
    client.force_login(koordinator_belitung)

    html = html_of(client, "/?tahun=2025")

    assert 'id="r-19.02"' in html
    assert re.findall(r'<tr id="r-([\d.]+)"', html) == ["19.02"]


def test_a_koordinator_gets_404_for_another_regions_page_and_one_pager(
    client, koordinator_belitung, data_2025
):
    client.force_login(koordinator_belitung)

    assert client.get("/wilayah/19.01/").status_code == 404
    assert client.get("/wilayah/19.01/cetak/").status_code == 404
    assert client.get("/kampung-kb/?wilayah=19.01").status_code == 404
    assert client.get("/wilayah/19.02/").status_code == 200


def test_an_unknown_region_code_is_404_for_everyone(client, admin_user):
    client.force_login(admin_user)

    assert client.get("/wilayah/19.99/").status_code == 404
    assert client.get("/wilayah/19/").status_code == 404  # the province is not a kab/kota


def test_a_user_without_assignment_sees_no_region(client, unassigned_user, data_2025):
    client.force_login(unassigned_user)

    html = html_of(client, "/")

    assert 'id="r-' not in html
    assert client.get("/wilayah/19.01/").status_code == 404


@pytest.mark.parametrize("url", ["/", "/ape/", "/kla/", "/kampung-kb/", "/wilayah/19.01/"])
def test_pages_answer_only_get(client, admin_user, url):
    client.force_login(admin_user)

    assert client.post(url).status_code == 405


# --- the year ---------------------------------------------------------------------------------


def test_the_default_year_is_the_current_evaluation_year_the_admin_set(client, admin_user):
    fill("19.03", Program.KLA, 2024, 0.5)
    fill("19.03", Program.KLA, 2026, 0.1)  # next year's draft moves nothing
    client.force_login(admin_user)

    assert client.get("/").context["year"] == 2025
    ProgramYear.objects.update(year=2024)
    assert client.get("/").context["year"] == 2024
    ProgramYear.objects.filter(program=Program.KLA).update(year=2026)
    assert client.get("/kla/").context["year"] == 2026
    assert client.get("/ape/").context["year"] == 2024
    assert client.get("/").context["year"] == 2026  # the newest current year of all


@pytest.mark.parametrize("raw", ["abc", "1999", "2025;drop", "-1", "99999999999999999999"])
def test_a_bad_year_shows_the_current_year_with_a_message(client, admin_user, raw):
    fill("19.03", Program.KLA, 2024, 0.5)
    ProgramYear.objects.update(year=2024)
    before = Assessment.objects.count()
    client.force_login(admin_user)

    response = client.get("/", {"tahun": raw})

    assert response.status_code == 200
    assert response.context["year"] == 2024
    assert response.context["year_error"]
    assert Assessment.objects.count() == before


# --- the numbers ------------------------------------------------------------------------------


def test_dashboard_rows_show_what_the_scoring_rules_compute(client, admin_user, data_2025):
    client.force_login(admin_user)

    html = html_of(client, "/?tahun=2025")

    for code in ("19.01", "19.02"):
        row = row_html(html, code)
        kla = expected(code, Program.KLA, 2025)
        ape = expected(code, Program.APE, 2025)
        assert f'kla-score">{shown(kla.score)}<' in row
        assert f'ape-score">{shown(ape.score)}<' in row
        for level in (kla.predicate, ape.category):
            assert level is None or f">{level.name}<" in row
        for group in kla.groups:
            assert f"{shown(group.score)}/{shown(group.max_score)}" in row
        for prerequisite in ape.prerequisites:
            assert f"({shown(prerequisite.score)} / {shown(prerequisite.max_score)})" in row
        assert f"{shown(kla.points_to_next)}</span> → {kla.next_predicate.name}" in row
        summary = expected_kampung_kb(code, 2025)
        assert f'kkb-desa">{shown(summary.desa_total)}<' in row
        assert f'kkb-kkb">{shown(summary.kampung_kb)}<' in row
        assert f'kkb-standar">{shown(summary.standar)}<' in row
        assert f'kkb-cikar">{shown(summary.cikar)}<' in row
        assert f"{shown(summary.persen_kampung_kb)}%" in row


def test_dashboard_marks_each_prerequisite_with_its_state_in_text(client, admin_user, data_2025):
    client.force_login(admin_user)

    row = row_html(html_of(client, "/?tahun=2025"), "19.01")

    ape = expected("19.01", Program.APE, 2025)
    marks = re.findall(r'class="mark mark-(\w+)"', row)
    assert marks == [str(p.state) for p in ape.prerequisites]
    assert len(re.findall(r'<span class="sr-only"> [^<]+</span>', row)) == 7


def test_dashboard_shows_the_workflow_status_and_completeness(client, admin_user, data_2025):
    client.force_login(admin_user)

    row = row_html(html_of(client, "/?tahun=2025"), "19.01")

    assert 'class="status status-verified"' in row  # APE
    assert 'class="status status-submitted"' in row  # KLA
    assert 'class="status status-draft"' in row  # Kampung KB
    answered = Assessment.objects.get(
        region__code="19.01", edition__program="ape", edition__year=2025
    ).answers.count()
    assert f"{answered} · 0 · {answered} / {answered}" in row  # verified APE, no evidence


def test_region_page_shows_scores_gaps_and_owners(client, admin_user, data_2025):
    client.force_login(admin_user)

    html = html_of(client, "/wilayah/19.02/?tahun=2025")

    kla = expected("19.02", Program.KLA, 2025)
    assert f'kla-score">{shown(kla.score)}<' in html
    assert f"<strong>{shown(kla.gap.needed)}</strong> more points" in html or (
        f"<strong>{shown(kla.gap.needed)}</strong>" in html
    )
    for item in kla.gap.items:
        assert f"<strong>{item.code}</strong>" in html
        assert f"+{shown(item.gain)}<" in html
    assert "Dinas Kesehatan" in html  # the region's own OPD name for owner "dinkes"
    assert reverse("penilaian:assessment_detail", args=["kla", "19.02", 2025]) in html


def test_region_page_lists_the_award_history_with_differences_flagged(client, admin_user):
    fill("19.01", Program.KLA, 2025, 0.2)  # far below the official Madya/Nindya of 2025
    client.force_login(admin_user)

    html = html_of(client, "/wilayah/19.01/?tahun=2025")

    section = html.split('id="award-h"')[1].split("</section>")[0]
    assert "Madya / Nindya" in section
    assert 'class="flag">≠' in section


def test_region_page_lists_missing_evidence(client, admin_user, data_2025):
    client.force_login(admin_user)

    html = html_of(client, "/wilayah/19.01/?tahun=2025")

    section = html.split('id="ev-h"')[1].split("</section>")[0]
    assert "APE-KOM-01" in section  # evidence required, none attached
    assert "APE-KOM-04" not in section  # evidence not required


def test_region_page_shows_workflow_history_and_meetings_with_open_followups(
    client, admin_user, data_2025
):
    assessment = Assessment.objects.get(
        region__code="19.01", edition__program="kla", edition__year=2025
    )
    WorkflowEvent.objects.create(
        assessment=assessment,
        action=WorkflowEvent.Action.RETURN,
        from_status="submitted",
        to_status="returned",
        reason="Lengkapi bukti SK Gugus Tugas",
        user=admin_user,
    )
    meeting = Meeting.objects.create(
        title="Rapat sinergi KLA Bangka", date="2025-03-01", venue="Sungailiat", organiser="DP3A"
    )
    meeting.regions.add(assessment.region)
    FollowUp.objects.create(
        meeting=meeting,
        what="Susun Perbup KLA",
        region=assessment.region,
        owner_opd=assessment.region.opd.first(),
        due_date="2025-06-30",
    )
    client.force_login(admin_user)

    html = html_of(client, "/wilayah/19.01/?tahun=2025")

    assert "Lengkapi bukti SK Gugus Tugas" in html
    assert "Rapat sinergi KLA Bangka" in html
    assert "Susun Perbup KLA" in html


def test_kla_page_shows_every_indicator_across_regions(client, admin_user, data_2025):
    client.force_login(admin_user)

    html = html_of(client, "/kla/?tahun=2025")

    kla = expected("19.01", Program.KLA, 2025)
    assert kla.gap.items  # the catalog exists and the region is not full
    assert html.count('<th scope="row"><strong>KLA-') == 31
    row = row_html(html, "19.01")
    for group in kla.groups:
        assert f'<span class="num">{shown(group.score)}</span>' in row


def test_ape_page_shows_prerequisite_points_per_region(client, admin_user, data_2025):
    client.force_login(admin_user)

    row = row_html(html_of(client, "/ape/?tahun=2025"), "19.02")

    ape = expected("19.02", Program.APE, 2025)
    assert f"<strong>{shown(ape.score)}</strong>" in row
    for prerequisite in ape.prerequisites:
        assert f'<td class="num">{shown(prerequisite.score)}<br>' in row


def test_kampung_kb_page_lists_kecamatan_and_filters_desa(client, admin_user, data_2025):
    client.force_login(admin_user)

    html = html_of(client, "/kampung-kb/?tahun=2025&wilayah=19.02&status=cikar")

    records = DesaRecord.objects.filter(assessment__region__code="19.02").select_related("desa")
    summary = expected_kampung_kb("19.02", 2025)
    shown_desa = re.findall(r'<span class="note">(19\.02\.\d\d\.\d{4})</span></th>', html)
    assert len(shown_desa) == summary.cikar
    assert all(code in {r.desa.code for r in records} for code in shown_desa)
    kecamatan = Desa.objects.filter(region__code="19.02").values("kecamatan").distinct().count()
    assert html.count("&amp;kecamatan=19.02.") == kecamatan


def test_kampung_kb_filter_by_kecamatan_shows_only_its_desa(client, admin_user, data_2025):
    client.force_login(admin_user)

    html = html_of(client, "/kampung-kb/?tahun=2025&wilayah=19.02&kecamatan=19.02.01")

    codes = re.findall(r'<span class="note">(19\.02\.\d\d\.\d{4})</span></th>', html)
    assert codes
    assert all(code.startswith("19.02.01.") for code in codes)
    assert len(codes) == Desa.objects.filter(kecamatan__code="19.02.01").count()


def test_a_koordinator_sees_their_desa_without_choosing_a_region(
    client, koordinator_belitung, data_2025
):
    client.force_login(koordinator_belitung)

    html = html_of(client, "/kampung-kb/?tahun=2025")

    assert re.findall(r'<span class="note">(19\.\d\d)\.\d\d\.\d{4}</span></th>', html)
    assert set(re.findall(r'<span class="note">(19\.\d\d)\.\d\d\.\d{4}</span></th>', html)) == {
        "19.02"
    }


def test_the_one_pager_uses_the_a4_print_stylesheet(client, admin_user, data_2025):
    client.force_login(admin_user)

    html = html_of(client, "/wilayah/19.01/cetak/?tahun=2025")

    assert 'class="onepager"' in html
    assert "css/dashboard.css" in html
    kla = expected("19.01", Program.KLA, 2025)
    assert f'kla-score">{shown(kla.score)}<' in html
    css = (settings.BASE_DIR / "static" / "css" / "dashboard.css").read_text(encoding="utf-8")
    assert "@page { size:A4" in css
    assert "@media print" in css


# --- constant number of queries ---------------------------------------------------------------

# Per page with a logged-in admin: session, user and the menu's unread-notification count, then
# the page's own reads. The readiness of a page of regions is 4 queries when its stored rows are
# fresh (regions, editions, the stored rows, awards), the trend 1 (the stored scores); a first
# request with nothing stored computes and stores them: + COMPUTE per read (4 catalog, 5
# assessment, desa rows, desa totals, potential desa, the upsert in its savepoint).
COMPUTE = 15
QUERIES = {
    # 3 + years, regions count and page, trend 1, readiness 3 (regions given), group names, levels,
    # the province's awards, this year's calendar stages (the calendar panel; 7 with stages), the
    # state of each trend total (1)
    "/?tahun=2025": 16,
    # 3 + region, readiness 3 (editions, rows, awards), group names, levels, OPD names, the
    # award history, workflow events, meetings (its 2 prefetches only run with meetings), the
    # most frequent return reasons
    "/wilayah/19.01/?tahun=2025": 14,
    "/wilayah/19.01/cetak/?tahun=2025": 12,  # the same without the workflow events
    "/ape/?tahun=2025": 11,  # 3 + years, count, page, readiness 3, group names, levels
    "/kla/?tahun=2025": 20,  # the same + the indicator matrix 9 (4 catalog + 5 assessment)
    # the same as APE + region, edition, assessment, desa list, desa rows
    "/kampung-kb/?tahun=2025&wilayah=19.01": 16,
    # session, user, years, regions, readiness 3, group names, levels
    "/ekspor/rekap.xlsx?tahun=2025": 9,
    "/ekspor/ape.xlsx?tahun=2025": 9,
    "/ekspor/kla.xlsx?tahun=2025": 18,  # + the indicator matrix 9
    "/ekspor/kampung-kb.xlsx?tahun=2025&wilayah=19.01": 14,  # + region and the desa table 5
}
# A first request computes once: on the dashboard the trend (read before the readiness)
# computes every year's rows of the page's regions in the same batch.
FIRST = dict.fromkeys(QUERIES, COMPUTE)


def counts(client, url: str) -> tuple[int, int]:
    """(queries of the first request, with nothing stored; of the next one)."""
    result = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        result.append(len(queries))
    return result[0], result[1]


def expected_counts(url: str) -> tuple[int, int]:
    return QUERIES[url] + FIRST[url], QUERIES[url]


def make_regions(count: int, years: tuple[int, ...] = (2025,), extra_desa: int = 0) -> None:
    for code in ("19.01", "19.02", "19.03")[:count]:
        for year in years:
            fill(code, Program.APE, year, 0.6, Status.VERIFIED)
            fill(code, Program.KLA, year, 0.5, Status.VERIFIED)
            fill_desa(code, year, Status.VERIFIED)
    if extra_desa:
        add_desa("19.01", extra_desa)


@pytest.mark.parametrize("url", list(QUERIES))
@pytest.mark.parametrize("count", [1, 3])
def test_pages_read_with_the_same_queries_for_one_and_three_regions(
    client, admin_user, django_assert_num_queries, url, count
):
    make_regions(count)
    client.force_login(admin_user)

    assert counts(client, url) == expected_counts(url)


@pytest.mark.parametrize("url", ["/?tahun=2025", "/wilayah/19.01/?tahun=2025", "/kla/?tahun=2025"])
@pytest.mark.parametrize("years", [(2025,), (2021, 2022, 2023, 2024, 2025)])
def test_pages_read_with_the_same_queries_for_one_and_five_years(
    client, admin_user, django_assert_num_queries, url, years
):
    make_regions(2, years)
    client.force_login(admin_user)

    assert counts(client, url) == expected_counts(url)


@pytest.mark.parametrize(
    "url", ["/?tahun=2025", "/kampung-kb/?tahun=2025&wilayah=19.01", "/wilayah/19.01/?tahun=2025"]
)
@pytest.mark.parametrize("extra_desa", [0, 300])
def test_pages_read_with_the_same_queries_for_few_and_many_villages(
    client, admin_user, django_assert_num_queries, url, extra_desa
):
    make_regions(1, extra_desa=extra_desa)
    client.force_login(admin_user)

    assert counts(client, url) == expected_counts(url)


@pytest.mark.parametrize("user", ["koordinator_belitung", "verifikator"])
def test_the_dashboard_reads_with_the_same_queries_for_one_and_seven_regions_in_scope(
    client, django_assert_num_queries, request, user
):
    make_regions(3)
    client.force_login(request.getfixturevalue(user))

    # + the user's assignment (scope) compared with the superuser admin
    url = "/?tahun=2025"
    first, second = counts(client, url)
    # + the user's assignment (scope) compared with the superuser admin
    assert (first, second) == (expected_counts(url)[0] + 1, expected_counts(url)[1] + 1)
    response = client.get(url)

    assert len(response.context["rows"]) == (1 if user == "koordinator_belitung" else 7)


# --- stored readiness -------------------------------------------------------------------------


def test_a_repeated_request_reads_the_stored_numbers(client, admin_user):
    make_regions(3)
    client.force_login(admin_user)
    first = html_of(client, "/?tahun=2025")

    with CaptureQueriesContext(connection) as queries:
        second = html_of(client, "/?tahun=2025")

    assert len(queries) == QUERIES["/?tahun=2025"]
    assert second.split('id="recap-h"')[1] == first.split('id="recap-h"')[1]


def test_a_save_shows_on_the_next_request(client, koordinator_bangka):
    assessment = fill("19.01", Program.KLA, 2025, 0.3)
    client.force_login(koordinator_bangka)
    before = expected("19.01", Program.KLA, 2025)
    assert f'kla-score">{shown(before.score)}<' in html_of(client, "/?tahun=2025")
    item = before.gap.items[0]

    save_values(
        assessment,
        {item.code: str(item.target_value)},
        user=koordinator_bangka,
        scope=scope_for(koordinator_bangka),
    )

    after = expected("19.01", Program.KLA, 2025)
    assert after.score == before.score + item.gain
    html = html_of(client, "/?tahun=2025")
    assert f'kla-score">{shown(after.score)}<' in html
    region_html = html_of(client, "/wilayah/19.01/?tahun=2025")
    assert f'kla-score">{shown(after.score)}<' in region_html


def test_a_workflow_step_shows_on_the_next_request(client, admin_user, koordinator_bangka):
    assessment = fill("19.01", Program.APE, 2025, 0.5)
    client.force_login(admin_user)
    assert 'class="status status-draft"' in row_html(html_of(client, "/?tahun=2025"), "19.01")

    submit(assessment, user=koordinator_bangka, confirm_reason="Uji: belum lengkap")

    row = row_html(html_of(client, "/?tahun=2025"), "19.01")
    assert 'class="status status-submitted"' in row


def test_award_sources_become_links_only_for_web_addresses(client, admin_user):
    region = Region.objects.get(code="19.03")
    AwardResult.objects.create(
        region=region,
        program="kla",
        year=2024,
        result="Pratama",
        source_urls=["javascript:alert(1)", "https://example.org/berita"],
    )
    client.force_login(admin_user)

    html = html_of(client, "/wilayah/19.03/")

    assert 'href="https://example.org/berita"' in html
    assert "javascript:alert" not in html


def test_region_page_history_names_the_programme_and_dates_read_in_indonesian(
    client, admin_user, data_2025
):
    """Issue #15: "Kampung KB 2025", never "KAMPUNG_KB 2025"; dates like "1 Mar 2025"."""
    assessment, _ = Assessment.objects.get_or_create(
        region=Region.objects.get(code="19.01"),
        edition=Edition.objects.get(program="kampung_kb", year=2025),
    )
    WorkflowEvent.objects.create(
        assessment=assessment,
        action=WorkflowEvent.Action.RETURN,
        from_status="submitted",
        to_status="returned",
        reason="Data desa belum lengkap",
        user=admin_user,
    )
    meeting = Meeting.objects.create(
        title="Rapat KB", date="2025-03-01", venue="Sungailiat", organiser="DP3A"
    )
    meeting.regions.add(assessment.region)
    client.force_login(admin_user)

    html = html_of(client, "/wilayah/19.01/?tahun=2025")

    section = html.split('id="wf-h"')[1].split("</section>")[0]
    assert "Kampung KB 2025</a>" in section
    assert "KAMPUNG_KB" not in html
    assert "WIB" in section
    assert "1 Mar 2025" in html
