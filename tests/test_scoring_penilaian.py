import pytest  # isort: skip

import itertools
import random
from dataclasses import replace
from decimal import Decimal as D

from penilaian.scoring import (
    Completeness,
    Gap,
    GapItem,
    IndicatorSpec,
    Kind,
    Level,
    Option,
    completeness,
    current_label,
    format_number,
    gap_to_next,
    group_max,
    group_scores,
    level_for,
    lower_is_better,
    next_level,
    points,
    points_to_next,
    total,
    validate_value,
)

LADDER = IndicatorSpec(
    "X-01",
    "g1",
    1,
    Kind.LADDER,
    D(5),
    options=(
        Option("Belum ada", D(0)),
        Option("Draf", D(1)),
        Option("Dibahas", D(3)),
        Option("Ditetapkan", D(5)),
    ),
    text="Peraturan",
    owner="bappeda",
)
SCORE = IndicatorSpec("X-02", "g1", 2, Kind.SCORE, D(10), text="Anggaran", owner="bappeda")
YESNO = IndicatorSpec("X-03", "g2", 1, Kind.YESNO, D(3), text="Forum", owner="dinsos")
PERCENT = IndicatorSpec(
    "X-04",
    "g2",
    2,
    Kind.PERCENT,
    D(4),
    options=(
        Option("Rendah", D(0), min=D(0), max=D("49.99")),
        Option("Sedang", D(2), min=D(50), max=D("74.99")),
        Option("Tinggi", D(4), min=D(75), max=D(100)),
    ),
    text="Cakupan",
    owner="dinkes",
)
SPECS = (LADDER, SCORE, YESNO, PERCENT)  # 22 points in all
DASAR = Level("dasar", "Dasar", D(5), 1)
BAIK = Level("baik", "Baik", D(15), 2)
UNGGUL = Level("unggul", "Unggul", D(20), 3)
LEVELS = (DASAR, BAIK, UNGGUL)


def item(spec, current_value, current_points, target_value, label, target_points, **extra):
    fields = {
        "code": spec.code,
        "group": spec.group,
        "order": spec.order,
        "text": spec.text,
        "owner": spec.owner,
        "current_value": current_value,
        "current_points": current_points,
        "target_value": target_value,
        "target_label": label,
        "target_points": target_points,
        "gain": target_points - current_points,
        "evidence_missing": False,
        "unit": "%" if spec.kind == Kind.PERCENT else "",
        "current_label": _words(spec, current_value),
        "target_op": "≥" if spec.kind == Kind.PERCENT else "",
        "lower_is_better": False,
    }
    return GapItem(**(fields | extra))


def _words(spec, value):
    if value is None:
        return ""
    if spec.kind == Kind.LADDER:
        return next(o.label for o in spec.options if o.points == value)
    if spec.kind == Kind.YESNO:
        return "Ya" if value == 1 else "Tidak"
    return ""


# --- validate_value ------------------------------------------------------------------------


@pytest.mark.parametrize("spec", SPECS)
def test_validate_value_accepts_no_answer(spec):
    assert validate_value(spec, None) is None


@pytest.mark.parametrize("value", [D(0), D(1), D(3), D(5), D("3.00"), 5])
def test_validate_value_accepts_ladder_points(value):
    assert validate_value(LADDER, value) is None


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (D(2), "Nilai 2 tidak ada dalam pilihan (0, 1, 3, 5)."),
        (D("2.50"), "Nilai 2.5 tidak ada dalam pilihan (0, 1, 3, 5)."),
        (D(-1), "Nilai -1 tidak ada dalam pilihan (0, 1, 3, 5)."),
        (D(6), "Nilai 6 tidak ada dalam pilihan (0, 1, 3, 5)."),
    ],
)
def test_validate_value_refuses_value_outside_ladder(value, message):
    assert validate_value(LADDER, value) == message


@pytest.mark.parametrize("value", [D(0), D("49.995"), D(100), D("100.00")])
def test_validate_value_accepts_percent_in_range(value):
    assert validate_value(PERCENT, value) is None


@pytest.mark.parametrize("value", [D("-0.01"), D("100.01"), D(1000)])
def test_validate_value_refuses_percent_out_of_range(value):
    assert validate_value(PERCENT, value) == "Persentase harus antara 0 dan 100."


@pytest.mark.parametrize("value", [D(0), D("9.99"), D(10), D("10.000")])
def test_validate_value_accepts_score_in_range(value):
    assert validate_value(SCORE, value) is None


