"""Read models of the dashboard screens, each built with a constant number of queries.

The numbers come from THE readiness read (``dashboard.readiness``); this module adds what a
screen needs around it — the year to show, group names, the trend over the years, indicator
values across regions, the desa list, workflow history — always by sets, never per row, and
turns the readiness dataclasses into rows that the templates and the xlsx exports both read, so
that a page and its export show the same numbers.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.paginator import Page, Paginator
from django.db.models import (
    Case,
    Count,
    IntegerField,
    Max,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from dashboard.readiness import ProgramReadiness, RegionReadiness
from kampung_kb.readiness import DesaStatus, desa_statuses, provisional_codes, thresholds_for
from kampung_kb.scoring import BKKBN_RULES, CIKAR_RULES, RegionSummary, summarize
from penilaian import scoring
from penilaian.models import (
    Answer,
    Assessment,
    AwardResult,
    Edition,
    Group,
    Program,
    WorkflowEvent,
)
from penilaian.queries import (
    AwardInfo,
    current_year,
    load_assessments,
    load_awards,
    load_catalog_map,
    with_verified_result,
)
from prasyarat.scoring import ApeResult
from regions.models import Opd, OpdKind, Region

# Short labels of the groups, shown next to their marks and bars (full names in the legend).
GROUP_ABBR = {
    (Program.APE, "komitmen"): "KOM",
    (Program.APE, "kebijakan"): "KEB",
    (Program.APE, "kelembagaan"): "KEL",
    (Program.APE, "sumber_daya"): "SDA",
    (Program.APE, "data_terpilah"): "DAT",
    (Program.APE, "alat_analisis"): "ALA",
    (Program.APE, "partisipasi_masyarakat"): "PAR",
    (Program.KLA, "kelembagaan"): "KL",
    (Program.KLA, "klaster_1"): "K1",
    (Program.KLA, "klaster_2"): "K2",
    (Program.KLA, "klaster_3"): "K3",
    (Program.KLA, "klaster_4"): "K4",
    (Program.KLA, "klaster_5"): "K5",
}
REGIONS_PER_PAGE = 50
DESA_PER_PAGE = 100


def group_abbr(program: str, code: str) -> str:
    """The short label of a group: the known abbreviation, else its first letters."""
    return GROUP_ABBR.get((program, code), code.replace("_", "")[:3].upper())


# --- the year ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class YearChoice:
    """The year shown, the years that can be chosen (newest first) and why a request was refused."""

    year: int | None
    years: tuple[int, ...]
    error: str | None = None


def edition_years() -> list[int]:
    """Every year with an edition of any programme, oldest first (1 query)."""
    return sorted(set(Edition.objects.order_by().values_list("year", flat=True).distinct()))


def choose_year(
    raw: str | None,
    regions: QuerySet[Region],
    *,
    verified_only: bool = False,
    program: str | None = None,
) -> YearChoice:
    """The requested ``?tahun=`` if it has an edition, else the year the page opens on (2 queries).

    That is the current evaluation year the admin set (``penilaian.ProgramYear``: the
    ``program``'s, or the newest of them for a page of every programme) — never moved by an
    officer opening or starting next year's assessment. The public page (``verified_only``)
    opens on the newest year in which a region of ``regions`` has a verified result (also one
    reopened for correction, shown as verified). Without either, the newest edition year up to
    this year. A bad value is refused with a message and changes nothing else.
    """
    years = tuple(Edition.objects.order_by("-year").values_list("year", flat=True).distinct())
    error = None
    if raw not in (None, ""):
        year = int(raw) if raw.strip().isdigit() else None
        if year in years:
            return YearChoice(year, years)
        error = _("There is no data for year %(year)s; showing the current year.") % {
            "year": raw.strip()[:10]
        }
    if verified_only:
        latest = with_verified_result(Assessment.objects.filter(region__in=regions)).aggregate(
            latest=Max("edition__year")
        )["latest"]
    else:
        latest = current_year(program, years)
    if latest is None:
        this_year = timezone.localdate().year
        latest = next((year for year in years if year <= this_year), years[0] if years else None)
    return YearChoice(latest, years, error)


def paginate_regions(
    regions: QuerySet[Region], page: str | None, per_page: int = REGIONS_PER_PAGE
) -> tuple[Page, list[Region]]:
    """One page of the scoped regions (2 queries: count and rows); bad page numbers → page 1."""
    paginator = Paginator(regions.order_by("code"), per_page)
    page_obj = paginator.get_page(page)
    return page_obj, list(page_obj.object_list)


# --- group names ------------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupName:
    """A prerequisite or cluster: code, short label, full name and its maximum points."""

    program: str
    code: str
    abbr: str
    name: str
    max_score: Decimal


def group_names(year: int, programs: Iterable[str] = (Program.APE, Program.KLA)):
    """The groups of the year's editions, per programme in order (1 query)."""
    names: dict[str, list[GroupName]] = defaultdict(list)
    rows = (
        Group.objects.filter(edition__year=year, edition__program__in=tuple(programs))
        .order_by("edition__program", "order")
        .values_list("edition__program", "code", "name", "max_score")
    )
    for program, code, name, max_score in rows:
        names[program].append(GroupName(program, code, group_abbr(program, code), name, max_score))
    return {program: tuple(items) for program, items in names.items()}


# --- recap rows (province dashboard, programme pages, exports) -------------------------------


@dataclass(frozen=True)
class GroupCell:
    """One prerequisite (with its state) or KLA group of one region."""

    code: str
    abbr: str
    name: str
    score: Decimal
    max_score: Decimal
    state: str | None = None


@dataclass(frozen=True)
class Progress:
    """Data completeness of one programme: answered, backed by evidence and verified."""

    total: int
    answered: int
    with_evidence: int
    verified: int


@dataclass(frozen=True)
class RecapRow:
    """Everything one region's row shows, read from its :class:`RegionReadiness`."""

    readiness: RegionReadiness
    ape_groups: tuple[GroupCell, ...]
    kla_groups: tuple[GroupCell, ...]

    @property
    def code(self) -> str:
        return self.readiness.region_code

    @property
    def name(self) -> str:
        return self.readiness.region_name

    @property
    def ape(self) -> ProgramReadiness:
        return self.readiness.ape

    @property
    def kla(self) -> ProgramReadiness:
        return self.readiness.kla

    @property
    def kkb(self):
        return self.readiness.kampung_kb

    @property
    def kkb_summary(self) -> RegionSummary | None:
        return self.readiness.kampung_kb.summary

    @property
    def ape_progress(self) -> Progress | None:
        return _progress(self.readiness.ape)

    @property
    def kla_progress(self) -> Progress | None:
        return _progress(self.readiness.kla)


def _progress(part: ProgramReadiness) -> Progress | None:
    done = part.completeness
    if done is None:
        return None
    verified = done.answered if part.status == Assessment.Status.VERIFIED else 0
    return Progress(done.total, done.answered, done.with_evidence, verified)


def _cells(program: str, part: ProgramReadiness, names: Sequence[GroupName]) -> tuple:
    by_code = {name.code: name for name in names}
    if part.result is None:
        return tuple(
            GroupCell(name.code, name.abbr, name.name, Decimal(0), name.max_score, None)
            for name in names
        )
    groups = part.result.prerequisites if isinstance(part.result, ApeResult) else part.result.groups
    cells = []
    for group in groups:
        name = by_code.get(group.code)
        cells.append(
            GroupCell(
                code=group.code,
                abbr=name.abbr if name else group_abbr(program, group.code),
                name=name.name if name else group.code,
                score=group.score,
                max_score=group.max_score,
                state=str(getattr(group, "state", "")) or None,
            )
        )
    return tuple(cells)


def recap_rows(
    readiness: Iterable[RegionReadiness], names: Mapping[str, Sequence[GroupName]]
) -> list[RecapRow]:
    """Rows for the recap tables, in the readiness order (by region code)."""
    return [
        RecapRow(
            readiness=item,
            ape_groups=_cells(Program.APE, item.ape, names.get(Program.APE, ())),
            kla_groups=_cells(Program.KLA, item.kla, names.get(Program.KLA, ())),
        )
        for item in readiness
    ]


@dataclass(frozen=True)
class LevelCount:
    """How many regions reached a level (``order`` 0 = none)."""

    name: str
    order: int
    count: int


def level_counts(parts: Iterable[ProgramReadiness], none_label: str) -> list[LevelCount]:
    """Regions per category/predicate reached, highest first; regions without data are left out."""
    counts: dict[tuple[int, str], int] = defaultdict(int)
    for part in parts:
        if part.result is None:
            continue
        level = part.level
        key = (level.order, level.name) if level else (0, none_label)
        counts[key] += 1
    return [
        LevelCount(name, order, count)
        for (order, name), count in sorted(counts.items(), reverse=True)
    ]


@dataclass(frozen=True)
class StateCount:
    """How many regions' APE, KLA and Kampung KB numbers are in one state."""

    state: str
    label: str
    ape: int
    kla: int
    kampung_kb: int


def state_counts(rows: Iterable[RecapRow]) -> list[StateCount]:
    """Regions per state of their numbers (verified, of those verified but incomplete,
    submitted, returned, draft, carried over, not started), per programme."""
    from dashboard.readiness import state_labels

    labels = state_labels()
    rows = list(rows)
    keys = [*scoring.STATE_ORDER[:1], "incomplete", *scoring.STATE_ORDER[1:], "none"]
    labels["incomplete"] = _("of which verified but incomplete")
    labels["none"] = _("not started")
    counts: dict[str, dict[str, int]] = {key: defaultdict(int) for key in keys}
    for row in rows:
        for program, part in (("ape", row.ape), ("kla", row.kla), ("kampung_kb", row.kkb)):
            counts[part.state or "none"][program] += 1
            if part.state == scoring.NumberState.VERIFIED and part.incomplete:
                counts["incomplete"][program] += 1
    return [
        StateCount(
            str(key),
            labels[key],
            counts[key]["ape"],
            counts[key]["kla"],
            counts[key]["kampung_kb"],
        )
        for key in keys
    ]


# --- the trend over the years ----------------------------------------------------------------


def trend_states(
    region_ids: Sequence[int], programs: Sequence[str] = (Program.APE, Program.KLA)
) -> dict[tuple[str, int, int], str]:
    """The state of every (programme, region id, year) total of the trend (1 query): its
    workflow status, or "carried" for a draft holding only last year's values.

    Only a draft's answers are counted (a subquery inside ``CASE``, which the database runs for
    draft rows only): counting every answer of every year was two thirds of the province
    dashboard's database time at national scale."""

    def draft_answers(**extra) -> Case:
        counted = (
            Answer.objects.filter(assessment=OuterRef("pk"), value__isnull=False, **extra)
            .order_by()
            .values("assessment")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return Case(
            When(status=Assessment.Status.DRAFT, then=Coalesce(Subquery(counted), 0)),
            default=Value(0),
            output_field=IntegerField(),
        )

    rows = (
        Assessment.objects.filter(region__in=tuple(region_ids), edition__program__in=programs)
        .order_by()
        .annotate(answered=draft_answers(), carried=draft_answers(carried_over=True))
        .values_list(
            "edition__program", "region_id", "edition__year", "status", "answered", "carried"
        )
    )
    states = {}
    for program, region_id, year, status, answered, carried in rows:
        state = scoring.number_state(status, answered=answered, carried=carried)
        if state is not None:
            states[(program, region_id, year)] = str(state)
    return states


# --- indicators across regions (KLA page) and one region's indicators -------------------------


@dataclass(frozen=True)
class IndicatorCell:
    """One region's answer to one indicator."""

    value: Decimal | None
    points: Decimal
    evidenced: bool
    answered: bool


@dataclass(frozen=True)
class IndicatorRow:
    """One indicator with its answer in each region (columns in region order)."""

    code: str
    text: str
    group: str
    group_abbr: str
    max_score: Decimal
    owner: str | None
    evidence_required: bool
    cells: tuple[IndicatorCell, ...]

    @property
    def answered(self) -> int:
        return sum(1 for cell in self.cells if cell.answered)

    @property
    def full_marks(self) -> int:
        return sum(1 for cell in self.cells if cell.points >= self.max_score)


def _cell(spec: scoring.IndicatorSpec, value: Decimal | None, evidenced: bool) -> IndicatorCell:
    if value is not None and scoring.validate_value(spec, value) is not None:
        value = None  # no longer valid for the edition: scores nothing, as in the readiness read
    return IndicatorCell(value, scoring.points(spec, value), evidenced, value is not None)


def indicator_matrix(program: str, year: int, regions: Sequence[Region]) -> list[IndicatorRow]:
    """Every indicator of the programme's edition × ``regions`` (9 queries)."""
    catalog = load_catalog_map((program,), [year]).get((program, year))
    if catalog is None:
        return []
    loaded = load_assessments(program, [year], [region.pk for region in regions])
    data = [loaded.get(program, region.pk, year) for region in regions]
    rows = []
    for spec in catalog.specs:
        cells = tuple(
            _cell(
                spec,
                item.values.get(spec.code) if item else None,
                bool(item and spec.code in item.evidenced),
            )
            for item in data
        )
        rows.append(
            IndicatorRow(
                code=spec.code,
                text=spec.text,
                group=spec.group,
                group_abbr=group_abbr(program, spec.group),
                max_score=spec.max_score,
                owner=spec.owner,
                evidence_required=spec.evidence_required,
                cells=cells,
            )
        )
    return rows


@dataclass(frozen=True)
class EvidenceItem:
    """An indicator of one region whose required evidence is missing."""

    program: str
    code: str
    text: str
    owner: str | None
    answered: bool


def missing_evidence(readiness: RegionReadiness | None) -> list[EvidenceItem]:
    """APE and KLA indicators of one region-year that require evidence and have none (from the
    stored readiness: no query)."""
    if readiness is None:
        return []
    return [
        EvidenceItem(program, item.code, item.text, item.owner, item.answered)
        for program in (Program.APE, Program.KLA)
        for item in getattr(readiness, program).missing_evidence
    ]


# --- names of OPD, award history, workflow ---------------------------------------------------


def opd_names(region: Region | None = None) -> dict[str, str]:
    """OPD name per OPD kind code: the region's own OPD names, else the kind names (1 query)."""
    if region is not None:
        return dict(Opd.objects.filter(region=region).values_list("kind__code", "name"))
    return dict(OpdKind.objects.values_list("code", "short"))


@dataclass(frozen=True)
class AwardLine:
    """One official award next to what the region's data computes for that year."""

    program: str
    year: int
    award: AwardInfo
    computed: str | None
    has_data: bool

    @property
    def differs(self) -> bool | None:
        """True when the data computes another level; None when there is no data that year."""
        return self.award.differs_from(self.computed) if self.has_data else None

    @property
    def links(self) -> list[str]:
        """The award's web sources (http and https only: nothing else becomes a link)."""
        return [url for url in self.award.source_urls if url.startswith(("https://", "http://"))]


def web_links(urls) -> list[str]:
    """Only http(s) addresses become links."""
    return [str(url) for url in urls if str(url).startswith(("https://", "http://"))]


@dataclass(frozen=True)
class ProvinceAward:
    """An award of the province itself (APE, Provila), with its reports and sources."""

    program: str
    program_label: str
    year: int
    award: AwardInfo


def province_awards() -> list[ProvinceAward]:
    """Awards of the province (code 19): APE, KLA and Provila, newest first (1 query).

    Public facts about the province, not region data: every logged-in user sees them.
    """
    provinces = Region.objects.filter(kind=Region.Kind.PROVINSI)
    programs = tuple(AwardResult.AwardProgram.values)
    labels = dict(AwardResult.AwardProgram.choices)
    lines = [
        ProvinceAward(program, str(labels.get(program, program)), award.year, award)
        for (_region, program), awards in load_awards(provinces, programs).items()
        for award in awards
    ]
    return sorted(lines, key=lambda line: (-line.year, line.program))


def award_lines(region: Region, readiness: Sequence[RegionReadiness]) -> list[AwardLine]:
    """The region's whole award history (1 query), newest first, beside the computed levels."""
    by_year = {item.year: item for item in readiness}
    lines = []
    awards = load_awards([region.pk], (Program.APE, Program.KLA))
    for program in (Program.APE, Program.KLA):
        for award in awards.get((region.pk, program), ()):
            item = by_year.get(award.year)
            part = getattr(item, program) if item else None
            has_data = part is not None and part.result is not None
            computed = part.level_name if has_data else None
            lines.append(AwardLine(program, award.year, award, computed, has_data))
    return sorted(lines, key=lambda line: (-line.year, line.program))


@dataclass(frozen=True)
class EventLine:
    """One workflow step of one of the region's assessments."""

    program: str
    year: int
    action: str
    action_label: str
    from_status: str
    to_status: str
    reason: str
    user: str
    created_at: object


def workflow_history(region: Region, limit: int = 30) -> list[EventLine]:
    """The region's latest workflow events across programmes and years (1 query)."""
    events = (
        WorkflowEvent.objects.filter(assessment__region=region)
        .select_related("assessment__edition", "user")
        .order_by("-created_at", "-pk")[:limit]
    )
    return [
        EventLine(
            program=event.assessment.edition.program,
            year=event.assessment.edition.year,
            action=event.action,
            action_label=event.get_action_display(),
            from_status=event.from_status,
            to_status=event.to_status,
            reason=event.reason,
            user=(event.user.get_full_name() or event.user.get_username()) if event.user else "",
            created_at=event.created_at,
        )
        for event in events
    ]


# --- Kampung KB per kecamatan and desa -------------------------------------------------------

DESA_STATUSES = ("cikar", "standar", "kampung_kb", "bukan")


def desa_level(status: DesaStatus) -> str:
    """The highest Kampung KB level a desa reached: cikar, standar, kampung_kb or bukan."""
    if status.cikar:
        return "cikar"
    if status.standar:
        return "standar"
    if status.designated:
        return "kampung_kb"
    return "bukan"


@dataclass(frozen=True)
class KecamatanRow:
    """Kampung KB counts of one kecamatan."""

    code: str
    name: str
    summary: RegionSummary


@dataclass
class DesaTable:
    """One region's Kampung KB per kecamatan and its (filtered) desa list."""

    region: Region
    year: int
    has_assessment: bool
    kecamatan: list[KecamatanRow]
    desa: list[DesaStatus] = field(default_factory=list)
    provisional: frozenset[str] = frozenset()

    @property
    def level_marks(self) -> RuleMarks:
        """The provisional rules the Kampung KB/Standar/Cikar level of a desa rests on."""
        return RuleMarks(scoring.provisional_among(CIKAR_RULES, self.provisional))

    @property
    def class_marks(self) -> RuleMarks:
        """The provisional rules the BKKBN class of a desa rests on."""
        return RuleMarks(scoring.provisional_among(BKKBN_RULES, self.provisional))


@dataclass(frozen=True)
class RuleMarks:
    """Codes of provisional rules, for the ``prov`` mark of a column."""

    provisional_rules: tuple[str, ...]


def desa_table(
    region: Region, year: int, *, kecamatan: str | None = None, status: str | None = None
) -> DesaTable:
    """Kampung KB per kecamatan and desa of one region for ``year`` (3 queries).

    Kecamatan counts use ``kampung_kb.scoring.summarize`` with the edition's thresholds; the desa
    list is filtered by kecamatan code and by :func:`desa_level`.
    """
    edition = Edition.objects.filter(program=Program.KAMPUNG_KB, year=year).first()
    assessment = (
        Assessment.objects.filter(region=region, edition=edition).first() if edition else None
    )
    params = edition.params if edition else {}
    provisional = provisional_codes(edition.rules if edition else ())
    statuses = desa_statuses(region, assessment, params) if edition else []
    thresholds = thresholds_for(params)
    groups: dict[str, list[DesaStatus]] = defaultdict(list)
    for item in statuses:
        groups[item.code[:8]].append(item)
    kecamatan_rows = [
        KecamatanRow(
            code=code,
            name=items[0].kecamatan,
            summary=summarize(
                len(items),
                [item.row for item in items if item.row is not None],
                thresholds,
                provisional=provisional,
            ),
        )
        for code, items in sorted(groups.items())
    ]
    chosen = [
        item
        for item in statuses
        if (not kecamatan or item.code[:8] == kecamatan)
        and (not status or desa_level(item) == status)
    ]
    return DesaTable(region, year, assessment is not None, kecamatan_rows, chosen, provisional)
