"""THE readiness read equals an independent hand computation from the stored values."""

from collections import defaultdict
from decimal import Decimal as D

import pytest

from dashboard.readiness import NoEdition, readiness_for_region, readiness_for_year
from kampung_kb import demo as kampung_kb_demo
from kampung_kb.models import DesaRecord
from penilaian import demo as penilaian_demo
from penilaian.models import Answer, Assessment, Edition, Indicator, Level
from penilaian.services import get_or_create_assessment, save_values
from regions.models import Desa, Region
from regions.scoping import scope_for

pytestmark = pytest.mark.django_db

YEARS = (2023, 2024, 2025)


@pytest.fixture
def demo():
    penilaian_demo.seed()
    kampung_kb_demo.seed()


def regions():
    return Region.objects.exclude(kind=Region.Kind.PROVINSI)


def hand_points(kind, max_score, options, value):
    """Points of one stored value, computed here without the scoring module."""
    if value is None:
        return D(0)
    if kind in ("ladder", "score"):
        return value
    if kind == "yesno":
        return max_score if value == 1 else D(0)
    for option in options:  # percent: the band containing the value
        if D(str(option["min"])) <= value <= D(str(option["max"])):
            return D(str(option["points"]))
    raise AssertionError(f"no band for {value}")


def hand_groups(program, region_code, year):
    """Points and maximum per group code from the Answer and Indicator rows."""
    edition = Edition.objects.get(program=program, year=year)
    maxima = defaultdict(D)
    for group, max_score in Indicator.objects.filter(edition=edition).values_list(
        "group__code", "max_score"
    ):
        maxima[group] += max_score
    scores = {group: D(0) for group in maxima}
    answers = Answer.objects.filter(
        assessment__edition=edition, assessment__region__code=region_code
    ).values_list(
        "indicator__group__code",
        "indicator__kind",
        "indicator__max_score",
        "indicator__options",
        "value",
    )
    for group, kind, max_score, options, value in answers:
        scores[group] += hand_points(kind, max_score, options, value)
    return scores, dict(maxima)


def hand_level(program, year, score):
    bounds = Level.objects.filter(edition__program=program, edition__year=year).order_by(
        "lower_bound"
    )
    reached = [level for level in bounds if level.lower_bound <= score]
    ahead = [level for level in bounds if level.lower_bound > score]
    return (
        reached[-1].name if reached else None,
        ahead[0].name if ahead else None,
        ahead[0].lower_bound - score if ahead else None,
    )


def hand_kampung_kb(region_code, year):
    records = DesaRecord.objects.filter(
        assessment__edition__year=year, assessment__region__code=region_code
    )
    designated = standar = cikar = 0
    for r in records:
        designated += r.kampung_kb
        is_standar = (
            r.kampung_kb
            and r.capaian_kkbpk
            and r.kinerja_patbm
            and r.industri_rumahan in ("berkembang", "maju")
            and r.akta_kelahiran_persen > 85
        )
        standar += bool(is_standar)
        cikar += bool(is_standar and r.program_lintas_sektor >= 1)
    total = Desa.objects.filter(region__code=region_code).count()
    return total, designated, standar, cikar


@pytest.mark.parametrize("year", YEARS)
def test_each_region_equals_a_hand_computation_from_the_stored_values(demo, year):
    rows = readiness_for_year(year, regions())
    assert [row.region_code for row in rows] == sorted(regions().values_list("code", flat=True))
    for row in rows:
        # APE: prerequisites, states at 80 % of their points, total, category, gap
        scores, maxima = hand_groups("ape", row.region_code, year)
        total = sum(scores.values())
        assert row.ape.result.score == total
        assert row.ape.result.max_score == 100
        for prerequisite in row.ape.result.prerequisites:
            score, top = scores[prerequisite.code], maxima[prerequisite.code]
            assert (prerequisite.score, prerequisite.max_score) == (score, top)
            state = (
                "belum" if score == 0 else "terpenuhi" if score >= top * D("0.8") else "sebagian"
            )
            assert prerequisite.state == state
        category, next_category, gap = hand_level("ape", year, total)
        assert row.ape.level_name == category
        assert (row.ape.next_level.name if row.ape.next_level else None) == next_category
        assert row.ape.result.points_to_next == gap
        # KLA: groups, total out of 1000, predicate
        scores, maxima = hand_groups("kla", row.region_code, year)
        total = sum(scores.values())
        assert row.kla.result.score == total and row.kla.result.max_score == 1000
        assert {g.code: g.score for g in row.kla.result.groups} == scores
        predicate, next_predicate, gap = hand_level("kla", year, total)
        assert row.kla.level_name == predicate
        assert row.kla.result.points_to_next == gap
        # Kampung KB counts
        summary = row.kampung_kb.summary
        assert (summary.desa_total, summary.kampung_kb, summary.standar, summary.cikar) == (
            hand_kampung_kb(row.region_code, year)
        )
        # status and completeness
        status = Assessment.objects.get(
            edition__program="ape", edition__year=year, region__code=row.region_code
        ).status
        assert row.ape.status == status
        answered = Answer.objects.filter(
            assessment__edition__program="kla",
            assessment__edition__year=year,
            assessment__region__code=row.region_code,
            value__isnull=False,
        ).count()
        assert row.kla.completeness.answered == answered
        assert (
            row.kla.completeness.total
            == Indicator.objects.filter(edition__program="kla", edition__year=year).count()
        )