@pytest.mark.parametrize(
    ("max_score", "value", "message"),
    [
        (D(10), D("-0.01"), "Nilai di luar rentang 0–10."),
        (D(10), D("10.01"), "Nilai di luar rentang 0–10."),
        (D(40), D(41), "Nilai di luar rentang 0–40."),
        (D("40.00"), D(41), "Nilai di luar rentang 0–40."),
        (D("12.50"), D(13), "Nilai di luar rentang 0–12.5."),
    ],
)
def test_validate_value_refuses_score_out_of_range(max_score, value, message):
    assert validate_value(replace(SCORE, max_score=max_score), value) == message


@pytest.mark.parametrize("value", [D(0), D(1), D("1.0"), 1, 0, True, False])
def test_validate_value_accepts_yes_or_no(value):
    assert validate_value(YESNO, value) is None


@pytest.mark.parametrize("value", [D(2), D("0.5"), D(-1), D(3)])
def test_validate_value_refuses_anything_else_for_yes_no(value):
    assert validate_value(YESNO, value) == "Isian harus ya atau tidak."


@pytest.mark.parametrize("value", ["abc", D("NaN"), D("Infinity"), ""])
@pytest.mark.parametrize("spec", SPECS)
def test_validate_value_refuses_non_numbers(spec, value):
    assert validate_value(spec, value) == "Nilai harus berupa angka."


def test_ladder_change_between_editions_refuses_a_value_of_the_old_ladder():
    old = IndicatorSpec(
        "APE-KOM-01",
        "komitmen",
        1,
        Kind.LADDER,
        D(5),
        options=(Option("Belum", D(0)), Option("Draf", D(3)), Option("Ditetapkan", D(5))),
    )
    new = replace(
        old, options=(Option("Belum", D(0)), Option("Draf", D(2)), Option("Ditetapkan", D(5)))
    )

    assert validate_value(old, D(3)) is None
    assert points(old, D(3)) == D(3)
    assert validate_value(new, D(3)) == "Nilai 3 tidak ada dalam pilihan (0, 2, 5)."
    with pytest.raises(ValueError, match=r"APE-KOM-01: Nilai 3 tidak ada dalam pilihan"):
        points(new, D(3))


# --- points ---------------------------------------------------------------------------------


@pytest.mark.parametrize("spec", SPECS)
def test_points_of_no_answer_is_zero(spec):
    assert points(spec, None) == 0


@pytest.mark.parametrize(("value", "expected"), [(D(0), D(0)), (D(3), D(3)), (D(5), D(5))])
def test_points_of_ladder_is_the_value(value, expected):
    assert points(LADDER, value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (D(0), D(0)),
        (D("49.99"), D(0)),
        (D(50), D(2)),
        (D("74.99"), D(2)),
        (D("74.995"), D(2)),  # between two bands: the band below
        (D(75), D(4)),
        (D(100), D(4)),
    ],
)
def test_points_of_percent_is_the_band_points(value, expected):
    assert points(PERCENT, value) == expected


def test_points_of_percent_on_overlapping_bounds_takes_the_better_band():
    spec = replace(
        PERCENT,
        options=(Option("Rendah", D(1), min=D(0), max=D(75)), Option("Tinggi", D(4), min=D(75))),
    )

    assert points(spec, D(75)) == D(4)


def test_points_of_percent_without_bands_is_proportional():
    spec = replace(PERCENT, options=())

    assert points(spec, D(50)) == D(2)
    assert points(spec, D(100)) == D(4)


@pytest.mark.parametrize(("value", "expected"), [(D(0), D(0)), (D("7.25"), D("7.25"))])
def test_points_of_score_is_the_value(value, expected):
    assert points(SCORE, value) == expected


@pytest.mark.parametrize(
    ("value", "expected"), [(D(1), D(3)), (D(0), D(0)), (1, D(3)), (True, D(3)), (False, D(0))]
)
def test_points_of_yes_no_is_full_marks_for_yes(value, expected):
    assert points(YESNO, value) == expected


@pytest.mark.parametrize(("spec", "value"), [(LADDER, D(2)), (SCORE, D(11)), (YESNO, D(2))])
def test_points_refuses_invalid_value(spec, value):
    with pytest.raises(ValueError, match=spec.code):
        points(spec, value)


