"""The demo data of ``seed_demo``: idempotent, deterministic, varied enough to show every state."""

from collections import Counter
from decimal import Decimal as D

import pytest

from dashboard.readiness import readiness_for_year
from kampung_kb import demo as kampung_kb_demo
from kampung_kb.models import DesaRecord
from penilaian import demo as penilaian_demo
from penilaian.models import (
    Answer,
    Assessment,
    ReturnReason,
    VerifiedSnapshot,
    WorkflowEvent,
)
from regions.models import Desa, Region

pytestmark = pytest.mark.django_db

MODELS = (Assessment, Answer, DesaRecord, VerifiedSnapshot, WorkflowEvent, ReturnReason)


def seed():
    return penilaian_demo.seed(), kampung_kb_demo.seed()


def counts():
    return {model.__name__: model.objects.count() for model in MODELS}


def all_values():
    answers = Answer.objects.values_list(
        "assessment__edition__program",
        "assessment__region__code",
        "assessment__edition__year",
        "indicator__code",
        "value",
        "carried_over",
    )
    rows = DesaRecord.objects.values_list(
        "assessment__edition__year",
        "desa__code",
        "kampung_kb",
        "capaian_kkbpk",
        "kinerja_patbm",
        "industri_rumahan",
        "akta_kelahiran_persen",
        "program_lintas_sektor",
        "kelas_bkkbn",
        "indeks_input",
        "indeks_proses",
        "indeks_output",
    )
    statuses = Assessment.objects.values_list(
        "edition__program", "region__code", "edition__year", "status"
    )
    return set(answers), set(rows), set(statuses)


def regions():
    return Region.objects.exclude(kind=Region.Kind.PROVINSI)


def test_seeding_twice_changes_nothing():
    seed()
    before, values = counts(), all_values()
    assert before["Assessment"] == 63  # 7 regions × 3 programmes × 3 years
    assert before["DesaRecord"] == 3 * Desa.objects.count()
    messages = seed()
    assert counts() == before and all_values() == values
    assert "0 penilaian baru" in messages[0] and "0 penilaian baru" in messages[1]


def test_seeding_is_deterministic():
    seed()
    first = all_values()
    Assessment.objects.all().delete()
    seed()
    assert all_values() == first


def test_regions_fall_in_different_categories_and_predicates_with_small_and_large_gaps():
    seed()
    rows = readiness_for_year(2025, regions())
    categories = {row.ape.level_name for row in rows}
    predicates = {row.kla.level_name for row in rows}
    assert len(categories - {None}) >= 3
    assert len(predicates - {None}) >= 3
    ape_gaps = [row.ape.result.points_to_next for row in rows if row.ape.result.points_to_next]
    kla_gaps = [row.kla.result.points_to_next for row in rows if row.kla.result.points_to_next]
    assert min(ape_gaps) <= 1 and max(ape_gaps) >= 8
    assert min(kla_gaps) <= 5 and max(kla_gaps) >= 50


def test_scores_mostly_rise_over_the_years():
    seed()
    first = {row.region_code: row for row in readiness_for_year(2023, regions())}
    last = readiness_for_year(2025, regions())
    rising_ape = sum(row.ape.result.score > first[row.region_code].ape.result.score for row in last)
    rising_kla = sum(row.kla.result.score > first[row.region_code].kla.result.score for row in last)
    assert rising_ape >= 6 and rising_kla >= 6


def test_statuses_are_mostly_verified_in_2023_2024_and_mixed_in_2025():
    seed()
    by_year = {
        year: Counter(
            Assessment.objects.filter(edition__year=year).values_list("status", flat=True)
        )
        for year in (2023, 2024, 2025)
    }
    for year in (2023, 2024):
        assert by_year[year]["verified"] / sum(by_year[year].values()) >= 0.8
    assert set(by_year[2025]) == {"draft", "submitted", "returned", "verified"}


def test_every_verified_assessment_has_a_snapshot_matching_its_score():
    seed()
    verified = Assessment.objects.filter(status="verified")
    assert verified.count() == VerifiedSnapshot.objects.values("assessment").distinct().count()
    for year in (2023, 2024, 2025):
        for row in readiness_for_year(year, regions()):
            for part in (row.ape, row.kla):
                if part.status == "verified":
                    assert part.snapshot.score == part.result.score
                    assert part.snapshot.level_name == (part.level_name or "")
                    assert part.snapshot.verified_at.year == year
            if row.kampung_kb.status == "verified":
                assert row.kampung_kb.snapshot.score == row.kampung_kb.summary.persen_kampung_kb


def test_about_half_the_desa_are_kampung_kb_with_a_mix_of_standar_and_cikar():
    seed()
    rows = readiness_for_year(2025, regions())
    total = sum(row.kampung_kb.summary.desa_total for row in rows)
    designated = sum(row.kampung_kb.summary.kampung_kb for row in rows)
    standar = sum(row.kampung_kb.summary.standar for row in rows)
    cikar = sum(row.kampung_kb.summary.cikar for row in rows)
    assert total == Desa.objects.count()
    assert D("0.4") <= D(designated) / total <= D("0.6")
    assert 0 < cikar < standar < designated
    classes = set(DesaRecord.objects.filter(kampung_kb=True).values_list("kelas_bkkbn", flat=True))
    assert {"Dasar", "Berkembang", "Mandiri", "Berkelanjutan"} <= classes
    earlier = sum(row.kampung_kb.summary.kampung_kb for row in readiness_for_year(2023, regions()))
    assert earlier < designated
