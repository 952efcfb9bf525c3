"""APE readiness from loaded plain data: the bridge between ``penilaian.queries`` and scoring."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from penilaian.queries import AssessmentData, CatalogData
from penilaian.scoring import Completeness, completeness
from prasyarat.scoring import DEFAULT_RATIO, ApeResult, score_ape


def terpenuhi_ratio(params: Mapping[str, object]) -> Decimal:
    """The share of a prerequisite's points at which it is "terpenuhi" (edition parameter)."""
    raw = params.get("terpenuhi_ratio")
    if raw in (None, ""):
        return DEFAULT_RATIO
    try:
        ratio = Decimal(str(raw))
    except InvalidOperation:
        return DEFAULT_RATIO
    return ratio if ratio.is_finite() and 0 < ratio <= 1 else DEFAULT_RATIO


def ape_result(
    catalog: CatalogData,
    data: AssessmentData,
    owner_overrides: Mapping[str, str] | None = None,
) -> tuple[ApeResult, Completeness, tuple[str, ...]]:
    """The APE result, completeness and invalid codes of one assessment.

    Stored values that are no longer valid for the edition score nothing and are returned as
    invalid codes (to be re-entered). Owners are the region's overrides over the catalog default.
    """
    values, invalid = catalog.clean_values(data.values)
    result = score_ape(
        catalog.specs,
        values,
        catalog.levels,
        ratio=terpenuhi_ratio(catalog.params),
        owners=catalog.owners(owner_overrides),
        evidence_missing=catalog.evidence_missing(data.evidenced),
        provisional=catalog.provisional_rules,
    )
    return result, completeness(catalog.specs, values, data.evidenced), invalid