@pytest.mark.parametrize(
    ("value", "text"),
    [(D(40), "40"), (D("40.00"), "40"), (D("2.50"), "2.5"), (D("0.00"), "0"), (D("4E+1"), "40")],
)
def test_format_number_drops_trailing_zeros(value, text):
    assert format_number(value) == text


# --- levels ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("score", "level", "following", "missing"),
    [
        (D("4.99"), None, DASAR, D("0.01")),
        (D(5), DASAR, BAIK, D(10)),
        (D("14.99"), DASAR, BAIK, D("0.01")),
        (D(15), BAIK, UNGGUL, D(5)),
        (D(20), UNGGUL, None, None),
        (D(22), UNGGUL, None, None),
    ],
)
def test_levels_whatever_order_they_are_given_in(score, level, following, missing):
    shuffled = (UNGGUL, DASAR, BAIK)

    assert level_for(score, shuffled) == level
    assert next_level(score, shuffled) == following
    assert points_to_next(score, shuffled) == missing


def test_no_levels_means_no_level_and_nothing_next():
    assert level_for(D(10), ()) is None
    assert next_level(D(10), ()) is None
    assert points_to_next(D(10), ()) is None


# --- totals ---------------------------------------------------------------------------------


def test_total_and_group_scores():
    values = {"X-01": D(1), "X-02": D(4), "X-03": None, "X-04": D(60)}

    assert total(SPECS, values) == D(7)
    assert group_scores(SPECS, values) == {"g1": D(5), "g2": D(2)}
    assert group_max(SPECS) == {"g1": D(15), "g2": D(7)}


def test_group_scores_keep_the_order_groups_first_appear_in():
    specs = (YESNO, LADDER, PERCENT, SCORE)

    assert list(group_scores(specs, {})) == ["g2", "g1"]
    assert list(group_max(specs)) == ["g2", "g1"]


def test_total_of_an_empty_assessment_is_zero():
    assert total(SPECS, {}) == 0
    assert group_scores(SPECS, {}) == {"g1": D(0), "g2": D(0)}


def test_total_of_a_full_assessment_is_the_maximum():
    values = {"X-01": D(5), "X-02": D(10), "X-03": D(1), "X-04": D(100)}

    assert total(SPECS, values) == D(22)


def test_completeness_counts_answers_and_evidence():
    values = {"X-01": D(0), "X-02": D(4), "X-03": None}

    result = completeness(SPECS, values, {"X-01", "X-03", "OTHER-99"})

    assert result == Completeness(total=4, answered=2, with_evidence=2)


# --- gap ------------------------------------------------------------------------------------


def test_gap_raises_the_last_item_only_to_the_step_that_closes_it():
    values = {"X-01": D(1), "X-02": D(4), "X-03": None, "X-04": D(60)}  # 7 points, Dasar
    # Gains: X-02 6, X-01 4, X-03 3, X-04 2. 6 < 8, 6 + 4 ≥ 8: two items; X-01 needs 2 more.

    gap = gap_to_next(SPECS, values, LEVELS)

    assert gap == Gap(
        target=BAIK,
        needed=D(8),
        items=(
            item(SCORE, D(4), D(4), D(10), "10", D(10)),
            item(LADDER, D(1), D(1), D(3), "Dibahas", D(3)),
        ),
        reachable=True,
    )


def test_gap_applies_owner_overrides_and_flags_missing_evidence():
    values = {"X-01": D(1), "X-02": D(4), "X-03": None, "X-04": D(60)}

    gap = gap_to_next(
        SPECS,
        values,
        LEVELS,
        owners={"X-02": "dinkes", "X-04": "disdik"},
        evidence_missing={"X-01"},
    )

    assert gap.items == (
        item(SCORE, D(4), D(4), D(10), "10", D(10), owner="dinkes"),
        item(LADDER, D(1), D(1), D(3), "Dibahas", D(3), evidence_missing=True),
    )


def test_gap_breaks_ties_by_group_order_of_first_appearance():
    values = {"X-01": D(1), "X-02": D(10), "X-03": D(1), "X-04": D(10)}  # 14: gain 4

    in_catalog_order = gap_to_next(SPECS, values, LEVELS)
    g2_first = gap_to_next((YESNO, PERCENT, LADDER, SCORE), values, LEVELS)

    assert in_catalog_order.items == (item(LADDER, D(1), D(1), D(3), "Dibahas", D(3)),)
    assert g2_first.items == (item(PERCENT, D(10), D(0), D(50), "≥ 50%", D(2)),)


