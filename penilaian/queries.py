"""Loading catalogs and assessments as plain data, with a constant number of queries.

The readiness reads (dashboard, region page, public page, API, exports) never loop over
regions, assessments or indicators with a query each. Everything here loads *sets*:

* :func:`load_catalog_map` — the catalogs (groups, indicator specs, levels, parameters) of many
  programmes and years in 4 queries;
* :func:`load_assessments` — status, version, values, evidence, carried-over flags and the
  latest verified snapshot of every assessment of some programmes, years and regions, plus the
  regions' indicator owners, in 5 queries;
* :func:`load_awards` — the published award history of some regions in 1 query.

The results are frozen dataclasses of plain values that the pure ``scoring`` functions take.
QuerySet helpers (:func:`assessments_for`, :func:`verified`) build the unevaluated querysets
used as SQL subqueries, so no list of ids ever grows with the data.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from functools import cached_property
from typing import Any, NamedTuple

from django.db.models import Count, Q, QuerySet

from penilaian import scoring
from penilaian.models import (
    Answer,
    Assessment,
    AwardResult,
    Edition,
    EvidenceLink,
    Group,
    Indicator,
    IndicatorOwner,
    Level,
    Program,
    ProgramYear,
    ReturnReason,
    VerifiedSnapshot,
)


@dataclass(frozen=True)
class GroupInfo:
    """A prerequisite, kelembagaan/cluster or criteria group of an edition."""

    code: str
    name: str
    order: int
    max_score: Decimal


@dataclass(frozen=True)
class CatalogData:
    """One edition's catalog as plain data: what the scoring functions need."""

    edition_id: int
    program: str
    year: int
    name: str
    params: Mapping[str, Any]
    groups: tuple[GroupInfo, ...]
    specs: tuple[scoring.IndicatorSpec, ...]
    levels: tuple[scoring.Level, ...]
    indicator_ids: Mapping[str, int]
    rules: tuple[Mapping[str, Any], ...] = ()

    @cached_property
    def provisional_rules(self) -> frozenset[str]:
        """Codes of the edition's rules marked provisional (listed on /metode/)."""
        return frozenset(rule["code"] for rule in self.rules if rule.get("provisional"))

    @cached_property
    def by_code(self) -> dict[str, scoring.IndicatorSpec]:
        """Indicator spec per code."""
        return {spec.code: spec for spec in self.specs}

    @property
    def codes(self) -> frozenset[str]:
        return frozenset(self.by_code)

    def owners(self, overrides: Mapping[str, str] | None = None) -> dict[str, str | None]:
        """Owner OPD kind code per indicator: the region's override, else the default kind."""
        overrides = overrides or {}
        return {spec.code: overrides.get(spec.code, spec.owner) for spec in self.specs}

    def evidence_missing(self, evidenced: Collection[str]) -> frozenset[str]:
        """Indicators that require evidence and have no evidence link."""
        return frozenset(
            spec.code
            for spec in self.specs
            if spec.evidence_required and spec.code not in evidenced
        )

    def clean_values(
        self, values: Mapping[str, Decimal | None]
    ) -> tuple[dict[str, Decimal | None], tuple[str, ...]]:
        """Values of this catalog's indicators that are valid for it, and the invalid codes.

        A stored value can become invalid when an admin edits the edition (a ladder step
        removed). Such a value scores nothing here and is reported so it can be re-entered;
        values of codes not in the catalog are ignored.
        """
        clean: dict[str, Decimal | None] = {}
        invalid: list[str] = []
        for spec in self.specs:
            value = values.get(spec.code)
            if value is not None and scoring.validate_value(spec, value) is not None:
                invalid.append(spec.code)
                continue
            clean[spec.code] = value
        return clean, tuple(invalid)


@dataclass(frozen=True)
class SnapshotInfo:
    """The latest "as verified" snapshot of an assessment (its data is not loaded here)."""

    id: int
    score: Decimal | None
    level_name: str
    verified_at: datetime


