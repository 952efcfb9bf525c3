import pytest  # isort: skip

from decimal import Decimal as D

from kla.scoring import PREDICATE_RULES, GroupResult, KlaResult, score_kla
from penilaian.scoring import Gap, GapItem, IndicatorSpec, Kind, Level, Option

PRATAMA = Level("pratama", "Pratama", D(500), 1)
MADYA = Level("madya", "Madya", D(601), 2)
NINDYA = Level("nindya", "Nindya", D(701), 3)
UTAMA = Level("utama", "Utama", D(801), 4)
KLA = Level("kla", "KLA", D(901), 5)
PREDICATES = (PRATAMA, MADYA, NINDYA, UTAMA, KLA)

GROUPS = ("kelembagaan", "klaster_1", "klaster_2", "klaster_3", "klaster_4", "klaster_5")
WEIGHTS = (D(200), D(140), D(140), D(180), D(160), D(180))


def ladder(*steps):
    return tuple(Option(f"Tahap {points}", D(points)) for points in steps)


def bands(middle, top):
    return (
        Option("< 80%", D(0), min=D(0), max=D("79.99")),
        Option("80–94%", D(middle), min=D(80), max=D("94.99")),
        Option("≥ 95%", D(top), min=D(95), max=D(100)),
    )


def spec(code, group, order, kind, max_score, options=()):
    return IndicatorSpec(code, group, order, kind, D(max_score), options, owner="dp3a")


KL = [
    spec(f"KLA-KL-0{i}", "kelembagaan", i, Kind.LADDER, 30, ladder(0, 15, 30)) for i in range(1, 6)
]
KL += [
    spec("KLA-KL-06", "kelembagaan", 6, Kind.YESNO, 25),
    spec("KLA-KL-07", "kelembagaan", 7, Kind.SCORE, 25),
]
CATALOG = (
    *KL,
    spec("KLA-1-01", "klaster_1", 1, Kind.PERCENT, 70, bands(35, 70)),
    spec("KLA-1-02", "klaster_1", 2, Kind.SCORE, 40),
    spec("KLA-1-03", "klaster_1", 3, Kind.YESNO, 30),
    spec("KLA-2-01", "klaster_2", 1, Kind.LADDER, 60, ladder(0, 20, 40, 60)),
    spec("KLA-2-02", "klaster_2", 2, Kind.SCORE, 80),
    spec("KLA-3-01", "klaster_3", 1, Kind.PERCENT, 100, bands(50, 100)),
    spec("KLA-3-02", "klaster_3", 2, Kind.SCORE, 80),
    spec("KLA-4-01", "klaster_4", 1, Kind.SCORE, 100),
    spec("KLA-4-02", "klaster_4", 2, Kind.YESNO, 60),
    spec("KLA-5-01", "klaster_5", 1, Kind.LADDER, 90, ladder(0, 30, 60, 90)),
    spec("KLA-5-02", "klaster_5", 2, Kind.SCORE, 90),
)
FULL_VALUE = {Kind.YESNO: D(1), Kind.PERCENT: D(100)}
FULL = {s.code: FULL_VALUE.get(s.kind, s.max_score) for s in CATALOG}
SCORE_CATALOG = tuple(
    spec(f"S-{i}", group, 1, Kind.SCORE, weight)
    for i, (group, weight) in enumerate(zip(GROUPS, WEIGHTS, strict=True))
)


def values_for_total(specs, amount):
    values = {}
    for each in specs:
        values[each.code] = min(each.max_score, amount)
        amount -= values[each.code]
    return values


def test_catalog_totals_1000():
    assert sum(s.max_score for s in CATALOG) == 1000
    assert sum(s.max_score for s in SCORE_CATALOG) == 1000


@pytest.mark.parametrize(
    ("score", "predicate", "following", "missing"),
    [
        (D(0), None, PRATAMA, D(500)),
        (D("499.99"), None, PRATAMA, D("0.01")),
        (D(500), PRATAMA, MADYA, D(101)),
        (D("599.99"), PRATAMA, MADYA, D("1.01")),
        (D(600), PRATAMA, MADYA, D(1)),
        (D("600.5"), PRATAMA, MADYA, D("0.5")),
        (D(601), MADYA, NINDYA, D(100)),
        (D("609.93"), MADYA, NINDYA, D("91.07")),
        (D(700), MADYA, NINDYA, D(1)),
        (D(701), NINDYA, UTAMA, D(100)),
        (D(800), NINDYA, UTAMA, D(1)),
        (D(801), UTAMA, KLA, D(100)),
        (D(900), UTAMA, KLA, D(1)),
        (D(901), KLA, None, None),
        (D(1000), KLA, None, None),
    ],
)
def test_predicate_at_each_bound(score, predicate, following, missing):
    result = score_kla(SCORE_CATALOG, values_for_total(SCORE_CATALOG, score), PREDICATES)

    assert result.score == score
    assert result.predicate == predicate
    assert result.next_predicate == following
    assert result.points_to_next == missing
    assert (result.gap.target, result.gap.needed) == (following, missing or D(0))


