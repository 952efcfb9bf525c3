"""The per-spec memo of ``penilaian.scoring`` never changes a result."""

from __future__ import annotations

from decimal import Decimal

from django.utils import translation

from penilaian.scoring import IndicatorSpec, Kind, Level, Option, gap_to_next, points

LEVELS = (Level("a", "A", Decimal(10), 1),)


def _ladder(top: Decimal) -> IndicatorSpec:
    return IndicatorSpec(
        code="L1",
        group="G",
        order=1,
        kind=Kind.LADDER,
        max_score=Decimal(10),
        options=(Option("none", Decimal(0)), Option("top", top)),
    )


def test_equal_specs_spelled_differently_keep_their_own_points():
    plain, padded = _ladder(Decimal("10")), _ladder(Decimal("10.0"))
    assert plain == padded  # equal dataclasses: a value-keyed cache would mix them up

    first = gap_to_next([plain], {"L1": Decimal(0)}, LEVELS)
    second = gap_to_next([padded], {"L1": Decimal(0)}, LEVELS)

    assert repr(first.items[0].target_points) == "Decimal('10')"
    assert repr(second.items[0].target_points) == "Decimal('10.0')"


def test_yes_no_gap_label_follows_the_active_language_on_every_call():
    spec = IndicatorSpec("Y1", "G", 1, Kind.YESNO, Decimal(10))

    with translation.override("en"):
        english = gap_to_next([spec], {"Y1": Decimal(0)}, LEVELS).items[0].target_label
    with translation.override("id"):
        indonesian = gap_to_next([spec], {"Y1": Decimal(0)}, LEVELS).items[0].target_label

    assert english == "Yes"
    assert indonesian == "Ya"


def test_a_value_in_a_gap_between_bands_scores_the_band_below_on_every_call():
    spec = IndicatorSpec(
        code="P1",
        group="G",
        order=1,
        kind=Kind.PERCENT,
        max_score=Decimal(10),
        options=(
            Option("low", Decimal(2), Decimal(0), Decimal("74.99")),
            Option("high", Decimal(10), Decimal(75), None),
        ),
    )

    assert [points(spec, Decimal("74.995")) for _ in range(2)] == [Decimal(2), Decimal(2)]
    assert points(spec, Decimal(80)) == Decimal(10)
    gap = gap_to_next([spec], {"P1": Decimal(50)}, LEVELS)
    assert [(item.target_label, item.target_points) for item in gap.items] == [
        ("≥ 75%", Decimal(10))
    ]