@dataclass(frozen=True)
class AssessmentData:
    """One assessment as plain data (APE/KLA values; Kampung KB rows are loaded by its app)."""

    id: int
    program: str
    year: int
    edition_id: int
    region_id: int
    status: str
    version: int
    updated_at: datetime
    values: Mapping[str, Decimal | None] = field(default_factory=dict)
    carried_over: frozenset[str] = frozenset()
    evidenced: frozenset[str] = frozenset()
    snapshot: SnapshotInfo | None = None
    # Read "as verified" (``verified_only``): an assessment an admin reopened shows its latest
    # snapshot — ``reopened`` is then True, ``status`` "verified" and ``frozen`` the snapshot.
    reopened: bool = False
    frozen: Mapping[str, Any] | None = None

    @property
    def is_verified(self) -> bool:
        return self.status == Assessment.Status.VERIFIED


@dataclass(frozen=True)
class LoadedAssessments:
    """Assessments keyed by (programme, region id, year) and indicator owners per region."""

    assessments: Mapping[tuple[str, int, int], AssessmentData]
    owners: Mapping[int, Mapping[str, str]]

    def get(self, program: str, region_id: int, year: int) -> AssessmentData | None:
        return self.assessments.get((program, region_id, year))

    def owners_for(self, region_id: int) -> Mapping[str, str]:
        """The region's owner overrides (indicator code → OPD kind code)."""
        return self.owners.get(region_id, {})


@dataclass(frozen=True)
class AwardSource:
    """One reported result with its own standing, published score and sources."""

    result: str
    standing: str
    confidence: str
    published_score: Decimal | None
    source_urls: tuple[str, ...]
    note: str = ""


@dataclass(frozen=True)
class AwardInfo:
    """The official results of one programme in one year (several when reports conflict).

    ``standing`` is resmi, diduga (inferred) or bertentangan (sources disagree); ``reports``
    keeps each reported result with its own sources, so both sides of a conflict are named.
    """

    program: str
    year: int
    results: tuple[str, ...]
    conflicting: bool
    source_urls: tuple[str, ...]
    standing: str = "resmi"
    reports: tuple[AwardSource, ...] = ()

    @property
    def published_score(self) -> Decimal | None:
        """The score a source publishes with the result (one report only), else None."""
        scores = {r.published_score for r in self.reports if r.published_score is not None}
        return next(iter(scores)) if len(scores) == 1 else None

    def differs_from(self, level_name: str | None) -> bool:
        """True when ``level_name`` (None = below every level) is not among the results."""
        if level_name is None:
            return True
        return level_name.strip().lower() not in {r.strip().lower() for r in self.results}


# --- the current evaluation year -------------------------------------------------------------


def current_years() -> dict[str, int]:
    """The current evaluation year per programme, as the admin set it (1 query)."""
    return dict(ProgramYear.objects.order_by().values_list("program", "year"))


def current_year(program: str | None = None, years: Collection[int] = ()) -> int | None:
    """The year a page opens on: the programme's current year, or for a page of every programme
    the newest of them; ``years`` (when given) are the years that may be chosen — a current year
    outside them is ignored. None when the admin set none (1 query)."""
    chosen = current_years()
    if program is not None:
        candidates = [chosen[program]] if program in chosen else []
    else:
        candidates = list(chosen.values())
    if years:
        candidates = [year for year in candidates if year in years]
    return max(candidates) if candidates else None


def with_verified_result(queryset: QuerySet[Assessment]) -> QuerySet[Assessment]:
    """Assessments with a verified result to show: verified now, or verified before and
    reopened by an admin (their latest "as verified" snapshot stands until verified again)."""
    return queryset.filter(
        Q(status=Assessment.Status.VERIFIED)
        | Q(pk__in=VerifiedSnapshot.objects.order_by().values("assessment_id"))
    )


# --- QuerySet helpers -------------------------------------------------------------------------


def _as_tuple(items: str | Iterable[Any]) -> tuple[Any, ...]:
    return (items,) if isinstance(items, str) else tuple(items)


def assessments_for(
    programs: str | Iterable[str],
    years: Iterable[int] | None,
    region_ids: Iterable[int] | QuerySet | None,
) -> QuerySet[Assessment]:
    """Unevaluated queryset of the assessments of ``programs`` × ``years`` × regions.

    ``years=None`` means every year; ``region_ids`` may be ids or a Region queryset.
    """
    qs = Assessment.objects.filter(edition__program__in=_as_tuple(programs)).order_by()
    if years is not None:
        qs = qs.filter(edition__year__in=tuple(years))
    if region_ids is not None:
        qs = qs.filter(region__in=region_ids)
    return qs


def verified(queryset: QuerySet[Assessment]) -> QuerySet[Assessment]:
    """Only verified assessments (what the public may see)."""
    return queryset.filter(status=Assessment.Status.VERIFIED)


