import pytest  # isort: skip

from decimal import Decimal as D

from penilaian.scoring import Gap, GapItem, IndicatorSpec, Kind, Level, Option
from prasyarat.scoring import (
    CATEGORY_RULES,
    ApeResult,
    PrerequisiteResult,
    State,
    score_ape,
    state_for,
)

PRATAMA = Level("pratama", "Pratama", D(50), 1)
MADYA = Level("madya", "Madya", D(60), 2)
NINDYA = Level("nindya", "Nindya", D(70), 3)
UTAMA = Level("utama", "Utama", D(80), 4)
MENTOR = Level("mentor", "Mentor", D(90), 5)
CATEGORIES = (PRATAMA, MADYA, NINDYA, UTAMA, MENTOR)

PREREQUISITES = (
    ("KOM", "komitmen"),
    ("KEB", "kebijakan"),
    ("KEL", "kelembagaan"),
    ("SDA", "sumber_daya"),
    ("DAT", "data_terpilah"),
    ("ALA", "alat_analisis"),
)
GROUPS = [group for _, group in PREREQUISITES] + ["partisipasi_masyarakat"]
MAXIMA = [D(15)] * 6 + [D(10)]
LADDER = (Option("Belum ada", D(0)), Option("Draf", D(2)), Option("Ditetapkan", D(5)))
BANDS = (
    Option("< 50%", D(0), min=D(0), max=D("49.99")),
    Option("50–79%", D(2), min=D(50), max=D("79.99")),
    Option("≥ 80%", D(5), min=D(80), max=D(100)),
)


def mixed_catalog():
    """Six prerequisites of 15 points (ladder, yes/no, percent) and partisipasi of 10."""
    specs = []
    for abbr, group in PREREQUISITES:
        specs += [
            IndicatorSpec(f"APE-{abbr}-01", group, 1, Kind.LADDER, D(5), LADDER, owner="bappeda"),
            IndicatorSpec(f"APE-{abbr}-02", group, 2, Kind.YESNO, D(5), owner="dp3a"),
            IndicatorSpec(f"APE-{abbr}-03", group, 3, Kind.PERCENT, D(5), BANDS, owner="dp3a"),
        ]
    group = "partisipasi_masyarakat"
    specs += [
        IndicatorSpec("APE-PAR-01", group, 1, Kind.LADDER, D(5), LADDER, owner="dp3a"),
        IndicatorSpec("APE-PAR-02", group, 2, Kind.SCORE, D(5), owner="dinsos"),
    ]
    return tuple(specs)


CATALOG = mixed_catalog()
FULL = {
    spec.code: {Kind.LADDER: D(5), Kind.YESNO: D(1), Kind.PERCENT: D(100), Kind.SCORE: D(5)}[
        spec.kind
    ]
    for spec in CATALOG
}
# One score indicator per prerequisite, to reach any total.
SCORE_CATALOG = tuple(
    IndicatorSpec(f"S-{i}", group, 1, Kind.SCORE, top)
    for i, (group, top) in enumerate(zip(GROUPS, MAXIMA, strict=True))
)


def values_for_total(specs, amount):
    values = {}
    for spec in specs:
        values[spec.code] = min(spec.max_score, amount)
        amount -= values[spec.code]
    return values


@pytest.mark.parametrize(
    ("score", "max_score", "state"),
    [
        (D(15), D(15), State.TERPENUHI),
        (D(12), D(15), State.TERPENUHI),
        (D("11.99"), D(15), State.SEBAGIAN),
        (D("0.01"), D(15), State.SEBAGIAN),
        (D(0), D(15), State.BELUM),
        (D(8), D(10), State.TERPENUHI),
        (D("7.99"), D(10), State.SEBAGIAN),
        (D(0), D(0), State.BELUM),
    ],
)
def test_state_for_at_default_ratio(score, max_score, state):
    assert state_for(score, max_score) == state


@pytest.mark.parametrize(
    ("score", "state"), [(D("7.5"), State.TERPENUHI), (D("7.49"), State.SEBAGIAN)]
)
def test_state_for_at_another_ratio(score, state):
    assert state_for(score, D(15), D("0.5")) == state


@pytest.mark.parametrize(
    ("score", "category", "following", "missing"),
    [
        (D(0), None, PRATAMA, D(50)),
        (D("49.99"), None, PRATAMA, D("0.01")),
        (D(50), PRATAMA, MADYA, D(10)),
        (D("59.99"), PRATAMA, MADYA, D("0.01")),
        (D(60), MADYA, NINDYA, D(10)),
        (D("69.99"), MADYA, NINDYA, D("0.01")),
        (D(70), NINDYA, UTAMA, D(10)),
        (D("79.99"), NINDYA, UTAMA, D("0.01")),
        (D(80), UTAMA, MENTOR, D(10)),
        (D("89.99"), UTAMA, MENTOR, D("0.01")),
        (D(90), MENTOR, None, None),
        (D(100), MENTOR, None, None),
    ],
)
def test_category_at_each_bound(score, category, following, missing):
    result = score_ape(SCORE_CATALOG, values_for_total(SCORE_CATALOG, score), CATEGORIES)

    assert result.score == score
    assert result.category == category
    assert result.next_category == following
    assert result.points_to_next == missing
    assert (result.gap.target, result.gap.needed) == (following, missing or D(0))