def test_gap_breaks_ties_within_a_group_by_indicator_order():
    values = {"X-01": D(1), "X-02": D(6), "X-03": D(1), "X-04": D(80)}  # 14: gain 4
    score_first = replace(SCORE, order=0)

    by_order = gap_to_next(SPECS, values, LEVELS)
    swapped = gap_to_next((LADDER, score_first, YESNO, PERCENT), values, LEVELS)

    assert by_order.items == (item(LADDER, D(1), D(1), D(3), "Dibahas", D(3)),)
    assert swapped.items == (item(score_first, D(6), D(6), D(7), "7", D(7)),)


def test_gap_raises_a_percent_to_the_lowest_band_that_suffices():
    values = {"X-01": D(5), "X-02": D(9), "X-03": D(1), "X-04": D(55)}  # 19, needs 1 for Unggul

    gap = gap_to_next(SPECS, values, LEVELS)

    assert gap == Gap(
        target=UNGGUL,
        needed=D(1),
        items=(item(PERCENT, D(55), D(2), D(75), "≥ 75%", D(4)),),
        reachable=True,
    )


def test_gap_raises_a_score_to_exactly_what_is_needed_rounded_up():
    nearly = IndicatorSpec("A-01", "a", 1, Kind.SCORE, D(10))
    main = IndicatorSpec("A-02", "a", 2, Kind.SCORE, D(40))
    values = {"A-01": D("9.995"), "A-02": D(10)}  # 19.995, needs 10.005
    level = Level("x", "X", D(30), 1)

    gap = gap_to_next((nearly, main), values, (level,))

    assert gap == Gap(
        target=level,
        needed=D("10.005"),
        items=(item(main, D(10), D(10), D("20.01"), "20.01", D("20.01")),),
        reachable=True,
    )


def test_gap_of_an_empty_assessment():
    gap = gap_to_next(SPECS, {}, LEVELS)

    assert gap == Gap(
        target=DASAR, needed=D(5), items=(item(SCORE, None, D(0), D(5), "5", D(5)),), reachable=True
    )


def test_gap_at_the_top_level_is_empty():
    values = {"X-01": D(5), "X-02": D(10), "X-03": D(1), "X-04": D(100)}

    assert gap_to_next(SPECS, values, LEVELS) == Gap(None, D(0), (), True)
    assert gap_to_next(SPECS, {}, ()) == Gap(None, D(0), (), True)


def test_gap_out_of_reach_lists_every_candidate_at_full_marks():
    values = {"X-01": D(5), "X-02": D(4)}  # 9; gains 6 + 4 + 3 = 13 < 14
    levels = (DASAR, Level("super", "Super", D(23), 2))

    gap = gap_to_next(SPECS, values, levels)

    assert gap == Gap(
        target=levels[1],
        needed=D(14),
        items=(
            item(SCORE, D(4), D(4), D(10), "10", D(10)),
            item(PERCENT, None, D(0), D(75), "≥ 75%", D(4)),
            item(YESNO, None, D(0), D(1), "Ya", D(3)),
        ),
        reachable=False,
    )


# --- property: the gap is sufficient and as short as possible --------------------------------


def _cents(rng, low, high):
    return D(rng.randint(int(low * 100), int(high * 100))) / 100


def _random_spec(rng, index):
    kind = rng.choice(list(Kind))
    max_score = _cents(rng, 1, 20)
    options = ()
    if kind == Kind.LADDER:
        steps = sorted({D(0), max_score, *(_cents(rng, 0, max_score) for _ in range(3))})
        options = tuple(Option(f"L{p}", p) for p in rng.sample(steps, len(steps)))
    elif kind == Kind.PERCENT and rng.random() < 0.8:
        mins = [D(0), *sorted(D(c) for c in rng.sample(range(1, 100), rng.randint(0, 3)))]
        worth = sorted(_cents(rng, 0, max_score) for _ in mins[:-1]) + [max_score]
        maxes = [m - D("0.01") for m in mins[1:]] + [D(100)]
        options = tuple(
            Option(f"B{i}", p, min=lo, max=hi)
            for i, (lo, hi, p) in enumerate(zip(mins, maxes, worth, strict=True))
        )
    group = rng.choice("abc")
    return IndicatorSpec(f"R-{index:02d}", group, rng.randint(1, 4), kind, max_score, options)