def test_empty_assessment():
    result = score_kla(CATALOG, {}, PREDICATES)

    assert (result.score, result.max_score) == (D(0), D(1000))
    assert (result.predicate, result.next_predicate, result.points_to_next) == (
        None,
        PRATAMA,
        D(500),
    )
    assert result.groups == tuple(
        GroupResult(group, D(0), weight) for group, weight in zip(GROUPS, WEIGHTS, strict=True)
    )
    # 100 + 100 + 90 + 90 + 80 = 460 < 500: the sixth item, KLA-3-02, needs only 40.
    assert [(i.code, i.target_label, i.gain) for i in result.gap.items] == [
        ("KLA-3-01", "≥ 95%", D(100)),
        ("KLA-4-01", "100", D(100)),
        ("KLA-5-01", "Tahap 90", D(90)),
        ("KLA-5-02", "90", D(90)),
        ("KLA-2-02", "80", D(80)),
        ("KLA-3-02", "40", D(40)),
    ]


def test_full_assessment():
    result = score_kla(CATALOG, FULL, PREDICATES)

    assert result == KlaResult(
        score=D(1000),
        max_score=D(1000),
        predicate=KLA,
        next_predicate=None,
        points_to_next=None,
        groups=tuple(
            GroupResult(group, weight, weight)
            for group, weight in zip(GROUPS, WEIGHTS, strict=True)
        ),
        gap=Gap(None, D(0), (), True),
    )


# 1000 − 15 (KL-05) − 15 (KL-07) − 40 (2-01) − 80 (2-02) − 50 (3-01) − 19.5 (4-01) − 180 (5-*)
NEARLY_MADYA = FULL | {
    "KLA-KL-05": D(15),
    "KLA-KL-07": D(10),
    "KLA-2-01": D(20),
    "KLA-2-02": D(0),
    "KLA-3-01": D(90),
    "KLA-4-01": D("80.5"),
    "KLA-5-01": None,
    "KLA-5-02": None,
}


def gap_item(code, group, order, current, have, target, label, earned, **extra):
    kind = next(each.kind for each in CATALOG if each.code == code)
    words = {D(0): "Tidak", D(1): "Ya"} if kind == Kind.YESNO else {}
    if kind == Kind.LADDER and current is not None:
        words = {current: f"Tahap {current}"}
    extra = {
        "unit": "%" if kind == Kind.PERCENT else "",
        "current_label": words.get(current, ""),
        "target_op": "≥" if kind == Kind.PERCENT else "",
    } | extra
    return GapItem(
        **extra,
        code=code,
        group=group,
        order=order,
        text="",
        owner="dp3a",
        current_value=current,
        current_points=have,
        target_value=target,
        target_label=label,
        target_points=earned,
        gain=earned - have,
        evidence_missing=False,
    )


def test_half_a_point_short_of_madya():
    result = score_kla(CATALOG, NEARLY_MADYA, PREDICATES)

    assert result.score == D("600.5")
    assert (result.predicate, result.next_predicate, result.points_to_next) == (
        PRATAMA,
        MADYA,
        D("0.5"),
    )
    assert [(g.code, g.score) for g in result.groups] == [
        ("kelembagaan", D(170)),
        ("klaster_1", D(140)),
        ("klaster_2", D(20)),
        ("klaster_3", D(130)),
        ("klaster_4", D("140.5")),
        ("klaster_5", D(0)),
    ]
    # Largest gain is 90 (KLA-5-01 and KLA-5-02, order decides); its first step closes it.
    assert result.gap == Gap(
        target=MADYA,
        needed=D("0.5"),
        items=(gap_item("KLA-5-01", "klaster_5", 1, None, D(0), D(30), "Tahap 30", D(30)),),
        reachable=True,
    )