def test_empty_assessment():
    result = score_ape(CATALOG, {}, CATEGORIES)

    assert result.score == 0
    assert result.max_score == 100
    assert (result.category, result.next_category, result.points_to_next) == (
        None,
        PRATAMA,
        D(50),
    )
    assert result.prerequisites == tuple(
        PrerequisiteResult(group, D(0), top, State.BELUM)
        for group, top in zip(GROUPS, MAXIMA, strict=True)
    )
    # Every indicator gains 5: ties go by prerequisite then indicator order; ten make 50.
    assert [item.code for item in result.gap.items] == [
        "APE-KOM-01",
        "APE-KOM-02",
        "APE-KOM-03",
        "APE-KEB-01",
        "APE-KEB-02",
        "APE-KEB-03",
        "APE-KEL-01",
        "APE-KEL-02",
        "APE-KEL-03",
        "APE-SDA-01",
    ]
    assert {item.gain for item in result.gap.items} == {D(5)}
    assert result.gap.items[-1].target_label == "Ditetapkan"


def test_full_assessment():
    result = score_ape(CATALOG, FULL, CATEGORIES)

    assert result == ApeResult(
        score=D(100),
        max_score=D(100),
        category=MENTOR,
        next_category=None,
        points_to_next=None,
        prerequisites=tuple(
            PrerequisiteResult(group, top, top, State.TERPENUHI)
            for group, top in zip(GROUPS, MAXIMA, strict=True)
        ),
        gap=Gap(None, D(0), (), True),
    )


PARTIAL = {
    # komitmen 15: terpenuhi
    "APE-KOM-01": D(5),
    "APE-KOM-02": D(1),
    "APE-KOM-03": D(80),
    # kebijakan 5 + 5 + 2 = 12 = 80 % of 15: terpenuhi exactly at the bound
    "APE-KEB-01": D(5),
    "APE-KEB-02": D(1),
    "APE-KEB-03": D(60),
    # kelembagaan 2: sebagian
    "APE-KEL-01": D(2),
    # sumber_daya 0: belum
    "APE-SDA-02": D(0),
    # data_terpilah and alat_analisis 15: terpenuhi
    "APE-DAT-01": D(5),
    "APE-DAT-02": D(1),
    "APE-DAT-03": D(90),
    "APE-ALA-01": D(5),
    "APE-ALA-02": D(1),
    "APE-ALA-03": D(85),
    # partisipasi 2 + 2.5 = 4.5 of 10: sebagian
    "APE-PAR-01": D(2),
    "APE-PAR-02": D("2.5"),
}  # 63.5 in all: Madya, 6.5 short of Nindya


def test_partial_assessment_prerequisites_and_category():
    result = score_ape(CATALOG, PARTIAL, CATEGORIES)

    assert result.score == D("63.5")
    assert (result.category, result.next_category, result.points_to_next) == (
        MADYA,
        NINDYA,
        D("6.5"),
    )
    assert [(p.code, p.score, p.state) for p in result.prerequisites] == [
        ("komitmen", D(15), State.TERPENUHI),
        ("kebijakan", D(12), State.TERPENUHI),
        ("kelembagaan", D(2), State.SEBAGIAN),
        ("sumber_daya", D(0), State.BELUM),
        ("data_terpilah", D(15), State.TERPENUHI),
        ("alat_analisis", D(15), State.TERPENUHI),
        ("partisipasi_masyarakat", D("4.5"), State.SEBAGIAN),
    ]


def test_partial_assessment_passes_the_ratio_through():
    result = score_ape(CATALOG, PARTIAL, CATEGORIES, ratio=D("0.9"))

    assert result.prerequisites[1] == PrerequisiteResult("kebijakan", D(12), D(15), State.SEBAGIAN)


def test_partial_assessment_gap_with_owner_and_evidence():
    # Gains: KEL-02, KEL-03, SDA-01..03 5 each (kelembagaan first); then 3, 3, 3 and 2.5.
    # 5 < 6.5 ≤ 10: two items; KEL-03 needs only 1.5, and the 50 % band gives 2.

    result = score_ape(
        CATALOG,
        PARTIAL,
        CATEGORIES,
        owners={"APE-KEL-03": "dinkes"},
        evidence_missing={"APE-KEL-02"},
    )

    assert result.gap == Gap(
        target=NINDYA,
        needed=D("6.5"),
        items=(
            GapItem(
                code="APE-KEL-02",
                group="kelembagaan",
                order=2,
                text="",
                owner="dp3a",
                current_value=None,
                current_points=D(0),
                target_value=D(1),
                target_label="Ya",
                target_points=D(5),
                gain=D(5),
                evidence_missing=True,
            ),
            GapItem(
                code="APE-KEL-03",
                group="kelembagaan",
                order=3,
                text="",
                owner="dinkes",
                current_value=None,
                current_points=D(0),
                target_value=D(50),
                target_label="≥ 50%",
                target_points=D(2),
                gain=D(2),
                evidence_missing=False,
                unit="%",
                target_op="≥",
            ),
        ),
        reachable=True,
    )


def test_invalid_stored_value_is_refused():
    with pytest.raises(ValueError, match="APE-KOM-01"):
        score_ape(CATALOG, {"APE-KOM-01": D(3)}, CATEGORIES)


# --- the rules a category rests on ------------------------------------------------------------


def test_category_lists_the_provisional_rules_it_depends_on():
    provisional = {"APE-KATEGORI", "APE-SKALA", "APE-TERPENUHI", "KLA-BOBOT"}

    result = score_ape(CATALOG, FULL, CATEGORIES, provisional=provisional)

    assert result.rules == CATEGORY_RULES == ("APE-KATEGORI", "APE-BOBOT", "APE-SKALA")
    assert result.provisional_rules == ("APE-KATEGORI", "APE-SKALA")
    assert result.provisional


def test_category_on_confirmed_rules_only_is_not_provisional():
    result = score_ape(CATALOG, FULL, CATEGORIES, provisional={"APE-TERPENUHI"})

    assert result.provisional_rules == () and not result.provisional
    assert score_ape(CATALOG, FULL, CATEGORIES).provisional is False
