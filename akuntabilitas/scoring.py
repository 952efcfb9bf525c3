"""The calendar's rules as pure functions (no database): which stage is current, how many days
are left, when a region is "berisiko", and which reminder threshold is due.

The numbers (stage dates, risk thresholds, reminder days) are data; only the rules' shape is code.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal


@dataclass(frozen=True)
class StageSpec:
    program: str
    code: str
    name: str
    order: int
    starts_on: date
    ends_on: date
    internal_deadline: date | None = None
    example: bool = False

    @property
    def deadline(self) -> date:
        """What the province works to: its own earlier deadline, else the national one."""
        return self.internal_deadline or self.ends_on


@dataclass(frozen=True)
class RiskSpec:
    """At risk below ``min_completeness`` % with fewer than ``days_left`` days to go."""

    min_completeness: Decimal
    days_left: int
    program: str = ""  # empty: every programme


def days_left(deadline: date, today: date) -> int:
    """Whole days from ``today`` to ``deadline`` (0 on the day itself, negative after it)."""
    return (deadline - today).days


def current_stage(stages: Iterable[StageSpec], today: date) -> StageSpec | None:
    """The stage running today (from its start to its national end); when none runs, the next
    one to start; None when every stage is over. Ties go to the earlier deadline, then order."""
    ordered = sorted(stages, key=lambda s: (s.starts_on, s.deadline, s.order, s.code))
    running = [s for s in ordered if s.starts_on <= today <= s.ends_on]
    if running:
        return min(running, key=lambda s: (s.deadline < today, s.deadline, s.order))
    upcoming = [s for s in ordered if s.starts_on > today]
    return upcoming[0] if upcoming else None


def completeness_percent(done: int, total: int) -> Decimal:
    """``done`` of ``total`` as a percentage with one decimal (0 when there is nothing)."""
    if total <= 0:
        return Decimal(0)
    return (Decimal(done) * 100 / Decimal(total)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def is_at_risk(
    completeness: Decimal, left: int, rules: Sequence[RiskSpec], program: str = ""
) -> bool:
    """True when some rule for this programme (or for every programme) has
    ``completeness < min_completeness`` and ``left < days_left``. Reaching the threshold exactly
    is not at risk; a deadline already passed counts as fewer days left."""
    return any(
        (not rule.program or rule.program == program)
        and completeness < rule.min_completeness
        and left < rule.days_left
        for rule in rules
    )


def due_threshold(left: int, thresholds: Iterable[int]) -> int | None:
    """The reminder threshold due with ``left`` days to the deadline: the tightest threshold
    not below ``left`` (7 at 7…2 days, 1 at 1 and 0 days with thresholds 7 and 1), so a missed
    daily run catches up; None before the first threshold and after the deadline."""
    if left < 0:
        return None
    candidates = [t for t in thresholds if t >= left]
    return min(candidates) if candidates else None