# --- catalogs ---------------------------------------------------------------------------------


class _IndicatorRow(NamedTuple):
    """The fields ``Indicator.to_spec`` reads, loaded as a tuple (no model instance)."""

    pk: int
    edition_id: int
    group_id: int
    code: str
    order: int
    kind: str
    max_score: Decimal
    options: Any
    text: str
    evidence_required: bool
    owner: str | None


class _LevelRow(NamedTuple):
    """The fields ``Level.to_spec`` reads."""

    edition_id: int
    code: str
    name: str
    lower_bound: Decimal
    order: int


def load_catalog_map(
    programs: str | Iterable[str], years: Iterable[int] | None = None
) -> dict[tuple[str, int], CatalogData]:
    """Catalogs keyed by (programme, year), in 4 queries whatever the number of editions.

    ``years=None`` loads every edition of the programmes. Years without an edition are absent.
    Rows are read as tuples and converted by the models' own ``to_spec`` (no model instances).
    """
    editions_qs = Edition.objects.filter(program__in=_as_tuple(programs)).order_by()
    if years is not None:
        editions_qs = editions_qs.filter(year__in=tuple(years))
    editions = list(editions_qs.values_list("id", "program", "year", "name", "params", "rules"))
    if not editions:
        return {}
    groups: dict[int, list[GroupInfo]] = defaultdict(list)
    group_codes: dict[int, str] = {}
    group_rows = (
        Group.objects.filter(edition__in=editions_qs)
        .order_by("edition_id", "order")
        .values_list("id", "edition_id", "code", "name", "order", "max_score")
    )
    for pk, edition_id, code, name, order, max_score in group_rows:
        group_codes[pk] = code
        groups[edition_id].append(GroupInfo(code, name, order, max_score))
    group_rank = {pk: index for index, pk in enumerate(group_codes)}
    specs: dict[int, list[scoring.IndicatorSpec]] = defaultdict(list)
    ids: dict[int, dict[str, int]] = defaultdict(dict)
    indicator_rows = (
        Indicator.objects.filter(edition__in=editions_qs)
        .order_by()
        .values_list(
            "id",
            "edition_id",
            "group_id",
            "code",
            "order",
            "kind",
            "max_score",
            "options",
            "text",
            "evidence_required",
            "owner_kind__code",
        )
    )
    indicators = sorted(
        (_IndicatorRow(*row) for row in indicator_rows),
        key=lambda ind: (group_rank[ind.group_id], ind.order, ind.code),
    )
    for indicator in indicators:
        group_code = group_codes[indicator.group_id]
        spec = Indicator.to_spec(indicator, group_code, indicator.owner)  # type: ignore[arg-type]
        specs[indicator.edition_id].append(spec)
        ids[indicator.edition_id][indicator.code] = indicator.pk
    levels: dict[int, list[scoring.Level]] = defaultdict(list)
    level_rows = (
        Level.objects.filter(edition__in=editions_qs)
        .order_by("edition_id", "order")
        .values_list("edition_id", "code", "name", "lower_bound", "order")
    )
    for row in level_rows:
        level = _LevelRow(*row)
        levels[level.edition_id].append(Level.to_spec(level))  # type: ignore[arg-type]
    return {
        (program, year): CatalogData(
            edition_id=pk,
            program=program,
            year=year,
            name=name,
            params=dict(params or {}),
            groups=tuple(groups[pk]),
            specs=tuple(specs[pk]),
            levels=tuple(levels[pk]),
            indicator_ids=dict(ids[pk]),
            rules=tuple(rule for rule in rules or () if isinstance(rule, dict) and "code" in rule),
        )
        for pk, program, year, name, params, rules in editions
    }


def load_catalogs(program: str, years: Iterable[int] | None = None) -> dict[int, CatalogData]:
    """One programme's catalogs keyed by year (4 queries)."""
    return {year: catalog for (_, year), catalog in load_catalog_map(program, years).items()}


def load_catalog(edition: Edition) -> CatalogData:
    """The catalog of one edition (4 queries). Raises KeyError if the edition vanished."""
    return load_catalog_map(edition.program, [edition.year])[(edition.program, edition.year)]


# --- assessments ------------------------------------------------------------------------------


