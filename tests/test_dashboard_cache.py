"""Readiness and trend cached per region and year: a save recomputes only what it changed, and
every kind of change reaches the next request."""

from __future__ import annotations

import importlib.util
from decimal import Decimal
from io import BytesIO, StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.core.management import call_command
from openpyxl import load_workbook

import dashboard.caching
import dashboard.queries
import dashboard.warmup
from dashboard.caching import data_stamp, unit_stamps
from dashboard.warmup import warm
from kampung_kb.models import DesaRecord
from penilaian.models import (
    Answer,
    Assessment,
    AwardResult,
    Document,
    EvidenceLink,
    IndicatorOwner,
    Level,
    Program,
)
from penilaian.services import save_values
from penilaian.workflow import submit
from regions.models import Opd, OpdKind, Region
from regions.scoping import scope_for
from tests.test_dashboard_builders import expected, fill, fill_desa, row_html, shown

pytestmark = pytest.mark.django_db
Status = Assessment.Status


@pytest.fixture
def computed(monkeypatch):
    """Records which (region code, year) the readiness read and the trend actually compute."""
    calls: dict[str, list[tuple[str, int]]] = {"readiness": [], "trend": []}
    codes = dict(Region.objects.values_list("id", "code"))
    readiness = dashboard.caching.readiness_for_years
    trend = dashboard.queries.score_trend

    def spy_readiness(regions, years, **kwargs):
        result = readiness(regions, years, **kwargs)
        calls["readiness"] += [(item.region_code, item.year) for item in result]
        return result

    def spy_trend(region_ids, years=None, **kwargs):
        calls["trend"] += [(codes[pk], year) for pk in region_ids for year in years or ()]
        return trend(region_ids, years, **kwargs)

    monkeypatch.setattr(dashboard.caching, "readiness_for_years", spy_readiness)
    monkeypatch.setattr(dashboard.queries, "score_trend", spy_trend)
    return calls


def three_regions() -> dict[str, Assessment]:
    made = {}
    for code in ("19.01", "19.02", "19.03"):
        for year in (2024, 2025):
            made[(code, year)] = fill(code, Program.KLA, year, 0.4)
            fill(code, Program.APE, year, 0.5)
        fill_desa(code, 2025)
    return made


def raise_one(assessment: Assessment, user) -> Decimal:
    """Raise one KLA indicator of ``assessment`` to its target through the real save path."""
    code = assessment.region.code
    item = expected(code, Program.KLA, assessment.edition.year).gap.items[0]
    save_values(assessment, {item.code: str(item.target_value)}, user=user, scope=scope_for(user))
    return expected(code, Program.KLA, assessment.edition.year).score


def test_a_save_recomputes_only_the_saved_region_year_on_the_dashboard(
    client, admin_user, computed
):
    made = three_regions()
    client.force_login(admin_user)
    client.get("/?tahun=2025")
    # every kab/kota is on the page (4 of them without data); the trend reads years with data
    assert sorted(computed["readiness"]) == [(f"19.{n:02}", 2025) for n in (1, 2, 3, 4, 5, 6, 71)]
    assert sorted(computed["trend"]) == [
        (code, year) for code in ("19.01", "19.02", "19.03") for year in (2024, 2025)
    ]
    computed["readiness"].clear()
    computed["trend"].clear()

    score = raise_one(made[("19.02", 2025)], admin_user)
    html = client.get("/?tahun=2025").content.decode()

    assert computed["readiness"] == [("19.02", 2025)]
    assert computed["trend"] == [("19.02", 2025)]
    assert f'kla-score">{shown(score)}<' in row_html(html, "19.02")
    # the other rows come from the cache with their (unchanged) numbers
    for code in ("19.01", "19.03"):
        kla = expected(code, Program.KLA, 2025)
        assert f'kla-score">{shown(kla.score)}<' in row_html(html, code)


def test_a_save_in_another_region_leaves_a_region_page_cached(client, admin_user, computed):
    made = three_regions()
    client.force_login(admin_user)
    first = client.get("/wilayah/19.01/?tahun=2025").content.decode()
    assert sorted(computed["readiness"]) == [("19.01", year) for year in range(2021, 2027)]
    computed["readiness"].clear()

    raise_one(made[("19.03", 2025)], admin_user)
    second = client.get("/wilayah/19.01/?tahun=2025").content.decode()

    assert computed["readiness"] == []
    assert second.split('id="main"')[-1] == first.split('id="main"')[-1]

    raise_one(made[("19.01", 2024)], admin_user)
    client.get("/wilayah/19.01/?tahun=2025")
    assert computed["readiness"] == [("19.01", 2024)]


