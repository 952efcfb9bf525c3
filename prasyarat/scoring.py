"""APE scoring: the 7 PUG prerequisites, the total out of 100 and the APE category.

Pure functions on plain data; the shared mechanism is ``penilaian.scoring``.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from penilaian.scoring import (
    Gap,
    IndicatorSpec,
    Level,
    gap_to_next,
    group_max,
    group_scores,
    level_for,
    next_level,
    points_to_next,
    provisional_among,
)

DEFAULT_RATIO = Decimal("0.8")

# The rules (codes listed on /metode/) an APE category depends on: the category bands, the
# weight of each prerequisite and the indicator ladders and bands that give the points.
CATEGORY_RULES = ("APE-KATEGORI", "APE-BOBOT", "APE-SKALA")
# A prerequisite's state (terpenuhi/sebagian/belum) depends on the same points and the ratio.
STATE_RULES = ("APE-BOBOT", "APE-SKALA", "APE-TERPENUHI")


class State(StrEnum):
    TERPENUHI = "terpenuhi"
    SEBAGIAN = "sebagian"
    BELUM = "belum"


@dataclass(frozen=True)
class PrerequisiteResult:
    """One prerequisite (an indicator group): its points and state."""

    code: str
    score: Decimal
    max_score: Decimal
    state: State


@dataclass(frozen=True)
class ApeResult:
    """A region's APE readiness for one edition."""

    score: Decimal
    max_score: Decimal
    category: Level | None
    next_category: Level | None
    points_to_next: Decimal | None
    prerequisites: tuple[PrerequisiteResult, ...]
    gap: Gap
    rules: tuple[str, ...] = CATEGORY_RULES
    provisional_rules: tuple[str, ...] = ()

    @property
    def provisional(self) -> bool:
        """Does the category rest on a rule the edition marks provisional?"""
        return bool(self.provisional_rules)


def state_for(score: Decimal, max_score: Decimal, ratio: Decimal = DEFAULT_RATIO) -> State:
    """Terpenuhi at ≥ ``ratio`` of the maximum, sebagian above 0, belum at 0."""
    if score <= 0:
        return State.BELUM
    if score >= max_score * ratio:
        return State.TERPENUHI
    return State.SEBAGIAN


def score_ape(
    specs: Sequence[IndicatorSpec],
    values: Mapping[str, Decimal | None],
    levels: Sequence[Level],
    *,
    ratio: Decimal = DEFAULT_RATIO,
    owners: Mapping[str, str] | None = None,
    evidence_missing: Collection[str] = (),
    provisional: Collection[str] = (),
) -> ApeResult:
    """Prerequisite scores and states, total, category and the gap to the next category.

    ``provisional`` is the codes of the edition's rules marked provisional; the result lists
    those its category depends on (``provisional_rules``).
    """
    scores = group_scores(specs, values)
    maxima = group_max(specs)
    score = sum(scores.values(), Decimal(0))
    return ApeResult(
        score=score,
        max_score=sum(maxima.values(), Decimal(0)),
        category=level_for(score, levels),
        next_category=next_level(score, levels),
        points_to_next=points_to_next(score, levels),
        prerequisites=tuple(
            PrerequisiteResult(
                code=group,
                score=scores[group],
                max_score=maxima[group],
                state=state_for(scores[group], maxima[group], ratio),
            )
            for group in maxima
        ),
        gap=gap_to_next(specs, values, levels, owners=owners, evidence_missing=evidence_missing),
        rules=CATEGORY_RULES,
        provisional_rules=provisional_among(CATEGORY_RULES, provisional),
    )
