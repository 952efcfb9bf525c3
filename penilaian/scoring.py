"""Pure scoring rules shared by every programme (APE, KLA): no Django, no database.

An indicator's stored value is a ``Decimal`` (or ``None`` when unanswered):

- ``ladder``: the points of the chosen option (the value IS the points);
- ``percent``: a percentage 0–100, worth the points of the band that contains it;
- ``score``: the points themselves, 0 to ``max_score``;
- ``yesno``: 1 (yes, worth ``max_score``) or 0 (no).

User-facing messages are English message ids passed through ``gettext`` (no settings are read
here; the active language, Bahasa Indonesia by default, picks the translation).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal, InvalidOperation
from enum import StrEnum

from django.utils.translation import gettext as _

ZERO = Decimal(0)
HUNDRED = Decimal(100)
CENT = Decimal("0.01")


class Kind(StrEnum):
    LADDER = "ladder"
    PERCENT = "percent"
    SCORE = "score"
    YESNO = "yesno"


@dataclass(frozen=True)
class Option:
    """A ladder step (label, points, value) or a percent band (min–max inclusive, points)."""

    label: str
    points: Decimal
    min: Decimal | None = None
    max: Decimal | None = None
    value: str | None = None


@dataclass(frozen=True)
class IndicatorSpec:
    """One indicator of an edition's catalog."""

    code: str
    group: str
    order: int
    kind: Kind
    max_score: Decimal
    options: tuple[Option, ...] = ()
    text: str = ""
    owner: str | None = None
    evidence_required: bool = False


@dataclass(frozen=True)
class Level:
    """A category or predicate, reached at ``lower_bound`` points."""

    code: str
    name: str
    lower_bound: Decimal
    order: int


@dataclass(frozen=True)
class GapItem:
    """One indicator to raise, from its current value to ``target_value``."""

    code: str
    group: str
    order: int
    text: str
    owner: str | None
    current_value: Decimal | None
    current_points: Decimal
    target_value: Decimal
    target_label: str
    target_points: Decimal
    gain: Decimal
    evidence_missing: bool


@dataclass(frozen=True)
class Gap:
    """What it takes to reach ``target`` (None at the top level)."""

    target: Level | None
    needed: Decimal
    items: tuple[GapItem, ...]
    reachable: bool


@dataclass(frozen=True)
class Completeness:
    """How many indicators are answered and backed by evidence."""

    total: int
    answered: int
    with_evidence: int