def test_a_workflow_step_recomputes_only_its_region(
    client, admin_user, koordinator_bangka, computed
):
    made = three_regions()
    client.force_login(admin_user)
    client.get("/?tahun=2025")
    computed["readiness"].clear()

    submit(made[("19.01", 2025)], user=koordinator_bangka, confirm_reason="Uji: belum lengkap")
    html = client.get("/?tahun=2025").content.decode()

    assert computed["readiness"] == [("19.01", 2025)]
    assert 'class="status status-submitted"' in row_html(html, "19.01")
    assert 'class="status status-draft"' in row_html(html, "19.02")


def test_the_public_page_caches_verified_readiness_apart(client, admin_user, computed):
    fill("19.01", Program.KLA, 2025, 0.6, Status.VERIFIED)
    fill("19.02", Program.KLA, 2025, 0.6)  # a draft: never public
    client.force_login(admin_user)
    client.get("/?tahun=2025")
    computed["readiness"].clear()

    html = client.get("/publik/?tahun=2025").content.decode()

    # computed again (verified only), not read from the logged-in dashboard's entries
    assert ("19.01", 2025) in computed["readiness"]
    assert 'kla-score">' in row_html(html, "19.01")
    assert 'kla-score">' not in row_html(html, "19.02")


# --- what moves a region-year's fingerprint ---------------------------------------------------


def stamps_of(*codes: str) -> dict:
    ids = {Region.objects.get(code=code).pk: code for code in codes}
    return {(ids[pk], year): stamp for (pk, year), stamp in unit_stamps(list(ids)).items()}


def document_for(region: Region) -> Document:
    return Document.objects.create(
        region=region,
        title="SK",
        file=f"evidence/{region.code}/x.pdf",
        original_name="sk.pdf",
        content_type="application/pdf",
        size=10,
        sha256="0" * 64,
    )


def change_answer(assessment):
    answer = Answer.objects.filter(assessment=assessment).first()
    answer.note = "diubah di admin"
    answer.save()


def add_evidence(assessment):
    EvidenceLink.objects.create(
        document=document_for(assessment.region),
        assessment=assessment,
        indicator=assessment.edition.indicators.first(),
    )


def remove_evidence(assessment):
    add_evidence(assessment)
    EvidenceLink.objects.filter(assessment=assessment).first().delete()


def reassign_owner(assessment):
    IndicatorOwner.objects.create(
        region=assessment.region,
        indicator_code=assessment.edition.indicators.first().code,
        owner_kind=OpdKind.objects.first(),
    )


def change_status(assessment):
    Assessment.objects.filter(pk=assessment.pk).update(status=Status.SUBMITTED)


@pytest.mark.parametrize(
    "change", [change_answer, add_evidence, remove_evidence, reassign_owner, change_status]
)
def test_each_change_of_an_assessment_moves_its_region_year_fingerprint_only(change):
    mine = fill("19.01", Program.KLA, 2025, 0.5)
    fill("19.01", Program.KLA, 2024, 0.5)
    fill("19.02", Program.KLA, 2025, 0.5)
    before = stamps_of("19.01", "19.02")

    change(mine)

    after = stamps_of("19.01", "19.02")
    assert after[("19.01", 2025)] != before[("19.01", 2025)]
    assert after[("19.02", 2025)] == before[("19.02", 2025)]
    if change is not reassign_owner:  # an owner override holds for every year of the region
        assert after[("19.01", 2024)] == before[("19.01", 2024)]


def test_a_desa_row_changed_outside_the_services_moves_the_fingerprint():
    kkb = fill_desa("19.01", 2025)
    before = stamps_of("19.01")

    record = DesaRecord.objects.filter(assessment=kkb).first()
    record.kampung_kb = not record.kampung_kb
    record.save()

    assert stamps_of("19.01")[("19.01", 2025)] != before[("19.01", 2025)]


def test_awards_and_catalog_edits_move_the_shared_fingerprint(admin_user):
    fill("19.01", Program.KLA, 2025, 0.5)
    stamps = [data_stamp().reference]

    AwardResult.objects.create(
        region=Region.objects.get(code="19.01"), program="kla", year=2026, result="KLA"
    )
    stamps.append(data_stamp().reference)
    indicator = Assessment.objects.first().edition.indicators.first()
    LogEntry.objects.log_actions(
        user_id=admin_user.pk, queryset=[indicator], action_flag=CHANGE, change_message="max"
    )
    stamps.append(data_stamp().reference)
    before_save = data_stamp()
    fill("19.02", Program.APE, 2025, 0.5)

    assert len(set(stamps)) == 3
    # a save moves the data fingerprint, not the shared one
    assert data_stamp().reference == before_save.reference
    assert data_stamp().data != before_save.data


def test_an_award_shows_on_the_next_request(client, admin_user):
    fill("19.01", Program.KLA, 2025, 0.9)
    client.force_login(admin_user)
    assert "Utama" not in row_html(client.get("/?tahun=2025").content.decode(), "19.01")

    AwardResult.objects.create(
        region=Region.objects.get(code="19.01"), program="kla", year=2025, result="Utama"
    )

    assert "Utama" in row_html(client.get("/?tahun=2025").content.decode(), "19.01")


