"""KLA readiness from loaded plain data: the bridge between ``penilaian.queries`` and scoring."""

from __future__ import annotations

from collections.abc import Mapping

from kla.scoring import KlaResult, score_kla
from penilaian.queries import AssessmentData, CatalogData
from penilaian.scoring import Completeness, completeness


def kla_result(
    catalog: CatalogData,
    data: AssessmentData,
    owner_overrides: Mapping[str, str] | None = None,
) -> tuple[KlaResult, Completeness, tuple[str, ...]]:
    """The KLA result, completeness and invalid codes of one assessment.

    Stored values that are no longer valid for the edition score nothing and are returned as
    invalid codes (to be re-entered). Owners are the region's overrides over the catalog default.
    """
    values, invalid = catalog.clean_values(data.values)
    result = score_kla(
        catalog.specs,
        values,
        catalog.levels,
        owners=catalog.owners(owner_overrides),
        evidence_missing=catalog.evidence_missing(data.evidenced),
        provisional=catalog.provisional_rules,
    )
    return result, completeness(catalog.specs, values, data.evidenced), invalid
