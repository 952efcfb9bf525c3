"""THE readiness read: APE, KLA and Kampung KB per region and year, in a constant number of queries.

Every screen that shows readiness (province dashboard, region page, public page, API, exports)
calls one of:

* :func:`readiness_for_year` — every region of a (scoped) Region queryset for one year;
* :func:`readiness_for_region` — one region over every year that has an edition (or given years);
* :func:`readiness_for_years` — regions × years, the general form of both.

They read the stored result of each assessment (``dashboard.store``, which tells the whole
story: explicit versions, one query, stale rows recomputed in one batch). :func:`compute` is the
computation itself (``dashboard.computation``, with the dataclasses, re-exported here): it loads
sets (``penilaian.queries``, ``kampung_kb.readiness``) and scores in Python with the pure
functions of each programme. The arrows point one way: this module → ``dashboard.store`` →
``dashboard.computation``.

The caller scopes: pass ``scope_for(user).regions()`` (or a region the scope may view). The public
page passes ``verified_only=True``: only verified results count, the others read as absent; an
assessment reopened for correction shows its last verified result (from its snapshot, with
``reopened`` set) until it is verified again.

Each number carries its state (:attr:`ProgramReadiness.state`: verified, submitted, returned,
draft, carried over) from the live status and the stored completeness, and ``incomplete`` from
the stored completeness and missing evidence (or, for a result shown from its snapshot, as it
was recorded at verification).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db.models import QuerySet

from dashboard import store
from dashboard.computation import (
    PROGRAMS,
    KampungKbReadiness,
    MissingEvidence,
    NoEdition,
    Part,
    ProgramReadiness,
    RegionReadiness,
    _RegionRow,
    compute,
    state_label,
    state_labels,
)
from regions.models import Region

__all__ = [
    "PROGRAMS",
    "KampungKbReadiness",
    "MissingEvidence",
    "NoEdition",
    "Part",
    "ProgramReadiness",
    "RegionReadiness",
    "compute",
    "readiness_for_region",
    "readiness_for_year",
    "readiness_for_years",
    "readiness_summaries",
    "state_label",
    "state_labels",
]


def _rows(regions: QuerySet[Region] | Iterable[Region]) -> list[_RegionRow]:
    if isinstance(regions, QuerySet):
        return [
            _RegionRow(*values)
            for values in regions.order_by("code").values_list("id", "code", "name", "kind")
        ]
    return sorted((_RegionRow(r.pk, r.code, r.name, r.kind) for r in regions), key=lambda r: r.code)


def readiness_for_year(
    year: int,
    regions: QuerySet[Region] | Iterable[Region],
    *,
    verified_only: bool = False,
    details: bool = True,
) -> list[RegionReadiness]:
    """Every region of ``regions`` (already scoped by the caller) for ``year``, by region code.

    Raises :class:`NoEdition` when no programme has an edition for ``year``. ``details=False``:
    the gap items and missing evidence are not read (``dashboard.store.Deferred``).
    """
    return readiness_for_years(regions, [year], verified_only=verified_only, details=details)


def readiness_for_years(
    regions: QuerySet[Region] | Iterable[Region],
    years: Sequence[int],
    *,
    verified_only: bool = False,
    details: bool = True,
) -> list[RegionReadiness]:
    """Every region × every year of ``years``, by region code then year.

    The general form of the two reads above. Raises :class:`NoEdition` when no programme has an
    edition in any of ``years``.
    """
    return store.read(
        _rows(regions), sorted(set(years)), verified_only=verified_only, details=details
    )


def readiness_summaries(
    year: int,
    regions: QuerySet[Region] | Iterable[Region],
    *,
    verified_only: bool = False,
):
    """Every region of ``regions`` for ``year`` as ``(region row, programme → (status, stored
    summary JSON))`` (``dashboard.store.summaries``): the cheap read for a list that shows only
    the summary and formats it itself (the API). Raises :class:`NoEdition`."""
    return store.summaries(_rows(regions), year, verified_only=verified_only)


def readiness_for_region(
    region: Region, years: Sequence[int] | None = None, *, verified_only: bool = False
) -> list[RegionReadiness]:
    """One region over ``years`` (default: every year with an edition), oldest year first."""
    row = _RegionRow(region.pk, region.code, region.name, region.kind)
    wanted = None if years is None else sorted(set(years))
    return store.read([row], wanted, verified_only=verified_only)
