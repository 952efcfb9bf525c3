"""The stored readiness (dashboard.store): rows fresh exactly when their versions match, every
kind of change reaches the next request of every reader, imports and saves refresh their rows,
the commands rebuild and check them."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from io import BytesIO
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from dashboard import store, tasks
from dashboard.models import StoredReadiness
from dashboard.readiness import compute, readiness_for_region, readiness_for_year
from kampung_kb.models import DesaRecord
from penilaian.models import (
    Assessment,
    Document,
    Edition,
    EvidenceLink,
    Indicator,
    IndicatorOwner,
    Level,
    Program,
)
from penilaian.services import save_values
from penilaian.versions import bump_catalog_version
from penilaian.workflow import submit, verify
from regions.models import Desa, Kecamatan, OpdKind, Region
from regions.scoping import scope_for
from tests import impor_files
from tests.test_dashboard_builders import expected, fill, fill_desa, row_html, shown

pytestmark = pytest.mark.django_db
Status = Assessment.Status


def regions():
    return Region.objects.exclude(kind=Region.Kind.PROVINSI)


def stored(assessment: Assessment) -> StoredReadiness | None:
    return StoredReadiness.objects.filter(assessment=assessment).first()


def is_fresh(assessment: Assessment) -> bool:
    row = stored(assessment)
    assessment.refresh_from_db()
    return (
        row is not None
        and row.assessment_version == assessment.version
        and row.catalog_version == assessment.edition.catalog_version
        and row.format == store.FORMAT
    )


def raise_one(assessment: Assessment, user) -> Decimal:
    """Raise one KLA indicator to its target through the real save path; the new score."""
    code = assessment.region.code
    item = expected(code, Program.KLA, assessment.edition.year).gap.items[0]
    save_values(assessment, {item.code: str(item.target_value)}, user=user, scope=scope_for(user))
    return expected(code, Program.KLA, assessment.edition.year).score


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


# --- the codec ----------------------------------------------------------------------------------


def test_every_computed_part_comes_back_from_its_json_unchanged(verifikator, koordinator_bangka):
    ape = fill("19.01", Program.APE, 2025, 0.6)
    kla = fill("19.01", Program.KLA, 2025, 0.4, Status.SUBMITTED)
    kkb = fill_desa("19.01", 2025)
    verify(
        kla, user=verifikator, confirm_reason="Uji"
    )  # a snapshot (a datetime) and a verified status
    region = Region.objects.get(code="19.01")
    EvidenceLink.objects.create(
        document=document_for(region), assessment=ape, indicator=ape.edition.indicators.first()
    )

    parts = compute([region.pk], [2025])

    assert set(parts) == {ape.pk, kla.pk, kkb.pk}
    for part in parts.values():
        data = store._normal(store.encode(part))
        program = "kampung_kb" if part is parts[kkb.pk] else getattr(part, "program", "")
        back = store.decode(program, data, status=part.status, updated_at=part.updated_at)
        assert back == part
    assert parts[kla.pk].snapshot is not None
    assert parts[ape.pk].result.gap.items  # a gap list made the round trip
    assert parts[ape.pk].missing_evidence or parts[ape.pk].completeness.with_evidence


@dataclasses.dataclass(frozen=True)
class Result:
    score: Decimal


@dataclasses.dataclass(frozen=True)
class GrownResult:
    score: Decimal
    provisional: bool = False


def test_the_result_format_follows_the_shape_of_the_stored_dataclasses():
    # a new field changes the shape, hence FORMAT: rows of the old shape are then recomputed
    assert store._shape(Result).replace("Result", "") != store._shape(GrownResult).replace(
        "GrownResult", ""
    )
    assert len(store.FORMAT) == 16


# --- reading ------------------------------------------------------------------------------------


def test_a_read_stores_its_rows_and_the_next_read_computes_nothing():
    fill("19.01", Program.APE, 2025, 0.6)
    fill("19.02", Program.KLA, 2025, 0.4)
    fill_desa("19.03", 2025)

    first = readiness_for_year(2025, regions())
    assert StoredReadiness.objects.count() == 3

    with mock.patch.object(store, "compute", side_effect=AssertionError("computed again")):
        second = readiness_for_year(2025, regions())

    assert second == first


def test_a_summary_read_leaves_the_details_unread_and_a_detail_use_fails_loudly():
    ape = fill("19.01", Program.APE, 2025, 0.6)
    fill("19.01", Program.KLA, 2025, 0.4)
    fill_desa("19.01", 2025)
    full = readiness_for_year(2025, regions())  # stores the rows
    row = StoredReadiness.objects.get(assessment=ape)
    assert row.details["result.gap.items"]  # the gap list is in its own column
    assert "items" not in row.data["result"]["gap"]

    summary = readiness_for_year(2025, regions(), details=False)
    again = readiness_for_year(2025, regions())

    assert again == full
    assert [r.region_code for r in summary] == [r.region_code for r in full]
    for short, whole in zip(summary, full, strict=True):
        for name in ("ape", "kla"):
            a, b = getattr(short, name), getattr(whole, name)
            assert (a.status, a.completeness, a.invalid_codes) == (
                b.status,
                b.completeness,
                b.invalid_codes,
            )
            if b.result is not None:
                assert a.result.score == b.result.score and a.level == b.level
                assert a.result.gap.needed == b.result.gap.needed
                with pytest.raises(store.DetailsNotLoaded):
                    list(a.result.gap.items)
                with pytest.raises(store.DetailsNotLoaded):
                    len(a.missing_evidence)
        assert short.kampung_kb == whole.kampung_kb


def test_the_api_list_formats_the_stored_summary_as_the_full_readiness_would(
    client, admin_user, verifikator
):
    import json

    from rest_framework.renderers import JSONRenderer

    from api.views import readiness_data

    fill("19.01", Program.APE, 2025, 0.6)
    kla = fill("19.01", Program.KLA, 2025, 0.4, Status.SUBMITTED)
    verify(kla, user=verifikator, confirm_reason="Bukti menyusul")  # verified incomplete
    fill("19.02", Program.KLA, 2025, 0.9)
    fill("19.03", Program.APE, 2025, 0.1)
    fill_desa("19.01", 2025)
    fill_desa("19.04", 2025)
    client.force_login(admin_user)
    url = "/api/v1/readiness/?year=2025&page_size=500"

    def full():
        rows = [readiness_data(row) for row in readiness_for_year(2025, regions())]
        return json.loads(JSONRenderer().render(rows))

    computed = client.get(url).json()["results"]  # nothing stored: computed in the request
    stored_rows = client.get(url).json()["results"]  # read from the stored summaries

    assert computed == stored_rows == full()
    assert any(row["kla"]["provisional_rules"] for row in stored_rows)
    assert {row["ape"]["category"] for row in stored_rows} != {None}
    assert any(row["kampung_kb"]["desa_total"] for row in stored_rows)
    bangka = next(row for row in stored_rows if row["region"] == "19.01")
    assert bangka["kla"]["state"] == "verified" and bangka["kla"]["incomplete"] is True
    assert bangka["kla"]["verified_at"] is not None
    assert bangka["ape"]["state"] == "draft" and bangka["ape"]["verified_at"] is None


def test_a_row_is_stale_when_either_version_moves(admin_user):
    assessment = fill("19.01", Program.KLA, 2025, 0.4)
    readiness_for_year(2025, regions())
    assert is_fresh(assessment)

    raise_one(assessment, admin_user)  # the save path: the assessment version
    assert not is_fresh(assessment)
    readiness_for_year(2025, regions())
    assert is_fresh(assessment)

    bump_catalog_version([assessment.edition_id])  # the catalog version
    assert not is_fresh(assessment)


def test_a_row_of_another_result_format_is_recomputed():
    assessment = fill("19.01", Program.APE, 2025, 0.5)
    readiness_for_year(2025, regions())
    StoredReadiness.objects.update(format="older", data={"broken": True})

    (row,) = [r for r in readiness_for_year(2025, regions()) if r.region_code == "19.01"]

    assert row.ape.result.score == expected("19.01", Program.APE, 2025).score
    assert is_fresh(assessment)


# --- every change reaches the next request of every reader -----------------------------------

READERS = {  # page → how it shows Bangka's KLA total
    "/?tahun=2025": 'kla-score">{}<',
    "/wilayah/19.01/?tahun=2025": 'kla-score">{}<',
    "/kla/?tahun=2025": 'kla-score"><strong>{}<',
}


def api_kla_score(client, region_code: str = "19.01") -> Decimal | None:
    rows = client.get("/api/v1/readiness/?year=2025").json()["results"]
    score = next(row for row in rows if row["region"] == region_code)["kla"]["score"]
    return None if score is None else Decimal(str(score))


def export_kla_scores(client) -> set[str]:
    book = load_workbook(BytesIO(client.get("/ekspor/rekap.xlsx?tahun=2025").content))
    return {str(cell) for row in book.active.iter_rows(values_only=True) for cell in row}


def test_a_save_shows_on_the_next_request_of_every_page_api_and_export(
    client, admin_user, django_capture_on_commit_callbacks
):
    assessment = fill("19.01", Program.KLA, 2025, 0.3)
    client.force_login(admin_user)
    before = expected("19.01", Program.KLA, 2025).score
    for url, shows in READERS.items():
        assert shows.format(shown(before)) in client.get(url).content.decode(), url
    assert api_kla_score(client) == before

    # a save commits, then recomputes its own row: every reader (in any process) finds it
    with django_capture_on_commit_callbacks(execute=True):
        after = raise_one(assessment, admin_user)
    assert after > before
    assert is_fresh(assessment)
    assert stored(assessment).score == after

    for url, shows in READERS.items():
        assert shows.format(shown(after)) in client.get(url).content.decode(), url
    assert api_kla_score(client) == after
    cells = export_kla_scores(client)
    assert any(cell in cells for cell in (str(after), shown(after), f"{after:.2f}"))


def test_a_save_whose_refresh_did_not_run_still_shows_on_the_next_request(client, admin_user):
    # the refresh runs after the commit; here (inside the test's transaction) it never does:
    # the reader finds the row stale and recomputes it itself
    assessment = fill("19.01", Program.KLA, 2025, 0.3)
    client.force_login(admin_user)
    client.get("/?tahun=2025")

    after = raise_one(assessment, admin_user)

    assert not is_fresh(assessment)
    assert f'kla-score">{shown(after)}<' in row_html(
        client.get("/?tahun=2025").content.decode(), "19.01"
    )
    assert is_fresh(assessment)


def test_a_workflow_step_shows_on_the_next_request(client, admin_user, koordinator_bangka):
    assessment = fill("19.01", Program.APE, 2025, 0.5)
    client.force_login(admin_user)
    assert 'class="status status-draft"' in row_html(
        client.get("/?tahun=2025").content.decode(), "19.01"
    )

    submit(assessment, user=koordinator_bangka, confirm_reason="Uji: belum lengkap")

    html = client.get("/?tahun=2025").content.decode()
    assert 'class="status status-submitted"' in row_html(html, "19.01")


@pytest.mark.parametrize("how", ["level", "indicator", "bulk"])
def test_a_catalog_edit_through_the_orm_shows_on_the_next_request(client, admin_user, how):
    assessment = fill("19.01", Program.KLA, 2025, 0.5)
    client.force_login(admin_user)
    (row,) = readiness_for_year(2025, Region.objects.filter(code="19.01"))
    reached = row.kla.level
    assert reached is not None

    edition = assessment.edition
    if how == "level":  # the reached predicate now starts above the score
        level = Level.objects.get(edition=edition, code=reached.code)
        level.lower_bound = Decimal(999)
        level.save()
    elif how == "indicator":  # a new indicator: one more to complete
        group = edition.groups.first()
        Indicator.objects.create(
            edition=edition,
            group=group,
            code="KLA-X-01",
            text="Uji",
            order=99,
            kind="yesno",
            max_score=1,
        )
    else:  # a bulk edit, which sends no signal, calls the helper
        Level.objects.filter(edition=edition, code=reached.code).update(lower_bound=999)
        bump_catalog_version(Edition.objects.filter(pk=edition.pk))

    (row,) = readiness_for_year(2025, Region.objects.filter(code="19.01"))
    if how == "indicator":
        assert row.kla.completeness.total == edition.indicators.count()
    else:
        assert row.kla.level is None or row.kla.level.code != reached.code
    html = client.get("/wilayah/19.01/?tahun=2025").content.decode()
    assert reached.name not in html.split('id="kla"')[-1][:400] or how == "indicator"


@pytest.mark.parametrize("how", ["level", "two levels", "bulk", "edition"])
def test_a_catalog_edit_queues_the_refresh_of_its_editions_rows_after_the_commit(
    django_capture_on_commit_callbacks, how
):
    kla = fill("19.01", Program.KLA, 2025, 0.5)
    kla_other = fill("19.02", Program.KLA, 2025, 0.5)
    ape = fill("19.01", Program.APE, 2025, 0.5)
    readiness_for_year(2025, regions())
    edition = kla.edition

    with (
        mock.patch.object(tasks.refresh_readiness, "delay") as queued,
        django_capture_on_commit_callbacks(execute=True),
    ):
        level = edition.levels.order_by("lower_bound").last()
        if how == "level":
            level.lower_bound = Decimal(999)
            level.save()
        elif how == "two levels":  # an admin form saving two rows: one job, not two
            for other_level in edition.levels.order_by("lower_bound")[:2]:
                other_level.name += " (uji)"
                other_level.save()
        elif how == "bulk":
            Level.objects.filter(pk=level.pk).update(lower_bound=999)
            bump_catalog_version([edition.pk])
        else:  # the edition itself (Edition.save raises its catalog version)
            edition.save()
        assert not queued.called  # only once the edit has committed

    # one job (not the request that saved the catalog) for every assessment of that edition
    queued.assert_called_once_with(sorted([kla.pk, kla_other.pk]))
    assert not is_fresh(kla) and not is_fresh(kla_other) and is_fresh(ape)
    tasks.refresh_readiness(*queued.call_args.args)  # what the worker then does
    assert is_fresh(kla) and is_fresh(kla_other)


def test_a_data_migration_queues_nothing_and_recompute_stale_rebuilds_only_the_stale_rows(
    django_capture_on_commit_callbacks,
):
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    kla = fill("19.01", Program.KLA, 2025, 0.5)
    ape = fill("19.01", Program.APE, 2025, 0.5)
    readiness_for_year(2025, regions())
    # the model a data migration gets from ``apps.get_model`` (the migrations' state)
    historical = MigrationLoader(connection).project_state().apps.get_model("penilaian", "Edition")

    with (
        mock.patch.object(tasks.refresh_readiness, "delay") as queued,
        django_capture_on_commit_callbacks(execute=True),
    ):
        bump_catalog_version(historical.objects.filter(pk=kla.edition_id))
    assert not queued.called
    assert not is_fresh(kla)
    computed_at = stored(ape).computed_at

    call_command("recompute_readiness", "--stale")

    assert is_fresh(kla)
    assert stored(ape).computed_at == computed_at  # fresh rows stay as they were


def test_evidence_owner_and_desa_changes_bump_the_assessments_they_affect():
    ape = fill("19.01", Program.APE, 2025, 0.5)
    kla = fill("19.01", Program.KLA, 2024, 0.5)
    kkb = fill_desa("19.01", 2025)
    other = fill("19.02", Program.APE, 2025, 0.5)
    readiness_for_year(2025, regions())
    readiness_for_region(Region.objects.get(code="19.01"))
    assert all(is_fresh(a) for a in (ape, kla, kkb, other))

    link = EvidenceLink.objects.create(
        document=document_for(ape.region), assessment=ape, indicator=ape.edition.indicators.first()
    )
    assert not is_fresh(ape) and is_fresh(kla) and is_fresh(kkb)
    readiness_for_year(2025, regions())
    link.delete()
    assert not is_fresh(ape)

    readiness_for_region(ape.region)
    IndicatorOwner.objects.create(
        region=ape.region,
        indicator_code=ape.edition.indicators.first().code,
        owner_kind=OpdKind.objects.first(),
    )
    # an owner holds for every year of the region: every APE and KLA assessment, not Kampung KB
    assert not is_fresh(ape) and not is_fresh(kla) and is_fresh(kkb) and is_fresh(other)

    readiness_for_region(ape.region)
    kecamatan = Kecamatan.objects.filter(region=ape.region).first()
    Desa.objects.create(
        code=f"{kecamatan.code}.2999",
        name="Desa Baru",
        kecamatan=kecamatan,
        region=ape.region,
        jenis="desa",
    )
    assert not is_fresh(kkb) and is_fresh(ape) and is_fresh(other)


def test_a_desa_row_saved_outside_the_services_bumps_its_assessment():
    kkb = fill_desa("19.01", 2025)
    readiness_for_year(2025, regions())

    record = DesaRecord.objects.filter(assessment=kkb).first()
    record.kampung_kb = not record.kampung_kb
    record.save()

    assert not is_fresh(kkb)


def test_desa_added_and_changed_by_an_import_show_on_the_next_request(
    client, admin_user, django_capture_on_commit_callbacks
):
    kkb = fill_desa("19.01", 2025)
    client.force_login(admin_user)
    (row,) = readiness_for_year(2025, Region.objects.filter(code="19.01"))
    total = row.kampung_kb.summary.desa_total
    desa = Desa.objects.filter(region__code="19.01", jenis="desa").order_by("code").first()
    kecamatan = desa.kecamatan
    new_code = f"{kecamatan.code}.2998"
    data = impor_files.xlsx(
        [
            impor_files.DESA,
            [desa.code, "Nama Baru", kecamatan.code, desa.jenis],  # renamed
            [new_code, "Desa Impor", kecamatan.code, "desa"],  # a new desa
        ],
        sheet="desa",
    )

    with django_capture_on_commit_callbacks(execute=True):
        outcome = impor_files.apply(admin_user, data, "desa")
    assert outcome.record is not None, impor_files.messages_of(outcome)

    assert is_fresh(kkb)  # bumped by the import, recomputed right after it committed
    (row,) = readiness_for_year(2025, Region.objects.filter(code="19.01"))
    assert row.kampung_kb.summary.desa_total == total + 1
    page = client.get(f"/kampung-kb/?tahun=2025&wilayah=19.01&kecamatan={kecamatan.code}")
    names = {status.code: status.name for status in page.context["table"].desa}
    assert names[desa.code] == "Nama Baru"
    assert names[new_code] == "Desa Impor"
    html = client.get("/kampung-kb/?tahun=2025").content.decode()
    assert f">{total + 1}<" in row_html(html, "19.01")


def test_an_import_recomputes_the_assessments_it_touched_after_its_commit(
    admin_user, django_capture_on_commit_callbacks
):
    assessment = fill("19.01", Program.KLA, 2025, 0.3)
    readiness_for_year(2025, regions())
    indicator = assessment.edition.indicators.filter(kind="ladder").first()
    top = max(Decimal(str(o["points"])) for o in indicator.options)
    data = impor_files.xlsx([impor_files.NILAI, ["19.01", 2025, indicator.code, str(top), ""]])

    with django_capture_on_commit_callbacks(execute=True):
        outcome = impor_files.apply(admin_user, data)
    assert outcome.record is not None, impor_files.messages_of(outcome)

    assert is_fresh(assessment)
    assert stored(assessment).score == expected("19.01", Program.KLA, 2025).score


def test_an_import_queues_its_refresh_and_the_next_reads_are_right_without_it(
    client, admin_user, django_capture_on_commit_callbacks
):
    assessment = fill("19.01", Program.KLA, 2025, 0.3)
    client.force_login(admin_user)
    before = expected("19.01", Program.KLA, 2025).score
    readiness_for_year(2025, regions())
    indicator = assessment.edition.indicators.filter(kind="ladder").first()
    top = max(Decimal(str(o["points"])) for o in indicator.options)
    data = impor_files.xlsx([impor_files.NILAI, ["19.01", 2025, indicator.code, str(top), ""]])

    with (
        mock.patch.object(tasks.refresh_readiness, "delay") as queued,
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        outcome = impor_files.apply(admin_user, data)
        assert not queued.called  # only once the import has committed
    assert outcome.record is not None, impor_files.messages_of(outcome)
    assert callbacks
    queued.assert_called_once_with([assessment.pk])

    # the job has not run (no worker yet): the row is stale, and every reader is right anyway
    assert not is_fresh(assessment)
    after = expected("19.01", Program.KLA, 2025).score
    assert after > before
    for url, shows in READERS.items():
        assert shows.format(shown(after)) in client.get(url).content.decode(), url
    assert api_kla_score(client) == after
    assert is_fresh(assessment)  # the first reader stored it

    assert tasks.refresh_readiness([assessment.pk]) == 0  # the late job finds nothing stale
    assert stored(assessment).score == after


def test_a_refresh_job_that_cannot_be_queued_is_logged_and_the_import_stands(
    admin_user, django_capture_on_commit_callbacks, caplog
):
    assessment = fill("19.01", Program.KLA, 2025, 0.3)
    indicator = assessment.edition.indicators.filter(kind="ladder").first()
    top = max(Decimal(str(o["points"])) for o in indicator.options)
    data = impor_files.xlsx([impor_files.NILAI, ["19.01", 2025, indicator.code, str(top), ""]])

    with (
        mock.patch.object(tasks.refresh_readiness, "delay", side_effect=OSError("no broker")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        outcome = impor_files.apply(admin_user, data)

    assert outcome.record is not None, impor_files.messages_of(outcome)
    assert "readiness refresh not queued" in caplog.text
    (row,) = [r for r in readiness_for_year(2025, regions()) if r.region_code == "19.01"]
    assert row.kla.result.score == expected("19.01", Program.KLA, 2025).score


def test_the_refresh_job_recomputes_what_is_stale(admin_user):
    assessment = fill("19.01", Program.KLA, 2025, 0.3)
    other = fill("19.02", Program.KLA, 2025, 0.3)
    readiness_for_year(2025, regions())
    Assessment.objects.filter(pk__in=[assessment.pk, other.pk]).update(version=99)

    assert tasks.refresh_readiness.delay([assessment.pk]) is not None  # inline without a broker

    assert is_fresh(assessment) and not is_fresh(other)


# --- commands -----------------------------------------------------------------------------------


def test_recompute_readiness_rebuilds_the_rows_of_a_year_and_programme():
    fill("19.01", Program.APE, 2025, 0.5)
    fill("19.01", Program.KLA, 2025, 0.5)
    fill("19.01", Program.KLA, 2024, 0.5)

    call_command("recompute_readiness", "--year", "2025", "--program", "kla")

    assert list(StoredReadiness.objects.values_list("program", "year")) == [("kla", 2025)]
    call_command("recompute_readiness")
    assert StoredReadiness.objects.count() == 3
    with pytest.raises(CommandError):
        call_command("recompute_readiness", "--program", "apa")


def test_check_readiness_fails_on_any_difference_and_passes_when_all_match():
    fill("19.01", Program.APE, 2025, 0.5)
    kla = fill("19.01", Program.KLA, 2025, 0.5)
    with pytest.raises(CommandError, match="2 missing"):
        call_command("check_readiness")
    call_command("check_readiness", "--fresh-only")  # nothing claims to be fresh

    call_command("recompute_readiness")
    call_command("check_readiness")

    # a row that claims to be fresh but holds other numbers: a write path that forgot a bump
    row = stored(kla)
    row.data = {**row.data, "invalid_codes": ["KLA-1-01"]}
    row.save()
    with pytest.raises(CommandError, match="1 wrong"):
        call_command("check_readiness", "--fresh-only")
    row.delete()  # leave nothing wrong behind for the invariant


# --- scope --------------------------------------------------------------------------------------


def test_rows_stored_for_everyone_still_reach_an_officer_only_through_the_scope(
    client, admin_user, koordinator_belitung
):
    for code in ("19.01", "19.02", "19.03"):
        fill(code, Program.KLA, 2025, 0.4)
    client.force_login(admin_user)
    client.get("/?tahun=2025")
    client.get("/wilayah/19.01/?tahun=2025")
    assert StoredReadiness.objects.count() == 3
    client.force_login(koordinator_belitung)  # 19.02

    dashboard_html = client.get("/?tahun=2025").content.decode()
    region = client.get("/wilayah/19.01/?tahun=2025")
    api = client.get("/api/v1/readiness/?year=2025").json()["results"]
    recap = client.get("/ekspor/rekap.xlsx?tahun=2025")

    assert 'id="r-19.02"' in dashboard_html
    assert 'id="r-19.01"' not in dashboard_html and 'id="r-19.03"' not in dashboard_html
    assert region.status_code == 404
    assert [row["region"] for row in api] == ["19.02"]
    book = load_workbook(BytesIO(recap.content), read_only=True)
    cells = {str(cell) for row in book.active.iter_rows(values_only=True) for cell in row}
    assert "19.02" in cells
    assert "19.01" not in cells and "19.03" not in cells