# --- warming the cache at start ---------------------------------------------------------------


def test_a_warmed_cache_leaves_nothing_to_compute_for_the_first_visitors(
    client, admin_user, computed
):
    three_regions()
    fill("19.04", Program.KLA, 2025, 0.6, Status.VERIFIED)

    done = warm()

    assert done["regions"] == 7
    assert done["years"] == [(2025, False), (2025, True)]
    computed["readiness"].clear()
    computed["trend"].clear()
    client.force_login(admin_user)
    html = client.get("/?tahun=2025").content.decode()
    client.logout()
    public = client.get("/publik/").content.decode()

    assert computed == {"readiness": [], "trend": []}
    kla = expected("19.02", Program.KLA, 2025)
    assert f'kla-score">{shown(kla.score)}<' in row_html(html, "19.02")
    assert 'kla-score">' in row_html(public, "19.04")
    assert 'kla-score">' not in row_html(public, "19.02")  # drafts stay off the public page


def test_the_warm_cache_command_says_what_it_filled():
    from penilaian.models import ProgramYear

    fill("19.01", Program.KLA, 2024, 0.6)
    ProgramYear.objects.update(year=2024)  # the dashboard opens on the current year
    out = StringIO()

    call_command("warm_cache", stdout=out)

    assert "7" in out.getvalue()
    assert "2024" in out.getvalue()


def gunicorn_settings():
    spec = importlib.util.spec_from_file_location(
        "gunicorn_conf", Path(settings.BASE_DIR) / "babel_pug" / "gunicorn.conf.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_each_gunicorn_worker_warms_its_cache_as_it_starts(monkeypatch, computed):
    fill("19.01", Program.KLA, 2025, 0.6)
    closed = []
    monkeypatch.setattr(dashboard.warmup.connections, "close_all", lambda: closed.append(1))

    gunicorn_settings().post_worker_init(worker=None)

    assert ("19.01", 2025) in computed["readiness"]
    assert closed == [1]


def test_a_worker_starts_even_when_warming_fails(monkeypatch, caplog):
    def broken():
        raise RuntimeError("database not ready")

    monkeypatch.setattr(dashboard.warmup, "warm", broken)
    monkeypatch.setattr(dashboard.warmup.connections, "close_all", lambda: None)

    gunicorn_settings().post_worker_init(worker=None)

    assert "dashboard cache not warmed" in caplog.text


def test_admin_edits_move_only_the_fingerprints_of_what_they_edited(admin_user):
    def log(obj):
        LogEntry.objects.log_actions(
            user_id=admin_user.pk, queryset=[obj], action_flag=CHANGE, change_message="x"
        )

    before = data_stamp()
    log(admin_user)  # a user edit: no readiness number depends on it
    after_user = data_stamp()
    log(Opd.objects.filter(region__code="19.01").first())  # OPD names show on region pages
    after_opd = data_stamp()
    log(Level.objects.first())
    after_level = data_stamp()

    assert after_user.data != before.data  # whole pages are recomputed
    assert after_user.reference == before.reference  # region-years stay cached
    assert after_opd.reference != after_user.reference
    assert after_opd.catalog == after_user.catalog
    assert after_level.catalog != after_opd.catalog


def test_forget_empties_every_process_memo_like_a_restart(client, admin_user):
    fill("19.01", Program.KLA, 2025, 0.5)
    client.force_login(admin_user)
    client.get("/?tahun=2025")
    assert dashboard.caching._CATALOGS
    assert dashboard.queries._TOTALS

    dashboard.caching.forget()

    assert not dashboard.caching._CATALOGS
    assert not dashboard.queries._TOTALS


def test_what_was_cached_for_everyone_still_reaches_an_officer_only_through_the_scope(
    client, admin_user, koordinator_belitung
):
    three_regions()
    warm()
    client.force_login(admin_user)
    client.get("/?tahun=2025")
    client.get("/wilayah/19.01/?tahun=2025")  # Bangka's region page cached by the admin
    client.force_login(koordinator_belitung)  # 19.02

    dashboard_html = client.get("/?tahun=2025").content.decode()
    region = client.get("/wilayah/19.01/?tahun=2025")
    recap = client.get("/ekspor/rekap.xlsx?tahun=2025")

    assert 'id="r-19.02"' in dashboard_html
    assert 'id="r-19.01"' not in dashboard_html and 'id="r-19.03"' not in dashboard_html
    assert region.status_code == 404
    book = load_workbook(BytesIO(recap.content), read_only=True)
    cells = {str(cell) for row in book.active.iter_rows(values_only=True) for cell in row}
    assert "19.02" in cells
    assert "19.01" not in cells and "19.03" not in cells