def test_one_region_over_the_years_matches_the_province_read(demo):
    bangka = Region.objects.get(code="19.01")
    by_region = {row.year: row for row in readiness_for_region(bangka)}
    assert sorted(by_region) == sorted(
        set(Edition.objects.values_list("year", flat=True).distinct())
    )
    for year in YEARS:
        province = next(r for r in readiness_for_year(year, regions()) if r.region_code == "19.01")
        assert by_region[year] == province
    assert by_region[2021].ape.result is None and by_region[2021].ape.has_edition


def test_the_public_read_shows_only_verified_assessments(demo):
    full = {row.region_code: row for row in readiness_for_year(2025, regions())}
    public = readiness_for_year(2025, regions(), verified_only=True)
    for row in public:
        for name in ("ape", "kla"):
            part, complete = getattr(row, name), getattr(full[row.region_code], name)
            if complete.status == "verified":
                assert part.result == complete.result and part.status == "verified"
            else:
                assert part.result is None and part.status is None
        if full[row.region_code].kampung_kb.status == "verified":
            assert row.kampung_kb.summary == full[row.region_code].kampung_kb.summary
        else:
            assert row.kampung_kb.summary is None
    assert any(row.ape.result is None for row in public)
    assert any(row.ape.result is not None for row in public)


def test_the_official_award_is_shown_beside_the_computed_result(demo):
    rows = {row.region_code: row for row in readiness_for_year(2025, regions())}
    bangka_kla = rows["19.01"].kla
    assert bangka_kla.award.year == 2025
    assert bangka_kla.award.results == ("Madya", "Nindya") and bangka_kla.award.conflicting
    assert bangka_kla.award_differs == (bangka_kla.level_name not in ("Madya", "Nindya"))
    bangka_ape = rows["19.01"].ape
    assert bangka_ape.award.year == 2023 and bangka_ape.award.results == ("Nindya",)
    # a 2023 award is not compared with a 2025 score (the pages name both years instead)
    assert bangka_ape.award_differs is None
    same_year = {row.region_code: row for row in readiness_for_year(2023, regions())}
    bangka_2023 = same_year["19.01"].ape
    assert bangka_2023.award.year == 2023 and bangka_2023.result is not None
    assert bangka_2023.award_differs == (bangka_2023.level_name != "Nindya")
    older = {row.region_code: row for row in readiness_for_year(2021, regions())}
    assert older["19.01"].ape.award is None and older["19.01"].ape.award_differs is None
    # a computed category equal to the award of the same year is not flagged
    belitung = same_year["19.02"].ape
    assert belitung.award.results == ("Pratama",) and belitung.result is not None
    assert belitung.award_differs is (belitung.level_name != "Pratama")


def test_a_stored_value_made_invalid_by_an_edition_change_scores_nothing_and_is_listed(
    koordinator_bangka,
):
    edition = Edition.objects.get(program="kla", year=2025)
    bangka = Region.objects.get(code="19.01")
    assessment = get_or_create_assessment(edition, bangka)
    save_values(
        assessment,
        {"KLA-KL-01": 32, "KLA-KL-03": 25},
        user=koordinator_bangka,
        scope=scope_for(koordinator_bangka),
    )
    indicator = Indicator.objects.get(edition=edition, code="KLA-KL-01")
    indicator.options = [o for o in indicator.options if str(o["points"]) != "32"]
    indicator.save()
    (row,) = readiness_for_year(2025, Region.objects.filter(code="19.01"))
    assert row.kla.invalid_codes == ("KLA-KL-01",)
    assert row.kla.result.score == 25
    assert row.ape.result is None and row.ape.has_edition
    assert row.kampung_kb.summary is None


def test_a_year_without_any_edition_is_an_error():
    with pytest.raises(NoEdition):
        readiness_for_year(1999, regions())


def test_scoped_regions_limit_the_rows(demo, koordinator_belitung):
    rows = readiness_for_year(2025, scope_for(koordinator_belitung).regions())
    assert [row.region_code for row in rows] == ["19.02"]