def _random_value(rng, spec):
    if rng.random() < 0.25:
        return None
    if spec.kind == Kind.LADDER:
        return rng.choice(spec.options).points
    if spec.kind == Kind.PERCENT:
        return _cents(rng, 0, 100)
    if spec.kind == Kind.SCORE:
        return D(rng.randint(0, int(spec.max_score * 1000))) / 1000
    return D(rng.randint(0, 1))


def _full_value(spec):
    if spec.kind == Kind.LADDER:
        return max(option.points for option in spec.options)
    return {Kind.PERCENT: D(100), Kind.SCORE: spec.max_score, Kind.YESNO: D(1)}[spec.kind]


def _lower_values(spec, target):
    """Valid values of ``spec`` just below ``target``: a cheaper step never closes the gap."""
    if spec.kind == Kind.SCORE:
        return [target - D("0.01")] if target >= D("0.01") else []
    if spec.kind == Kind.PERCENT and not spec.options:
        return [target - D("0.01")] if target >= D("0.01") else []
    candidates = {Kind.LADDER: [o.points for o in spec.options], Kind.YESNO: [D(0)]}
    steps = candidates.get(spec.kind) or [o.min for o in spec.options]
    return [v for v in steps if points(spec, v) < points(spec, target)]


@pytest.mark.parametrize("seed", range(300))
def test_gap_is_sufficient_and_shortest_on_random_catalogs(seed):
    rng = random.Random(seed)
    specs = [_random_spec(rng, i) for i in range(rng.randint(1, 8))]
    values = {spec.code: _random_value(rng, spec) for spec in specs}
    top = sum(spec.max_score for spec in specs) * D("1.2")
    bounds = sorted({_cents(rng, D("0.01"), top) for _ in range(rng.randint(1, 4))})
    levels = [Level(f"L{i}", f"L{i}", bound, i) for i, bound in enumerate(bounds)]
    by_code = {spec.code: spec for spec in specs}
    current = total(specs, values)
    max_gain = {
        spec.code: points(spec, _full_value(spec)) - points(spec, values[spec.code])
        for spec in specs
    }

    gap = gap_to_next(specs, values, levels)

    if gap.target is None:
        assert current >= bounds[-1]
        return
    assert gap.needed == gap.target.lower_bound - current > 0
    for entry in gap.items:
        spec = by_code[entry.code]
        assert validate_value(spec, entry.target_value) is None
        assert points(spec, entry.target_value) == entry.target_points
        assert entry.gain == entry.target_points - entry.current_points > 0
    assert [e.gain for e in gap.items] == sorted((e.gain for e in gap.items), reverse=True)
    raised = values | {entry.code: entry.target_value for entry in gap.items}
    if not gap.reachable:
        assert sum(max_gain.values()) < gap.needed
        assert {e.code for e in gap.items} == {c for c, g in max_gain.items() if g > 0}
        assert total(specs, raised) == current + sum(max_gain.values())
        return
    assert total(specs, raised) >= gap.target.lower_bound
    for size in range(len(gap.items)):
        for subset in itertools.combinations(specs, size):
            assert sum((max_gain[s.code] for s in subset), D(0)) < gap.needed
    last = gap.items[-1]
    for lower in _lower_values(by_code[last.code], last.target_value):
        assert total(specs, raised | {last.code: lower}) < gap.target.lower_bound


# --- lower is better (child marriage, malnutrition) and words for the current value ----------

CHILD_MARRIAGE = IndicatorSpec(
    "K-2-01",
    "k2",
    1,
    Kind.PERCENT,
    D(40),
    options=(
        Option("", D(40), min=D(0), max=D("4.99")),
        Option("", D(30), min=D(5), max=D("9.99")),
        Option("", D(20), min=D(10), max=D("19.99")),
        Option("", D(10), min=D(20), max=D("29.99")),
        Option("", D(0), min=D(30), max=D(100)),
    ),
    owner="dp3akb",
)
FILLER = IndicatorSpec("K-9-01", "k9", 1, Kind.SCORE, D(0))


def test_lower_is_better_is_read_from_the_bands():
    assert lower_is_better(CHILD_MARRIAGE)
    assert not lower_is_better(PERCENT)
    assert not lower_is_better(LADDER)
    assert not lower_is_better(IndicatorSpec("P", "g", 1, Kind.PERCENT, D(5)))


