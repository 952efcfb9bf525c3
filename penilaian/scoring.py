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
    """One indicator to raise, from its current value to ``target_value``.

    ``current_label`` names the current value in words (a ladder option, yes/no; "" for a
    number, shown with ``unit``); ``target_op`` is "≥" or "≤" for a percentage (the direction
    the value has to move), "" when ``target_label`` is the exact step to reach.
    """

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
    unit: str = ""
    current_label: str = ""
    target_op: str = ""
    lower_is_better: bool = False


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


@dataclass(frozen=True)
class RuleRef:
    """A rule of an edition (band, weight, ladder, threshold) named by its stable code."""

    code: str
    provisional: bool


def provisional_among(depends_on: Sequence[str], provisional: Collection[str]) -> tuple[str, ...]:
    """The codes of ``depends_on`` that ``provisional`` marks provisional, in ``depends_on`` order.

    A result (category, predicate, count) depends on a fixed list of rule codes; the edition
    says which of its rules are provisional. What a page marks is the intersection.
    """
    marked = frozenset(provisional)
    return tuple(dict.fromkeys(code for code in depends_on if code in marked))


RULE_CODE_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-")


def rules_error(rules: object) -> str | None:
    """None when ``rules`` is a valid list of edition rules, else the reason (translated).

    Each rule: a unique ``code`` of capitals, digits and dashes, a ``name``, a boolean
    ``provisional``; ``source`` is optional text.
    """
    if not isinstance(rules, list):
        return _("Rules must be a list.")
    seen: set[str] = set()
    for rule in rules:
        if not isinstance(rule, dict):
            return _("Each rule must be an object with code, name and provisional.")
        code = rule.get("code")
        if not isinstance(code, str) or not code or not set(code) <= RULE_CODE_CHARS:
            return _("Rule code {code!r} must use capitals, digits and dashes.").format(code=code)
        if code in seen:
            return _("Rule code {code} appears twice.").format(code=code)
        seen.add(code)
        if not isinstance(rule.get("name"), str) or not rule["name"].strip():
            return _("Rule {code} needs a name.").format(code=code)
        if not isinstance(rule.get("provisional"), bool):
            return _("Rule {code}: provisional must be true or false.").format(code=code)
        if not isinstance(rule.get("source", ""), str):
            return _("Rule {code}: the source must be text.").format(code=code)
    return None


class AwardStanding(StrEnum):
    """How far an award result can be trusted, from its sources."""

    RESMI = "resmi"  # published by one or more sources, no disagreement
    DIDUGA = "diduga"  # inferred from indirect evidence (confidence INF)
    BERTENTANGAN = "bertentangan"  # sources disagree: another result is reported too


def award_standing(confidence: str, conflicting: bool) -> AwardStanding:
    """Conflicting reports first, then inferred (``INF``), else official."""
    if conflicting:
        return AwardStanding.BERTENTANGAN
    if confidence.strip().upper() == "INF":
        return AwardStanding.DIDUGA
    return AwardStanding.RESMI


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
    return _check_number(spec, number)


