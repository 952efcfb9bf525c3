"""The readiness computation: what one assessment's readiness is, and how it is computed.

The dataclasses every reader gets (:class:`ProgramReadiness`, :class:`KampungKbReadiness`,
:class:`RegionReadiness`) and :func:`compute`, which loads sets (``penilaian.queries``,
``kampung_kb.readiness``) and scores in Python with the pure functions of each programme.

Both ``dashboard.store`` (which stores what :func:`compute` gives and reads it back) and
``dashboard.readiness`` (the reads every screen calls, through the store) build on this module;
it imports neither, so the two never import each other.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.utils.translation import gettext as _

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
from penilaian.scoring import Completeness, Level, NumberState, number_state
from prasyarat.readiness import ape_result
from prasyarat.scoring import ApeResult

PROGRAMS = (Program.APE, Program.KLA, Program.KAMPUNG_KB)


def state_labels() -> dict[str, str]:
    """The words for each state of a number (in the active language)."""
    return {
        NumberState.VERIFIED: _("verified"),
        NumberState.SUBMITTED: _("submitted, not verified"),
        NumberState.RETURNED: _("returned for correction"),
        NumberState.DRAFT: _("draft"),
        NumberState.CARRIED: _("carried over from last year"),
    }


def state_label(state: str | None) -> str:
    return state_labels().get(state, "") if state else ""


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
    # how many of ``missing_evidence``: kept with the summary, so that ``incomplete`` needs no
    # detail (a summary read leaves the list itself unread)
    evidence_missing: int = 0
    # read "as verified" from the snapshot of an assessment reopened for correction (public
    # page only; live, never stored)
    reopened: bool = False
    frozen_incomplete: bool | None = None

    @property
    def state(self) -> str | None:
        """What the numbers are worth: verified, submitted, returned, draft or carried (a draft
        of last year's values only); None without an assessment (``penilaian.scoring``)."""
        done = self.completeness
        state = number_state(
            self.status,
            answered=done.answered if done else 0,
            carried=len(self.carried_over),
        )
        return str(state) if state else None

    @property
    def state_label(self) -> str:
        return state_label(self.state)

    @property
    def incomplete(self) -> bool:
        """Some indicator unanswered or some required evidence missing (as verified, for a
        result shown from its snapshot)."""
        if self.frozen_incomplete is not None:
            return self.frozen_incomplete
        done = self.completeness
        if done is None:
            return False
        return done.answered < done.total or self.evidence_missing > 0

    @property
    def verified_at(self) -> datetime | None:
        """When the result shown was verified (None unless verified)."""
        if self.status != Assessment.Status.VERIFIED or self.snapshot is None:
            return None
        return self.snapshot.verified_at

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
    desa_with_data: int = 0
    reopened: bool = False
    frozen_incomplete: bool | None = None

    @property
    def status_label(self) -> str:
        return str(Assessment.Status(self.status).label) if self.status else ""

    @property
    def state(self) -> str | None:
        """What the counts are worth (see :attr:`ProgramReadiness.state`)."""
        state = number_state(self.status)
        return str(state) if state else None

    @property
    def state_label(self) -> str:
        return state_label(self.state)

    @property
    def incomplete(self) -> bool:
        """Some desa of the region without data."""
        if self.frozen_incomplete is not None:
            return self.frozen_incomplete
        if self.summary is None:
            return False
        return self.desa_with_data < self.summary.desa_total

    @property
    def verified_at(self) -> datetime | None:
        if self.status != Assessment.Status.VERIFIED or self.snapshot is None:
            return None
        return self.snapshot.verified_at


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


Part = ProgramReadiness | KampungKbReadiness


def compute(
    region_ids: Sequence[int],
    years: Sequence[int],
    catalogs: dict[tuple[str, int], CatalogData] | None = None,
    *,
    as_verified: bool = False,
) -> dict[int, Part]:
    """The readiness of every assessment of ``region_ids`` × ``years``, by assessment id.

    Reads sets (a constant number of queries) and scores with the pure functions. Nothing read
    at every request is in it: ``status``, ``updated_at`` and ``award`` are left empty (the
    store adds them).

    With ``as_verified`` (the public page) only verified results are computed, and an assessment
    an admin reopened for correction is computed from its latest "as verified" snapshot
    (``reopened`` True, status verified, ``frozen_incomplete`` as recorded); the store never
    saves such a result.
    """
    if not region_ids or not years:
        return {}
    years = sorted(set(years))
    if catalogs is None:
        catalogs = load_catalog_map(PROGRAMS, years)
    loaded = load_assessments(PROGRAMS, years, region_ids, verified_only=as_verified)
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
            if data.reopened:
                summary, with_data = _frozen_summary(data.frozen or {})
            else:
                rows = rows_by_assessment.get(data.id, [])
                summary = region_summary(
                    catalog.params,
                    totals.get(data.region_id, 0),
                    rows,
                    desa_potensial=potensial.get((data.region_id, data.year)),
                    rules=catalog.rules,
                )
                with_data = len(rows)
            parts[data.id] = KampungKbReadiness(
                year=data.year,
                has_edition=True,
                assessment_id=data.id,
                version=data.version,
                summary=summary,
                snapshot=data.snapshot,
                desa_with_data=with_data,
                reopened=data.reopened,
                frozen_incomplete=_frozen_incomplete(data),
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
        evidence_missing=len(missing),
        reopened=data.reopened,
        frozen_incomplete=_frozen_incomplete(data),
    )


def _frozen_incomplete(data: AssessmentData | None) -> bool | None:
    """Whether a result shown from its snapshot was incomplete when verified (None: not shown
    from a snapshot, or a snapshot older than that record — then it is computed)."""
    if data is None or not data.reopened or data.frozen is None:
        return None
    value = data.frozen.get("incomplete")
    return bool(value) if value is not None else None


def _frozen_summary(frozen) -> tuple[RegionSummary | None, int]:
    """The Kampung KB summary as verified (from the snapshot) and how many desa had data."""
    raw = frozen.get("summary")
    if not raw:
        return None, 0
    summary = RegionSummary(
        desa_total=int(raw["desa_total"]),
        kampung_kb=int(raw["kampung_kb"]),
        standar=int(raw["standar"]),
        cikar=int(raw["cikar"]),
        persen_kampung_kb=Decimal(str(raw["persen_kampung_kb"])),
        target_persen=Decimal(str(raw["target_persen"])),
        target_tercapai=bool(raw["target_tercapai"]),
        kurang_untuk_target=int(raw["kurang_untuk_target"]),
        desa_potensial=raw.get("desa_potensial"),
        potensial_default=bool(raw.get("potensial_default", True)),
        provisional_rules=tuple(raw.get("provisional_rules") or ()),
    )
    return summary, len(frozen.get("desa") or {})