@pytest.mark.parametrize(
    ("needed", "target", "label", "earned"),
    [
        (D(5), D("9.99"), "≤ 9.99%", D(30)),  # one band down is enough
        (D(10), D("9.99"), "≤ 9.99%", D(30)),
        (D(11), D("4.99"), "≤ 4.99%", D(40)),
        (D(20), D("4.99"), "≤ 4.99%", D(40)),
    ],
)
def test_gap_lowers_a_lower_is_better_percent_to_the_easiest_band(needed, target, label, earned):
    values = {"K-2-01": D(12)}  # 12 % earns 20
    level = Level("x", "X", D(20) + needed, 1)

    gap = gap_to_next((CHILD_MARRIAGE,), values, (level,))

    assert gap.items == (
        GapItem(
            code="K-2-01",
            group="k2",
            order=1,
            text="",
            owner="dp3akb",
            current_value=D(12),
            current_points=D(20),
            target_value=target,
            target_label=label,
            target_points=earned,
            gain=earned - D(20),
            evidence_missing=False,
            unit="%",
            current_label="",
            target_op="≤",
            lower_is_better=True,
        ),
    )
    assert "≥ 0%" not in gap.items[0].target_label


def test_gap_never_asks_for_zero_percent_when_less_is_enough():
    gap = gap_to_next((CHILD_MARRIAGE,), {"K-2-01": D(35)}, (Level("x", "X", D(10), 1),))

    assert [(i.target_value, i.target_label, i.gain) for i in gap.items] == [
        (D("29.99"), "≤ 29.99%", D(10))
    ]


def test_gap_names_the_current_ladder_option_and_yes_no_in_words():
    values = {"X-01": D(1), "X-03": D(0)}
    gap = gap_to_next((LADDER, YESNO), values, (Level("x", "X", D(9), 1),))

    assert {i.code: i.current_label for i in gap.items} == {"X-01": "Draf", "X-03": "Tidak"}
    assert current_label(LADDER, None) == ""
    assert current_label(PERCENT, D("71.57")) == ""  # a number: the page formats it with its unit


def _random_lower_spec(rng, index):
    max_score = _cents(rng, 1, 20)
    mins = [D(0), *sorted(D(c) for c in rng.sample(range(1, 100), rng.randint(1, 3)))]
    worth = sorted((_cents(rng, 0, max_score) for _ in mins[:-1]), reverse=True)
    worth = [max_score, *worth[1:], D(0)] if len(mins) > 1 else [max_score]
    maxes = [m - D("0.01") for m in mins[1:]] + [D(100)]
    options = tuple(
        Option(f"B{i}", p, min=lo, max=hi)
        for i, (lo, hi, p) in enumerate(zip(mins, maxes, worth, strict=True))
    )
    return IndicatorSpec(f"L-{index:02d}", rng.choice("ab"), 1, Kind.PERCENT, max_score, options)


@pytest.mark.parametrize("seed", range(200))
def test_gap_with_lower_is_better_bands_is_sufficient_shortest_and_easiest(seed):
    rng = random.Random(seed)
    specs = [_random_lower_spec(rng, i) for i in range(rng.randint(1, 4))]
    specs += [_random_spec(rng, 10 + i) for i in range(rng.randint(0, 3))]
    values = {spec.code: _random_value(rng, spec) for spec in specs}
    full = {s.code: (D(0) if lower_is_better(s) else _full_value(s)) for s in specs}
    max_gain = {s.code: points(s, full[s.code]) - points(s, values[s.code]) for s in specs}
    current = total(specs, values)
    level = Level("x", "X", current + _cents(rng, D("0.01"), sum(max_gain.values()) + 1), 1)

    gap = gap_to_next(specs, values, (level,))

    by_code = {spec.code: spec for spec in specs}
    raised = values | {entry.code: entry.target_value for entry in gap.items}
    for entry in gap.items:
        spec = by_code[entry.code]
        assert validate_value(spec, entry.target_value) is None
        assert points(spec, entry.target_value) == entry.target_points
        assert entry.gain > 0
        if lower_is_better(spec):
            assert entry.target_op == "≤" and entry.target_label.startswith("≤ ")
            # the easiest value: a band's maximum, and any higher value earns less
            higher = entry.target_value + D("0.01")
            if higher <= 100:
                assert points(spec, higher) < entry.target_points
    if not gap.reachable:
        assert sum(max_gain.values()) < gap.needed
        return
    assert total(specs, raised) >= level.lower_bound
    for size in range(len(gap.items)):
        for subset in itertools.combinations(specs, size):
            assert sum((max_gain[s.code] for s in subset), D(0)) < gap.needed