def _check_number(spec: IndicatorSpec, number: Decimal) -> str | None:
    """``validate_value`` for a value already converted to a finite number."""
    if spec.kind == Kind.LADDER:
        if number not in _ladder_points(spec):
            allowed = sorted({option.points for option in spec.options})
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
    number = _as_number(value)
    error = _("The value must be a number.") if number is None else _check_number(spec, number)
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
       earns ≥ current points + r: a ladder's option, a band's minimum ("≥ 75%") or, when lower
       is better, a band's maximum ("≤ 4.99%"), "yes", or for a score exactly current + r
       rounded up to 2 decimals (capped at full marks).

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
    best: dict[str, Decimal] = {}
    for spec in specs:
        group_rank.setdefault(spec.group, len(group_rank))
        best[spec.code] = _best_points(spec)
    candidates = sorted(
        (spec for spec in specs if best[spec.code] > current[spec.code]),
        key=lambda spec: (
            current[spec.code] - best[spec.code],  # largest gain first
            group_rank[spec.group],
            spec.order,
            spec.code,
        ),
    )

    chosen: list[IndicatorSpec] = []
    gained = ZERO
    for spec in candidates:
        chosen.append(spec)
        gained += best[spec.code] - current[spec.code]
        if gained >= needed:
            break
    reachable = gained >= needed

    owners = owners or {}
    items = []
    for index, spec in enumerate(chosen):
        have = current[spec.code]
        full_gain = best[spec.code] - have
        is_last = index == len(chosen) - 1
        want = needed - (gained - full_gain) if reachable and is_last else full_gain
        value, label, earned = _lowest_step(spec, have + want)
        items.append(
            GapItem(
                code=spec.code,
                group=spec.group,
                order=spec.order,
                text=spec.text,
                owner=owners.get(spec.code, spec.owner),
                current_value=values.get(spec.code),
                current_points=have,
                target_value=value,
                target_label=label,
                target_points=earned,
                gain=earned - have,
                evidence_missing=spec.code in evidence_missing,
                unit="%" if spec.kind == Kind.PERCENT else "",
                current_label=current_label(spec, values.get(spec.code)),
                target_op=_target_op(spec),
                lower_is_better=lower_is_better(spec),
            )
        )
    return Gap(target=target, needed=needed, items=tuple(items), reachable=reachable)


def lower_is_better(spec: IndicatorSpec) -> bool:
    """True for a banded percentage whose lowest band earns more than its highest
    (child marriage, malnutrition): the value has to go down to gain points."""
    if spec.kind != Kind.PERCENT or len(spec.options) < 2:
        return False
    bands = _bands(spec)
    lowest = min(bands, key=lambda band: (band[0], band[1]))
    highest = max(bands, key=lambda band: (band[0], band[1]))
    return lowest[2] > highest[2]


def current_label(spec: IndicatorSpec, value: Decimal | None) -> str:
    """The stored value as words: the ladder option's label, "Yes"/"No"; "" for numbers
    (a page shows those in its own number format with the unit) and for no answer."""
    if value is None:
        return ""
    number = _as_number(value)
    if number is None:
        return ""
    if spec.kind == Kind.LADDER:
        return next((o.label for o in spec.options if o.points == number), "")
    if spec.kind == Kind.YESNO:
        return _("Yes") if number == 1 else _("No")
    return ""


def _target_op(spec: IndicatorSpec) -> str:
    """How the target value reads: "≥ 90" (or "≤ 4.99" when lower is better) for a
    percentage, nothing for a ladder step, a yes or a score (the exact value)."""
    if spec.kind != Kind.PERCENT:
        return ""
    return "≤" if lower_is_better(spec) else "≥"


def _as_number(value: object) -> Decimal | None:
    if isinstance(value, Decimal):  # the usual case: a stored value
        return value if value.is_finite() else None
    if isinstance(value, bool):  # a yes/no answer given as a Python bool
        value = int(value)
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _ordered(levels: Sequence[Level]) -> list[Level]:
    return sorted(levels, key=lambda level: (level.lower_bound, level.order))


def _band_min(option: Option) -> Decimal:
    return ZERO if option.min is None else option.min


def _band_max(option: Option) -> Decimal:
    return HUNDRED if option.max is None else option.max


# --- per-spec memo ------------------------------------------------------------------------------
# A catalog's specs are scored for every region of a read, so what depends on the spec alone is
# computed once per spec object and kept on that object (outside its fields: equality, hashing
# and repr are unchanged). It lives exactly as long as the spec: nothing process-wide keeps
# specs of earlier reads alive (a process-wide memo of 4,096 entries used to hold ~3,000 specs
# and their options, which every full garbage collection then walked). Two specs that are equal
# but spell a Decimal differently ("1" and "1.0") keep their own results.

_LadderPoints = frozenset[Decimal]
_Bands = tuple[tuple[Decimal, Decimal, Decimal], ...]
_Steps = tuple[tuple[Decimal, str, Decimal], ...]