def load_owner_overrides(region_ids: Iterable[int] | QuerySet) -> dict[int, dict[str, str]]:
    """Each region's own owner choices (indicator code → OPD kind code), in 1 query."""
    owners: dict[int, dict[str, str]] = defaultdict(dict)
    rows = (
        IndicatorOwner.objects.filter(region__in=region_ids)
        .order_by()
        .values_list("region_id", "indicator_code", "owner_kind__code")
    )
    for region_id, code, kind in rows:
        owners[region_id][code] = kind
    return dict(owners)


def load_assessments(
    programs: str | Iterable[str],
    years: Iterable[int] | None,
    region_ids: Iterable[int] | QuerySet,
    *,
    verified_only: bool = False,
) -> LoadedAssessments:
    """Plain data of every matching assessment, in 5 queries whatever the amount of data.

    Queries: assessments; answers (code, value, carried over); evidence links (codes);
    snapshots (latest per assessment is picked here); the regions' owner overrides.
    With ``verified_only`` (the public page) only verified results are loaded: verified
    assessments, and those an admin reopened for correction as their latest snapshot
    (:func:`as_verified`), so a correction in progress never hides the last verified result.
    """
    region_ids = region_ids if isinstance(region_ids, QuerySet) else tuple(region_ids)
    qs = assessments_for(programs, years, region_ids)
    if verified_only:
        qs = with_verified_result(qs)
    base = list(
        qs.values_list(
            "id",
            "edition__program",
            "edition__year",
            "edition_id",
            "region_id",
            "status",
            "version",
            "updated_at",
        )
    )
    ids = qs.values("id")  # an SQL subquery, never a growing list of ids
    values: dict[int, dict[str, Decimal | None]] = defaultdict(dict)
    carried: dict[int, set[str]] = defaultdict(set)
    answers = (
        Answer.objects.filter(assessment__in=ids)
        .order_by()
        .values_list("assessment_id", "indicator__code", "value", "carried_over")
    )
    for assessment_id, code, value, carried_over in answers:
        values[assessment_id][code] = value
        if carried_over:
            carried[assessment_id].add(code)
    evidenced: dict[int, set[str]] = defaultdict(set)
    links = (
        EvidenceLink.objects.filter(assessment__in=ids)
        .order_by()
        .values_list("assessment_id", "indicator__code")
        .distinct()
    )
    for assessment_id, code in links:
        evidenced[assessment_id].add(code)
    snapshots: dict[int, SnapshotInfo] = {}
    frozen: dict[int, Mapping[str, Any]] = {}
    fields = ["assessment_id", "id", "score", "level_name", "verified_at"]
    rows = (
        VerifiedSnapshot.objects.filter(assessment__in=ids)
        .order_by("assessment_id", "-verified_at", "-pk")
        .values_list(*fields, *(["data"] if verified_only else []))
    )
    for assessment_id, pk, score, level_name, verified_at, *data in rows:
        if assessment_id not in snapshots:
            snapshots[assessment_id] = SnapshotInfo(pk, score, level_name, verified_at)
            if data:
                frozen[assessment_id] = data[0] or {}
    owners = load_owner_overrides(region_ids)
    assessments = {}
    for pk, program, year, edition_id, region_id, status, version, updated_at in base:
        item = AssessmentData(
            id=pk,
            program=program,
            year=year,
            edition_id=edition_id,
            region_id=region_id,
            status=status,
            version=version,
            updated_at=updated_at,
            values=dict(values.get(pk, {})),
            carried_over=frozenset(carried.get(pk, ())),
            evidenced=frozenset(evidenced.get(pk, ())),
            snapshot=snapshots.get(pk),
            frozen=frozen.get(pk),
        )
        if verified_only and status != Assessment.Status.VERIFIED and pk in frozen:
            item = as_verified(item, frozen[pk])
        assessments[(program, region_id, year)] = item
    return LoadedAssessments(assessments=assessments, owners=owners)


def as_verified(data: AssessmentData, frozen: Mapping[str, Any]) -> AssessmentData:
    """An assessment reopened for correction, as it was verified: the snapshot's values,
    carried-over marks and evidence (the live ones for an old snapshot without them)."""
    values: dict[str, Decimal | None] = {}
    for code, text in (frozen.get("values") or {}).items():
        values[code] = None if text is None else Decimal(str(text))
    return AssessmentData(
        id=data.id,
        program=data.program,
        year=data.year,
        edition_id=data.edition_id,
        region_id=data.region_id,
        status=Assessment.Status.VERIFIED,
        version=data.version,
        updated_at=data.updated_at,
        values=values if "values" in frozen else data.values,
        carried_over=frozenset(frozen.get("carried_over", data.carried_over)),
        evidenced=frozenset(frozen["evidenced"]) if "evidenced" in frozen else data.evidenced,
        snapshot=data.snapshot,
        reopened=True,
        frozen=frozen,
    )


