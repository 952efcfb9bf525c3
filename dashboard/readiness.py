"""THE readiness read: APE, KLA and Kampung KB per region and year, in a constant number of queries.

Every screen that shows readiness (province dashboard, region page, public page, API, exports)
calls one of:

* :func:`readiness_for_year` — every region of a (scoped) Region queryset for one year;
* :func:`readiness_for_region` — one region over every year that has an edition (or given years);
* :func:`readiness_for_years` — regions × years, the general form of both.

They read the stored result of each assessment (``dashboard.store``, which tells the whole
story: explicit versions, one query, stale rows recomputed in one batch). :func:`compute` is the
computation itself: it loads sets (``penilaian.queries``, ``kampung_kb.readiness``) and scores
in Python with the pure functions of each programme.

The caller scopes: pass ``scope_for(user).regions()`` (or a region the scope may view). The public
page passes ``verified_only=True``: only verified assessments count, the others read as absent.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet

from kampung_kb.readiness import desa_totals, load_desa_rows, load_potensial, region_summary
from kampung_kb.scoring import RegionSummary
from kla.readiness import kla_result
from kla.scoring import KlaResult
from penilaian.models import Assessment, Program
from penilaian.queries import (
    AssessmentData,
    AwardInfo,
    CatalogData,
    SnapshotInfo,
    assessments_for,
    load_assessments,
    load_catalog_map,
)
from penilaian.scoring import Completeness, Level
from prasyarat.readiness import ape_result
from prasyarat.scoring import ApeResult
from regions.models import Region

PROGRAMS = (Program.APE, Program.KLA, Program.KAMPUNG_KB)


class NoEdition(ValueError):
    """No programme has an edition for the requested year."""


@dataclass(frozen=True)
class MissingEvidence:
    """An indicator that requires evidence and has none."""

    code: str
    text: str
    owner: str | None
    answered: bool


@dataclass(frozen=True)
class ProgramReadiness:
    """APE or KLA of one region in one year.

    ``result`` is None when the region has no assessment (or, on the public page, no verified
    one). ``invalid_codes`` are stored values no longer valid for the edition (scored as 0).
    ``award`` is the last official award in or before the year.
    """

    program: str
    year: int
    has_edition: bool
    assessment_id: int | None = None
    status: str | None = None
    version: int | None = None
    updated_at: datetime | None = None
    result: ApeResult | KlaResult | None = None
    completeness: Completeness | None = None
    invalid_codes: tuple[str, ...] = ()
    carried_over: frozenset[str] = frozenset()
    snapshot: SnapshotInfo | None = None
    award: AwardInfo | None = None
    missing_evidence: tuple[MissingEvidence, ...] = ()

    @property
    def level(self) -> Level | None:
        """The APE category or KLA predicate reached (None below the lowest or without data)."""
        if isinstance(self.result, ApeResult):
            return self.result.category
        if isinstance(self.result, KlaResult):
            return self.result.predicate
        return None

    @property
    def next_level(self) -> Level | None:
        if isinstance(self.result, ApeResult):
            return self.result.next_category
        if isinstance(self.result, KlaResult):
            return self.result.next_predicate
        return None

    @property
    def level_name(self) -> str | None:
        return self.level.name if self.level else None

    @property
    def award_differs(self) -> bool | None:
        """Does the official award differ from where the region's data puts it in the same year?

        None = unknown, and None when the last award is of another year: a 2023 award is not
        compared with a 2025 score (the pages name both years instead).
        """
        if self.award is None or self.result is None or self.award.year != self.year:
            return None
        return self.award.differs_from(self.level_name)

    @property
    def snapshot_differs(self) -> bool | None:
        """Does the current score differ from the latest "as verified" score? None = no snapshot."""
        if self.snapshot is None or self.result is None or self.snapshot.score is None:
            return None
        return self.snapshot.score != self.result.score

    @property
    def status_label(self) -> str:
        return str(Assessment.Status(self.status).label) if self.status else ""


@dataclass(frozen=True)
class KampungKbReadiness:
    """Kampung KB of one region in one year (``summary`` None without an assessment)."""

    year: int
    has_edition: bool
    assessment_id: int | None = None
    status: str | None = None
    version: int | None = None
    updated_at: datetime | None = None
    summary: RegionSummary | None = None
    snapshot: SnapshotInfo | None = None

    @property
    def status_label(self) -> str:
        return str(Assessment.Status(self.status).label) if self.status else ""


@dataclass(frozen=True)
class RegionReadiness:
    """One region's readiness in one year, all three programmes."""

    region_id: int
    region_code: str
    region_name: str
    region_kind: str
    year: int
    ape: ProgramReadiness
    kla: ProgramReadiness
    kampung_kb: KampungKbReadiness