def format_number(value: Decimal) -> str:
    """Plain notation without trailing zeros: 40 → "40", 2.50 → "2.5"."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def validate_value(spec: IndicatorSpec, value: Decimal | int | None) -> str | None:
    """None when ``value`` may be stored for ``spec``, else the reason (translated)."""
    if value is None:
        return None
    number = _as_number(value)
    if number is None:
        return _("The value must be a number.")
    if spec.kind == Kind.LADDER:
        allowed = sorted({option.points for option in spec.options})
        if number not in allowed:
            choices = ", ".join(format_number(points) for points in allowed)
            return _("Value {value} is not one of the options ({choices}).").format(
                value=format_number(number), choices=choices
            )
    elif spec.kind == Kind.PERCENT:
        if not ZERO <= number <= HUNDRED:
            return _("A percentage must be between 0 and 100.")
    elif spec.kind == Kind.SCORE:
        if not ZERO <= number <= spec.max_score:
            return _("Value outside the range 0–{max}.").format(max=format_number(spec.max_score))
    elif number not in (ZERO, Decimal(1)):
        return _("The answer must be yes or no.")
    return None


def points(spec: IndicatorSpec, value: Decimal | None) -> Decimal:
    """Points earned by ``value``; 0 when unanswered. Raises ValueError when invalid."""
    if value is None:
        return ZERO
    error = validate_value(spec, value)
    number = _as_number(value)
    if error is not None or number is None:
        raise ValueError(f"{spec.code}: {error}")
    if spec.kind == Kind.PERCENT:
        return _percent_points(spec, number)
    if spec.kind == Kind.YESNO:
        return spec.max_score if number == 1 else ZERO
    return number  # ladder and score: the value is the points


def level_for(score: Decimal, levels: Sequence[Level]) -> Level | None:
    """The highest level whose lower bound is ≤ ``score``; None below the lowest."""
    reached = [level for level in _ordered(levels) if level.lower_bound <= score]
    return reached[-1] if reached else None


def next_level(score: Decimal, levels: Sequence[Level]) -> Level | None:
    """The lowest level whose lower bound is above ``score``; None at the top."""
    ahead = [level for level in _ordered(levels) if level.lower_bound > score]
    return ahead[0] if ahead else None


def points_to_next(score: Decimal, levels: Sequence[Level]) -> Decimal | None:
    """Points still missing to the next level; None at the top."""
    target = next_level(score, levels)
    return None if target is None else target.lower_bound - score


def total(specs: Sequence[IndicatorSpec], values: Mapping[str, Decimal | None]) -> Decimal:
    """Sum of the points of every indicator."""
    return sum((points(spec, values.get(spec.code)) for spec in specs), ZERO)


def group_scores(
    specs: Sequence[IndicatorSpec], values: Mapping[str, Decimal | None]
) -> dict[str, Decimal]:
    """Points per group, groups in order of first appearance."""
    scores: dict[str, Decimal] = {}
    for spec in specs:
        scores[spec.group] = scores.get(spec.group, ZERO) + points(spec, values.get(spec.code))
    return scores


def group_max(specs: Sequence[IndicatorSpec]) -> dict[str, Decimal]:
    """Maximum points per group, groups in order of first appearance."""
    maxima: dict[str, Decimal] = {}
    for spec in specs:
        maxima[spec.group] = maxima.get(spec.group, ZERO) + spec.max_score
    return maxima


def completeness(
    specs: Sequence[IndicatorSpec],
    values: Mapping[str, Decimal | None],
    evidenced_codes: Collection[str],
) -> Completeness:
    """Count answered indicators and indicators with evidence."""
    return Completeness(
        total=len(specs),
        answered=sum(1 for spec in specs if values.get(spec.code) is not None),
        with_evidence=sum(1 for spec in specs if spec.code in evidenced_codes),
    )


def gap_to_next(
    specs: Sequence[IndicatorSpec],
    values: Mapping[str, Decimal | None],
    levels: Sequence[Level],
    *,
    owners: Mapping[str, str] | None = None,
    evidence_missing: Collection[str] = (),
) -> Gap:
    """The points needed to reach the next level and the shortest list of indicators to raise.

    Algorithm:

    1. ``needed`` = lower bound of the next level − current total. At the top level there is
       nothing to close: ``Gap(None, 0, (), True)``.
    2. Every indicator can gain at most ``best − current points``, where ``best`` is its full
       marks (``max_score``, or the best ladder option / band when a catalog tops out lower).
       Indicators with a positive gain are candidates, sorted by gain descending; ties by the
       group's first appearance in ``specs``, then indicator order, then code.
    3. The answer uses the smallest k whose top-k gains sum to ≥ ``needed``. This is exact:
       the k largest gains are the largest sum any k indicators can add, so if they fall short,
       every set of k indicators does too, and fewer than k is impossible. If even all candidates
       fall short, the gap is unreachable and every candidate is listed at full marks.
    4. The first k − 1 items are raised to full marks. The last (smallest gain) only needs the
       remainder r = needed − (sum of the others' gains), which is > 0 because k is minimal and
       ≤ its full gain because the top-k sum suffices. It is raised to the lowest step that
       earns ≥ current points + r: a ladder's option, a band's minimum ("≥ 75%"), "yes", or for
       a score exactly current + r rounded up to 2 decimals (capped at full marks).

    Items are listed largest gain first, ties as in step 2. ``owners`` overrides ``spec.owner``
    per code; codes in ``evidence_missing`` are flagged on their item.
    """
    current = {spec.code: points(spec, values.get(spec.code)) for spec in specs}
    score = sum(current.values(), ZERO)
    target = next_level(score, levels)
    if target is None:
        return Gap(target=None, needed=ZERO, items=(), reachable=True)
    needed = target.lower_bound - score

    group_rank: dict[str, int] = {}
    for spec in specs:
        group_rank.setdefault(spec.group, len(group_rank))
    candidates = sorted(
        (spec for spec in specs if _best_points(spec) > current[spec.code]),
        key=lambda spec: (
            current[spec.code] - _best_points(spec),  # largest gain first
            group_rank[spec.group],
            spec.order,
            spec.code,
        ),
    )

    chosen: list[IndicatorSpec] = []
    gained = ZERO
    for spec in candidates:
        chosen.append(spec)
        gained += _best_points(spec) - current[spec.code]
        if gained >= needed:
            break
    reachable = gained >= needed

    items = []
    for index, spec in enumerate(chosen):
        have = current[spec.code]
        full_gain = _best_points(spec) - have
        is_last = index == len(chosen) - 1
        want = needed - (gained - full_gain) if reachable and is_last else full_gain
        value, label, earned = _lowest_step(spec, have + want)
        items.append(
            GapItem(
                code=spec.code,
                group=spec.group,
                order=spec.order,
                text=spec.text,
                owner=(owners or {}).get(spec.code, spec.owner),
                current_value=values.get(spec.code),
                current_points=have,
                target_value=value,
                target_label=label,
                target_points=earned,
                gain=earned - have,
                evidence_missing=spec.code in evidence_missing,
            )
        )
    return Gap(target=target, needed=needed, items=tuple(items), reachable=reachable)


def _as_number(value: object) -> Decimal | None:
    if isinstance(value, bool):  # a yes/no answer given as a Python bool
        value = int(value)
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _ordered(levels: Sequence[Level]) -> list[Level]:
    return sorted(levels, key=lambda level: (level.lower_bound, level.order))


def _band_min(option: Option) -> Decimal:
    return ZERO if option.min is None else option.min


def _band_max(option: Option) -> Decimal:
    return HUNDRED if option.max is None else option.max


def _percent_points(spec: IndicatorSpec, value: Decimal) -> Decimal:
    if not spec.options:  # no bands: proportional to the percentage
        return spec.max_score * value / HUNDRED
    containing = [o for o in spec.options if _band_min(o) <= value <= _band_max(o)]
    if containing:
        return max(option.points for option in containing)
    # In a gap between bands (74.995 between 0–74.99 and 75–100): the band below.
    below = [option for option in spec.options if _band_max(option) < value]
    return max(below, key=_band_max).points if below else ZERO


def _steps(spec: IndicatorSpec) -> list[tuple[Decimal, str, Decimal]]:
    """The discrete values an indicator can be raised to, lowest value first."""
    if spec.kind == Kind.LADDER:
        return sorted(((o.points, o.label, o.points) for o in spec.options), key=lambda s: s[0])
    if spec.kind == Kind.YESNO:
        return [(Decimal(1), _("Yes"), spec.max_score)]
    steps = {(_band_min(o), f"≥ {format_number(_band_min(o))}%") for o in spec.options}
    return sorted((value, label, points(spec, value)) for value, label in steps)


def _best_points(spec: IndicatorSpec) -> Decimal:
    if spec.kind == Kind.SCORE or (spec.kind == Kind.PERCENT and not spec.options):
        return spec.max_score
    return max((step[2] for step in _steps(spec)), default=ZERO)


def _lowest_step(spec: IndicatorSpec, goal: Decimal) -> tuple[Decimal, str, Decimal]:
    """The lowest value of ``spec`` earning at least ``goal`` points: (value, label, points)."""
    if spec.kind == Kind.SCORE:
        value = min(goal.quantize(CENT, rounding=ROUND_CEILING), spec.max_score)
        return value, format_number(value), value
    if spec.kind == Kind.PERCENT and not spec.options:
        wanted = (goal * HUNDRED / spec.max_score).quantize(CENT, rounding=ROUND_CEILING)
        value = min(wanted, HUNDRED)
        return value, f"≥ {format_number(value)}%", points(spec, value)
    return next(step for step in _steps(spec) if step[2] >= goal)
