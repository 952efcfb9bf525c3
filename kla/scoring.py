"""KLA scoring: kelembagaan + 5 clusters, the total out of 1000 and the KLA predicate.

Pure functions on plain data; the shared mechanism is ``penilaian.scoring``.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

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

# The rules (codes listed on /metode/) a KLA predicate depends on: the predicate bands, the
# weight of kelembagaan and each cluster, the indicator list and the indicator ladders/bands.
PREDICATE_RULES = ("KLA-PREDIKAT", "KLA-BOBOT", "KLA-INDIKATOR", "KLA-SKALA")


@dataclass(frozen=True)
class GroupResult:
    """Kelembagaan or one cluster: its points out of its weight."""

    code: str
    score: Decimal
    max_score: Decimal


@dataclass(frozen=True)
class KlaResult:
    """A region's KLA readiness for one edition."""

    score: Decimal
    max_score: Decimal
    predicate: Level | None
    next_predicate: Level | None
    points_to_next: Decimal | None
    groups: tuple[GroupResult, ...]
    gap: Gap
    rules: tuple[str, ...] = PREDICATE_RULES
    provisional_rules: tuple[str, ...] = ()

    @property
    def provisional(self) -> bool:
        """Does the predicate rest on a rule the edition marks provisional?"""
        return bool(self.provisional_rules)


def score_kla(
    specs: Sequence[IndicatorSpec],
    values: Mapping[str, Decimal | None],
    levels: Sequence[Level],
    *,
    owners: Mapping[str, str] | None = None,
    evidence_missing: Collection[str] = (),
    provisional: Collection[str] = (),
) -> KlaResult:
    """Group subtotals, total, predicate and the gap to the next predicate.

    ``provisional`` is the codes of the edition's rules marked provisional; the result lists
    those its predicate depends on (``provisional_rules``).
    """
    scores = group_scores(specs, values)
    maxima = group_max(specs)
    score = sum(scores.values(), Decimal(0))
    return KlaResult(
        score=score,
        max_score=sum(maxima.values(), Decimal(0)),
        predicate=level_for(score, levels),
        next_predicate=next_level(score, levels),
        points_to_next=points_to_next(score, levels),
        groups=tuple(GroupResult(group, scores[group], maxima[group]) for group in maxima),
        gap=gap_to_next(specs, values, levels, owners=owners, evidence_missing=evidence_missing),
        rules=PREDICATE_RULES,
        provisional_rules=provisional_among(PREDICATE_RULES, provisional),
    )