def test_just_inside_madya_gap_to_nindya():
    values = NEARLY_MADYA | {"KLA-4-01": D("89.93")}  # 609.93

    result = score_kla(
        CATALOG, values, PREDICATES, owners={"KLA-5-02": "dinkes"}, evidence_missing={"KLA-5-01"}
    )

    assert result.score == D("609.93")
    assert (result.predicate, result.next_predicate, result.points_to_next) == (
        MADYA,
        NINDYA,
        D("91.07"),
    )
    # 90 < 91.07 ≤ 180: KLA-5-01 to full marks, KLA-5-02 only 1.07.
    first = gap_item("KLA-5-01", "klaster_5", 1, None, D(0), D(90), "Tahap 90", D(90))
    second = gap_item("KLA-5-02", "klaster_5", 2, None, D(0), D("1.07"), "1.07", D("1.07"))
    assert result.gap == Gap(
        target=NINDYA,
        needed=D("91.07"),
        items=(
            GapItem(**(first.__dict__ | {"evidence_missing": True})),
            GapItem(**(second.__dict__ | {"owner": "dinkes"})),
        ),
        reachable=True,
    )


def test_gap_out_of_reach_without_the_weights_to_close_it():
    levels = (*PREDICATES, Level("super", "Super", D(1001), 6))
    values = FULL | {"KLA-KL-06": D(0)}  # 975

    result = score_kla(CATALOG, values, levels)

    assert result.predicate == KLA
    assert result.gap == Gap(
        target=levels[-1],
        needed=D(26),
        items=(gap_item("KLA-KL-06", "kelembagaan", 6, D(0), D(0), D(1), "Ya", D(25)),),
        reachable=False,
    )


# --- the rules a predicate rests on, lower-is-better and ladder gap items ---------------------


def test_predicate_lists_the_provisional_rules_it_depends_on():
    result = score_kla(CATALOG, FULL, PREDICATES, provisional={"KLA-BOBOT", "KLA-SKALA"})

    assert result.rules == PREDICATE_RULES
    assert result.provisional_rules == ("KLA-BOBOT", "KLA-SKALA")
    assert result.provisional
    assert not score_kla(CATALOG, FULL, PREDICATES, provisional={"APE-SKALA"}).provisional


MARRIAGE = spec(
    "KLA-2-01",
    "klaster_2",
    1,
    Kind.PERCENT,
    40,
    (
        Option("", D(40), min=D(0), max=D("4.99")),
        Option("", D(30), min=D(5), max=D("9.99")),
        Option("", D(20), min=D(10), max=D("19.99")),
        Option("", D(10), min=D(20), max=D("29.99")),
        Option("", D(0), min=D(30), max=D(100)),
    ),
)
MALNUTRITION = spec(
    "KLA-3-02",
    "klaster_3",
    2,
    Kind.PERCENT,
    30,
    (
        Option("", D(30), min=D(0), max=D("4.99")),
        Option("", D(20), min=D(5), max=D("9.99")),
        Option("", D(10), min=D(10), max=D("14.99")),
        Option("", D(0), min=D(15), max=D(100)),
    ),
)
FORUM = spec(
    "KLA-1-03",
    "klaster_1",
    3,
    Kind.LADDER,
    40,
    (
        Option("Belum ada", D(0)),
        Option("MoU dengan 1–2 mitra", D(15)),
        Option("MoU dengan 3 mitra atau lebih", D(40)),
    ),
)


def test_gap_for_lower_is_better_indicators_asks_to_go_down_to_the_easiest_band():
    values = {"KLA-2-01": D("12.5"), "KLA-3-02": D(16), "KLA-1-03": D(15)}  # 20 + 0 + 15
    level = Level("x", "X", D(55), 1)  # 20 more than 20 + 15

    result = score_kla((MARRIAGE, FORUM), values, (level,))

    (first,) = result.gap.items  # the ladder (+25) closes it alone
    assert (first.code, first.current_label, first.target_label) == (
        "KLA-1-03",
        "MoU dengan 1–2 mitra",
        "MoU dengan 3 mitra atau lebih",
    )
    result = score_kla((MARRIAGE, MALNUTRITION), values, (Level("y", "Y", D(35), 1),))
    (item,) = result.gap.items  # 15 more: malnutrition to ≤ 9,99 % (+20), not to 0 %
    assert (item.code, item.target_op, item.target_value, item.gain) == (
        "KLA-3-02",
        "≤",
        D("9.99"),
        D(20),
    )
    assert (item.current_value, item.unit, item.lower_is_better) == (D(16), "%", True)
