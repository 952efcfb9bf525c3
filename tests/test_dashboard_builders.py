"""Builders for the dashboard tests (assessments, answers, desa rows, expected numbers), and the
tests that they build what they claim."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.utils import translation

from dashboard.templatetags.dashboard_tags import shown_number
from kampung_kb.models import DesaRecord
from kampung_kb.readiness import thresholds_for
from kampung_kb.scoring import DesaRow, RegionSummary, summarize
from kla.scoring import KlaResult, score_kla
from penilaian import scoring
from penilaian.models import Answer, Assessment, Edition, Indicator, Level, Program
from prasyarat.scoring import ApeResult, score_ape
from regions.models import Desa, Kecamatan, Region

Status = Assessment.Status


def value_for(indicator: Indicator, fraction: float) -> Decimal:
    """A valid stored value of ``indicator`` worth about ``fraction`` of its points."""
    if indicator.kind == Indicator.Kind.LADDER:
        points = sorted(Decimal(str(option["points"])) for option in indicator.options)
        return points[round(fraction * (len(points) - 1))]
    if indicator.kind == Indicator.Kind.PERCENT:
        return (Decimal(fraction) * 100).quantize(Decimal("0.01"))
    if indicator.kind == Indicator.Kind.SCORE:
        return (indicator.max_score * Decimal(fraction)).quantize(Decimal("0.01"))
    return Decimal(1) if fraction >= 0.5 else Decimal(0)


def fill(
    region_code: str,
    program: str,
    year: int,
    fraction: float,
    status: str = Status.DRAFT,
    note: str = "",
) -> Assessment:
    """An assessment with every indicator answered at about ``fraction`` of its points."""
    edition = Edition.objects.get(program=program, year=year)
    assessment = Assessment.objects.create(
        edition=edition, region=Region.objects.get(code=region_code), status=status, note=note
    )
    Answer.objects.bulk_create(
        Answer(assessment=assessment, indicator=indicator, value=value_for(indicator, fraction))
        for indicator in Indicator.objects.filter(edition=edition)
    )
    return assessment


def fill_desa(region_code: str, year: int, status: str = Status.DRAFT) -> Assessment:
    """A Kampung KB assessment with a varied row for every desa of the region."""
    edition = Edition.objects.get(program=Program.KAMPUNG_KB, year=year)
    assessment = Assessment.objects.create(
        edition=edition, region=Region.objects.get(code=region_code), status=status
    )
    desa = Desa.objects.filter(region=assessment.region).order_by("code")
    DesaRecord.objects.bulk_create(
        DesaRecord(
            assessment=assessment,
            desa=d,
            kampung_kb=n % 3 != 0,
            capaian_kkbpk=n % 2 == 0,
            kinerja_patbm=n % 5 != 0,
            industri_rumahan=("tidak_ada", "pemula", "berkembang", "maju")[n % 4],
            akta_kelahiran_persen=Decimal(80 + n % 15),
            program_lintas_sektor=int(n % 7 > 3),
        )
        for n, d in enumerate(desa)
    )
    return assessment


def add_desa(region_code: str, count: int) -> None:
    """``count`` extra desa in a new kecamatan of the region (for "many villages" cases)."""
    region = Region.objects.get(code=region_code)
    kecamatan = Kecamatan.objects.create(
        code=f"{region_code}.99", name="Kecamatan Uji", region=region
    )
    Desa.objects.bulk_create(
        Desa(
            code=f"{kecamatan.code}.{2001 + n:04d}",
            name=f"Desa Uji {n}",
            kecamatan=kecamatan,
            region=region,
            jenis="desa",
        )
        for n in range(count)
    )


def expected(region_code: str, program: str, year: int) -> ApeResult | KlaResult:
    """The programme result computed directly from the stored answers with the scoring rules."""
    edition = Edition.objects.get(program=program, year=year)
    indicators = Indicator.objects.filter(edition=edition).select_related("group", "owner_kind")
    specs = [
        indicator.to_spec(indicator.group.code, indicator.owner_kind.code)
        for indicator in indicators
    ]
    values = dict(
        Answer.objects.filter(
            assessment__edition=edition, assessment__region__code=region_code
        ).values_list("indicator__code", "value")
    )
    levels = [level.to_spec() for level in Level.objects.filter(edition=edition)]
    if program == Program.APE:
        return score_ape(specs, values, levels)
    return score_kla(specs, values, levels)


def expected_kampung_kb(region_code: str, year: int) -> RegionSummary:
    """The Kampung KB summary computed directly from the stored desa rows."""
    edition = Edition.objects.get(program=Program.KAMPUNG_KB, year=year)
    records = DesaRecord.objects.filter(
        assessment__edition=edition, assessment__region__code=region_code
    ).select_related("desa")
    rows = [
        DesaRow(
            kode_desa=r.desa.code,
            kampung_kb=r.kampung_kb,
            capaian_kkbpk=r.capaian_kkbpk,
            kinerja_patbm=r.kinerja_patbm,
            industri_rumahan=r.industri_rumahan,
            akta_kelahiran_persen=r.akta_kelahiran_persen,
            program_lintas_sektor=r.program_lintas_sektor,
        )
        for r in records
    ]
    total = Desa.objects.filter(region__code=region_code).count()
    return summarize(total, rows, thresholds_for(edition.params))


def shown(value) -> str:
    """A number as the Indonesian pages show it."""
    with translation.override("id"):
        return shown_number(value)


def row_html(html: str, region_code: str) -> str:
    """The table row of one region (``<tr id="r-19.01">``)."""
    match = re.search(rf'<tr id="r-{re.escape(region_code)}"[^>]*>(.*?)</tr>', html, re.S)
    assert match, f"no row for {region_code}"
    return match.group(1)


pytestmark = pytest.mark.django_db


def test_fill_stores_only_values_the_scoring_accepts():
    assessment = fill("19.01", Program.KLA, 2025, 0.6)

    answers = Answer.objects.filter(assessment=assessment).select_related("indicator__group")

    assert answers.count() == Indicator.objects.filter(edition=assessment.edition).count()
    for answer in answers:
        spec = answer.indicator.to_spec(answer.indicator.group.code)
        assert scoring.validate_value(spec, answer.value) is None, answer.indicator.code


def test_expected_results_rise_with_the_fraction_filled():
    fill("19.01", Program.KLA, 2025, 0.3)
    fill("19.02", Program.KLA, 2025, 0.9)

    low, high = expected("19.01", Program.KLA, 2025), expected("19.02", Program.KLA, 2025)

    assert low.score < high.score
    assert high.predicate is not None


def test_fill_desa_gives_a_mix_of_standar_and_cikar():
    fill_desa("19.02", 2025)

    summary = expected_kampung_kb("19.02", 2025)

    assert summary.desa_total == Desa.objects.filter(region__code="19.02").count()
    assert 0 < summary.cikar < summary.standar < summary.kampung_kb < summary.desa_total


def test_trend_states_read_each_years_state_and_count_only_a_drafts_answers(
    django_assert_num_queries,
):
    from dashboard.queries import trend_states

    carried = fill("19.01", Program.KLA, 2025, 0.5)
    carried.answers.update(carried_over=True)  # a draft still holding only last year's values
    own = fill("19.01", Program.KLA, 2024, 0.5)
    own.answers.filter(pk=own.answers.order_by("pk").first().pk).update(carried_over=False)
    own.answers.exclude(pk=own.answers.order_by("pk").first().pk).update(carried_over=True)
    verified = fill("19.01", Program.APE, 2025, 0.5, status=Status.VERIFIED)
    verified.answers.update(carried_over=True)  # verified stays verified, whatever it holds
    fill("19.02", Program.APE, 2024, 0.5, status=Status.SUBMITTED)
    empty = fill("19.02", Program.KLA, 2025, 0.5)
    empty.answers.update(value=None)  # a draft with nothing answered is a draft

    ids = [Region.objects.get(code=code).pk for code in ("19.01", "19.02")]
    with django_assert_num_queries(1):
        states = trend_states(ids)

    bangka, belitung = ids
    assert states == {
        ("kla", bangka, 2025): "carried",
        ("kla", bangka, 2024): "draft",
        ("ape", bangka, 2025): "verified",
        ("ape", belitung, 2024): "submitted",
        ("kla", belitung, 2025): "draft",
    }