def _memo(name: str, spec: IndicatorSpec, build):  # noqa: ANN202 - private helper
    try:
        return spec.__dict__[name]
    except KeyError:
        result = build(spec)
        object.__setattr__(spec, name, result)  # a frozen dataclass: not one of its fields
        return result


def _ladder_points(spec: IndicatorSpec) -> _LadderPoints:
    """The points a ladder value may take."""
    return _memo("_memo_ladder", spec, lambda s: frozenset(option.points for option in s.options))


def _bands(spec: IndicatorSpec) -> _Bands:
    """(min, max, points) of each percent band, in catalog order."""
    return _memo(
        "_memo_bands",
        spec,
        lambda s: tuple((_band_min(o), _band_max(o), o.points) for o in s.options),
    )


def _percent_points(spec: IndicatorSpec, value: Decimal) -> Decimal:
    if not spec.options:  # no bands: proportional to the percentage
        return spec.max_score * value / HUNDRED
    best: Decimal | None = None  # the most points of a band containing the value (first of ties)
    below: Decimal | None = None  # the points of the highest band below it (first of ties)
    below_max: Decimal | None = None
    for low, high, earned in _bands(spec):
        if low <= value <= high:
            if best is None or earned > best:
                best = earned
        elif high < value and (below_max is None or high > below_max):
            below_max, below = high, earned
    if best is not None:
        return best
    # In a gap between bands (74.995 between 0–74.99 and 75–100): the band below.
    return below if below is not None else ZERO


def _build_steps(spec: IndicatorSpec) -> tuple[_Steps, Decimal]:
    """The steps of a ladder or banded percent indicator and the best points among them."""
    if spec.kind == Kind.LADDER:
        steps = sorted(((o.points, o.label, o.points) for o in spec.options), key=lambda s: s[0])
    elif lower_is_better(spec):
        # Lower is better: a band is reached at its maximum ("≤ 4.99%"); the easiest step to
        # reach is the highest value, so steps run from the highest value down.
        bands = {(_band_max(o), f"≤ {format_number(_band_max(o))}%") for o in spec.options}
        steps = sorted(
            ((value, label, points(spec, value)) for value, label in bands), reverse=True
        )
    else:
        bands = {(_band_min(o), f"≥ {format_number(_band_min(o))}%") for o in spec.options}
        steps = sorted((value, label, points(spec, value)) for value, label in bands)
    return tuple(steps), max((step[2] for step in steps), default=ZERO)


def _steps(spec: IndicatorSpec) -> _Steps:
    """The discrete values an indicator can be raised to, easiest first (lowest value first;
    highest first when lower is better)."""
    if spec.kind == Kind.YESNO:  # not memoised: the label follows the active language
        return ((Decimal(1), _("Yes"), spec.max_score),)
    return _memo("_memo_steps", spec, _build_steps)[0]


def _best_points(spec: IndicatorSpec) -> Decimal:
    if spec.kind == Kind.SCORE or (spec.kind == Kind.PERCENT and not spec.options):
        return spec.max_score
    if spec.kind == Kind.YESNO:
        return spec.max_score
    return _memo("_memo_steps", spec, _build_steps)[1]


def _lowest_step(spec: IndicatorSpec, goal: Decimal) -> tuple[Decimal, str, Decimal]:
    """The easiest value of ``spec`` earning at least ``goal`` points: (value, label, points).

    Easiest is the lowest value, or the highest when lower is better (``lower_is_better``)."""
    if spec.kind == Kind.SCORE:
        value = min(goal.quantize(CENT, rounding=ROUND_CEILING), spec.max_score)
        return value, format_number(value), value
    if spec.kind == Kind.PERCENT and not spec.options:
        wanted = (goal * HUNDRED / spec.max_score).quantize(CENT, rounding=ROUND_CEILING)
        value = min(wanted, HUNDRED)
        return value, f"≥ {format_number(value)}%", points(spec, value)
    return next(step for step in _steps(spec) if step[2] >= goal)


# --- what a number is worth: its state, and what is missing --------------------------------