def load_assessment(assessment: Assessment) -> AssessmentData:
    """Plain data of one assessment (5 queries)."""
    loaded = load_assessments(
        assessment.edition.program, [assessment.edition.year], [assessment.region_id]
    )
    data = loaded.get(assessment.edition.program, assessment.region_id, assessment.edition.year)
    if data is None:  # pragma: no cover - the assessment was deleted meanwhile
        raise Assessment.DoesNotExist
    return data


# --- awards -----------------------------------------------------------------------------------


def load_awards(
    region_ids: Iterable[int] | QuerySet,
    programs: Collection[str] = (Program.APE, Program.KLA),
    max_year: int | None = None,
) -> dict[tuple[int, str], tuple[AwardInfo, ...]]:
    """Award history per (region id, programme), oldest year first, in 1 query."""
    region_ids = region_ids if isinstance(region_ids, QuerySet) else tuple(region_ids)
    qs = AwardResult.objects.filter(region__in=region_ids, program__in=tuple(programs))
    if max_year is not None:
        qs = qs.filter(year__lte=max_year)
    grouped: dict[tuple[int, str, int], list[tuple[str, bool, AwardSource]]] = defaultdict(list)
    rows = qs.order_by("region_id", "program", "year", "result").values_list(
        "region_id",
        "program",
        "year",
        "result",
        "conflicting",
        "source_urls",
        "confidence",
        "published_score",
        "note",
    )
    for region_id, program, year, result, conflicting, urls, confidence, score, note in rows:
        report = AwardSource(
            result=result,
            standing=str(scoring.award_standing(confidence or "", conflicting)),
            confidence=confidence or "",
            published_score=score,
            source_urls=tuple(str(url) for url in urls or ()),
            note=note or "",
        )
        grouped[(region_id, program, year)].append((result, conflicting, report))
    awards: dict[tuple[int, str], list[AwardInfo]] = defaultdict(list)
    for (region_id, program, year), items in grouped.items():
        reports = tuple(report for _, _, report in items)
        conflicting = len(items) > 1 or any(flag for _, flag, _ in items)
        if conflicting:
            standing = scoring.AwardStanding.BERTENTANGAN
        elif any(r.standing == scoring.AwardStanding.DIDUGA for r in reports):
            standing = scoring.AwardStanding.DIDUGA
        else:
            standing = scoring.AwardStanding.RESMI
        awards[(region_id, program)].append(
            AwardInfo(
                program=program,
                year=year,
                results=tuple(result for result, _, _ in items),
                conflicting=conflicting,
                source_urls=tuple(dict.fromkeys(url for r in reports for url in r.source_urls)),
                standing=str(standing),
                reports=reports,
            )
        )
    return {key: tuple(value) for key, value in awards.items()}


def last_award(awards: Iterable[AwardInfo], year: int) -> AwardInfo | None:
    """The most recent award in or before ``year``."""
    eligible = [award for award in awards if award.year <= year]
    return max(eligible, key=lambda award: award.year) if eligible else None


def frequent_return_reasons(
    region_ids: Collection[int], limit: int = 5
) -> dict[int, list[tuple[str, str, int]]]:
    """Per region, its most frequent return reasons over every round and year (one query):
    ``[(code, name, count), …]``, most frequent first, at most ``limit`` each."""
    through = ReturnReason.categories.through
    rows = (
        through.objects.filter(returnreason__assessment__region_id__in=list(region_ids))
        .values(
            "returnreason__assessment__region_id",
            "returncategory__code",
            "returncategory__name",
            "returncategory__order",
        )
        .annotate(n=Count("pk"))
        .order_by(
            "returnreason__assessment__region_id",
            "-n",
            "returncategory__order",
            "returncategory__code",
        )
    )
    result: dict[int, list[tuple[str, str, int]]] = defaultdict(list)
    for row in rows:
        found = result[row["returnreason__assessment__region_id"]]
        if len(found) < limit:
            found.append((row["returncategory__code"], row["returncategory__name"], row["n"]))
    return dict(result)