@dataclass(frozen=True)
class _RegionRow:
    id: int
    code: str
    name: str
    kind: str


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
) -> list[RegionReadiness]:
    """Every region of ``regions`` (already scoped by the caller) for ``year``, by region code.

    Raises :class:`NoEdition` when no programme has an edition for ``year``.
    """
    return readiness_for_years(regions, [year], verified_only=verified_only)


def readiness_for_years(
    regions: QuerySet[Region] | Iterable[Region],
    years: Sequence[int],
    *,
    verified_only: bool = False,
) -> list[RegionReadiness]:
    """Every region × every year of ``years``, by region code then year.

    The general form of the two reads above. Raises :class:`NoEdition` when no programme has an
    edition in any of ``years``.
    """
    from dashboard import store

    return store.read(_rows(regions), sorted(set(years)), verified_only=verified_only)


def readiness_for_region(
    region: Region, years: Sequence[int] | None = None, *, verified_only: bool = False
) -> list[RegionReadiness]:
    """One region over ``years`` (default: every year with an edition), oldest year first."""
    from dashboard import store

    row = _RegionRow(region.pk, region.code, region.name, region.kind)
    wanted = None if years is None else sorted(set(years))
    return store.read([row], wanted, verified_only=verified_only)


Part = ProgramReadiness | KampungKbReadiness


def compute(
    region_ids: Sequence[int],
    years: Sequence[int],
    catalogs: dict[tuple[str, int], CatalogData] | None = None,
) -> dict[int, Part]:
    """The readiness of every assessment of ``region_ids`` × ``years``, by assessment id.

    Reads sets (a constant number of queries) and scores with the pure functions. Nothing read
    at every request is in it: ``status``, ``updated_at`` and ``award`` are left empty.
    """
    if not region_ids or not years:
        return {}
    years = sorted(set(years))
    if catalogs is None:
        catalogs = load_catalog_map(PROGRAMS, years)
    loaded = load_assessments(PROGRAMS, years, region_ids)
    kkb = assessments_for(Program.KAMPUNG_KB, years, region_ids)
    rows_by_assessment = load_desa_rows(kkb)
    totals = desa_totals(region_ids)
    potensial = load_potensial(region_ids, years)
    parts: dict[int, Part] = {}
    for data in loaded.assessments.values():
        catalog = catalogs.get((data.program, data.year))
        if catalog is None:
            continue
        if data.program == Program.KAMPUNG_KB:
            summary = region_summary(
                catalog.params,
                totals.get(data.region_id, 0),
                rows_by_assessment.get(data.id, []),
                desa_potensial=potensial.get((data.region_id, data.year)),
                rules=catalog.rules,
            )
            parts[data.id] = KampungKbReadiness(
                year=data.year,
                has_edition=True,
                assessment_id=data.id,
                version=data.version,
                summary=summary,
                snapshot=data.snapshot,
            )
            continue
        scorer = ape_result if data.program == Program.APE else kla_result
        parts[data.id] = _program(
            data.program,
            data.year,
            catalog,
            data,
            loaded.owners_for(data.region_id),
            None,
            scorer,
        )
    return parts


def _program(
    program: str,
    year: int,
    catalog: CatalogData | None,
    data: AssessmentData | None,
    owners,
    award: AwardInfo | None,
    scorer,
) -> ProgramReadiness:
    if catalog is None or data is None:
        return ProgramReadiness(program, year, has_edition=catalog is not None, award=award)
    outcome, done, invalid = scorer(catalog, data, owners)
    owner_of = catalog.owners(owners)
    missing = catalog.evidence_missing(data.evidenced)
    return ProgramReadiness(
        program=program,
        year=year,
        has_edition=True,
        assessment_id=data.id,
        status=data.status,
        version=data.version,
        updated_at=data.updated_at,
        result=outcome,
        completeness=done,
        invalid_codes=invalid,
        carried_over=data.carried_over,
        snapshot=data.snapshot,
        award=award,
        missing_evidence=tuple(
            MissingEvidence(
                code=spec.code,
                text=spec.text,
                owner=owner_of.get(spec.code),
                answered=data.values.get(spec.code) is not None,
            )
            for spec in catalog.specs
            if spec.code in missing
        ),
    )