class NumberState(StrEnum):
    """The state a shown number is in, from most to least trustworthy.

    ``verified``: checked by a provincial verifier (locked, or shown "as verified");
    ``submitted``: sent for verification, not checked yet; ``returned``: sent back with reasons;
    ``draft``: being filled; ``carried``: a draft holding only last year's verified values
    (nobody has entered anything for this year yet).
    """

    VERIFIED = "verified"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    DRAFT = "draft"
    CARRIED = "carried"


STATE_ORDER = tuple(NumberState)


def number_state(status: str | None, *, answered: int = 0, carried: int = 0) -> NumberState | None:
    """The state of an assessment's numbers: its workflow status, except that a draft whose
    every answered value is still last year's carried value is ``carried``. None without an
    assessment."""
    if not status:
        return None
    if status == NumberState.DRAFT and answered > 0 and carried >= answered:
        return NumberState.CARRIED
    return NumberState(status)


def is_unverified(state: str | None) -> bool:
    """True for a number nobody has verified (drawn dashed/hollow, listed as such)."""
    return state is not None and state != NumberState.VERIFIED


@dataclass(frozen=True)
class Missing:
    """What an assessment still lacks: unanswered items (indicator codes, or desa codes for
    Kampung KB) and indicators whose required evidence is missing."""

    unanswered: tuple[str, ...] = ()
    evidence: tuple[str, ...] = ()

    @property
    def count(self) -> int:
        return len(self.unanswered) + len(self.evidence)

    @property
    def complete(self) -> bool:
        return self.count == 0

    def summary(self) -> str:
        """One line for the history: how many of each are missing."""
        return _("%(unanswered)s unanswered, %(evidence)s without required evidence") % {
            "unanswered": len(self.unanswered),
            "evidence": len(self.evidence),
        }


def missing_items(
    specs: Sequence[IndicatorSpec],
    values: Mapping[str, Decimal | None],
    evidenced_codes: Collection[str],
) -> Missing:
    """Unanswered indicators and indicators that require evidence and have none, in catalog
    order."""
    return Missing(
        unanswered=tuple(spec.code for spec in specs if values.get(spec.code) is None),
        evidence=tuple(
            spec.code
            for spec in specs
            if spec.evidence_required and spec.code not in evidenced_codes
        ),
    )


# --- a return round: when is it fixed? -------------------------------------------------------


@dataclass(frozen=True)
class FixProgress:
    """How far the region is with one return round.

    ``returned``: the keys of the returned items of the round (indicator codes for APE/KLA, desa
    codes for Kampung KB); the verifier's general note is not an item. ``changed``: the keys
    changed since the return (see :func:`fix_progress`).
    """

    returned: frozenset[str]
    changed: frozenset[str]

    @property
    def total(self) -> int:
        return len(self.returned)

    @property
    def done(self) -> int:
        return len(self.changed)

    @property
    def all_changed(self) -> bool:
        """Every returned item is changed (False for a round with none: a general note only)."""
        return bool(self.returned) and self.changed >= self.returned


def fix_progress(returned: Collection[str], changed: Collection[str]) -> FixProgress:
    """The progress of a round, and what counts as fixed ("diperbaiki").

    A returned item counts as *changed* once, after the return, someone saved a different value
    or note for it, or linked or unlinked a document as its evidence; a save that changes nothing
    does not count, and a change stays counted (changing a value back is still a change: the
    verifier looks at it again). Changes of items that were not returned do not count. The round
    is fixed when every returned item is changed; a round of only a general note never is.
    """
    items = frozenset(returned)
    return FixProgress(items, frozenset(changed) & items)


def completes_round(
    returned: Collection[str], changed_before: Collection[str], changed_now: Collection[str]
) -> bool:
    """True exactly for the change that fixes the round: before it some returned item was still
    unchanged, after it (``changed_before`` plus ``changed_now``) none is. So the koordinator is
    told once per round: not before the last item, not again on a further edit."""
    before = fix_progress(returned, changed_before)
    after = fix_progress(returned, {*changed_before, *changed_now})
    return after.all_changed and not before.all_changed
