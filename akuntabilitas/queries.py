"""One read per screen, each with a constant number of queries whatever the number of regions,
OPD and indicators: the OPD accountability table, the calendar and the reminders' open items."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Count, QuerySet
from django.urls import reverse

from akuntabilitas import scoring as cal
from akuntabilitas.models import RiskRule, Stage
from kampung_kb.models import DesaRecord
from penilaian import scoring
from penilaian.models import Answer, Assessment, Edition, Indicator, Program, ReturnReason
from penilaian.queries import current_years, load_assessments, load_catalog_map
from regions.models import Assignment, Desa, Opd, Region, Role
from regions.scoping import Scope

# The programmes whose indicators are owned by OPD (Kampung KB rows belong to the koordinator).
OWNED_PROGRAMS = (Program.APE, Program.KLA)
NO_OPD = ""


@dataclass
class Contact:
    name: str
    username: str
    email: str
    role: str


@dataclass
class OwnedItem:
    """One indicator an OPD owns, with its state in the region's assessment."""

    program: str
    code: str
    text: str
    filled: bool
    evidenced: bool
    returned: bool
    verified: bool
    returned_reasons: list[str] = field(default_factory=list)
    submitted: bool = False
    evidence_required: bool = False
    year: int = 0
    # returned, and changed by the region since (penilaian.fixes): waiting to be submitted again
    changed: bool = False

    @property
    def evidence_missing(self) -> bool:
        """Required evidence not attached while the region can still attach it."""
        return (
            self.evidence_required
            and not self.evidenced
            and not self.verified
            and not self.submitted
        )

    @property
    def open(self) -> bool:
        """Still something for the region to do: not filled, or returned; nothing while the
        assessment waits for the verifier or once it is verified."""
        return not self.verified and not self.submitted and (not self.filled or self.returned)


@dataclass
class GapLine:
    program: str
    code: str
    text: str
    gain: Decimal


@dataclass
class OpdRow:
    """One OPD of one region (or, with ``kind_code`` empty, the indicators without an OPD)."""

    region: Region
    opd_id: int | None
    kind_code: str
    name: str
    items: list[OwnedItem] = field(default_factory=list)
    contacts: list[Contact] = field(default_factory=list)
    gap: list[GapLine] = field(default_factory=list)

    @property
    def owned(self) -> int:
        return len(self.items)

    @property
    def filled(self) -> int:
        return sum(i.filled for i in self.items)

    @property
    def evidenced(self) -> int:
        return sum(i.evidenced for i in self.items)

    @property
    def returned(self) -> int:
        return sum(i.returned for i in self.items)

    @property
    def verified(self) -> int:
        return sum(i.verified for i in self.items)

    @property
    def returned_items(self) -> list[OwnedItem]:
        return [i for i in self.items if i.returned]

    @property
    def unfilled_items(self) -> list[OwnedItem]:
        return [i for i in self.items if not i.filled and not i.verified]

    @property
    def open_items(self) -> list[OwnedItem]:
        return [i for i in self.items if i.open]

    @property
    def points_at_stake(self) -> Decimal:
        return sum((g.gain for g in self.gap), Decimal(0))


@dataclass
class RegionOpds:
    region: Region
    year: int
    rows: list[OpdRow]
    koordinators: list[Contact]


def default_year(region_ids: Iterable[int] | QuerySet) -> int | None:
    """The latest year with an APE/KLA assessment in these regions, else the latest edition."""
    year = (
        Assessment.objects.filter(region__in=region_ids, edition__program__in=OWNED_PROGRAMS)
        .order_by("-edition__year")
        .values_list("edition__year", flat=True)
        .first()
    )
    if year is None:
        year = (
            Edition.objects.filter(program__in=OWNED_PROGRAMS)
            .order_by("-year")
            .values_list("year", flat=True)
            .first()
        )
    return year


def contacts_by_region(region_ids: Iterable[int] | QuerySet) -> dict[int, list[tuple]]:
    """Active koordinator and operators per region: (opd_id, Contact), in 1 query."""
    found: dict[int, list[tuple]] = defaultdict(list)
    rows = (
        Assignment.objects.filter(
            region__in=region_ids,
            role__in=[Role.KOORDINATOR, Role.OPERATOR],
            user__is_active=True,
        )
        .order_by("user__username")
        .values_list(
            "region_id",
            "opd_id",
            "role",
            "user__username",
            "user__first_name",
            "user__last_name",
            "user__email",
        )
    )
    for region_id, opd_id, role, username, first, last, email in rows:
        name = f"{first} {last}".strip() or username
        found[region_id].append((opd_id, Contact(name, username, email, role)))
    return found


def opd_accountability(
    regions: QuerySet[Region] | Iterable[Region], year: int | Mapping[str, Iterable[int]]
) -> list[RegionOpds]:
    """Per region in ``regions`` and per OPD: owned APE/KLA indicators of ``year`` and their
    state, contacts, and gap-list items (the points at stake). 13 queries, whatever the size
    (12 when ``regions`` is a list).

    ``year`` may also give each programme its own years (``{"ape": [2025], "kla": [2024,
    2026]}``, as "Tugas saya" does); a programme left out of the mapping is left out, and each
    item says its year.
    """
    if isinstance(year, int):
        years = dict.fromkeys(OWNED_PROGRAMS, (year,))
    else:
        years = {p: tuple(ys) for p, ys in year.items() if p in OWNED_PROGRAMS}
    region_list = list(regions)
    region_ids = [r.pk for r in region_list]
    year_set = sorted({y for ys in years.values() for y in ys})
    catalogs = load_catalog_map(OWNED_PROGRAMS, year_set)  # 4 queries
    loaded = load_assessments(OWNED_PROGRAMS, year_set, region_ids)  # 5 queries
    returns: dict[tuple[int, str], list[str]] = defaultdict(list)
    unchanged: set[tuple[int, str]] = set()  # returned and not changed by the region since
    for assessment_id, code, reason, changed_at in (
        ReturnReason.objects.filter(
            assessment__region__in=region_ids,
            assessment__edition__year__in=year_set,
            assessment__edition__program__in=OWNED_PROGRAMS,
            resolved=False,
            indicator__isnull=False,
        )
        .order_by("pk")
        .values_list("assessment_id", "indicator__code", "reason", "changed_at")
    ):
        returns[(assessment_id, code)].append(reason)
        if changed_at is None:
            unchanged.add((assessment_id, code))
    opds: dict[int, list[tuple[int, str, str]]] = defaultdict(list)
    for pk, region_id, kind_code, name in (
        Opd.objects.filter(region__in=region_ids)
        .order_by("region_id", "kind__short")
        .values_list("pk", "region_id", "kind__code", "name")
    ):
        opds[region_id].append((pk, kind_code, name))
    contacts = contacts_by_region(region_ids)
    result = []
    for region in region_list:
        rows = {kind: OpdRow(region, pk, kind, name) for pk, kind, name in opds.get(region.pk, [])}
        by_opd_id = {row.opd_id: row for row in rows.values()}
        koordinators = []
        for opd_id, contact in contacts.get(region.pk, []):
            if opd_id in by_opd_id:
                by_opd_id[opd_id].contacts.append(contact)
            elif contact.role == Role.KOORDINATOR:
                koordinators.append(contact)
        unowned = OpdRow(region, None, NO_OPD, "")
        overrides = loaded.owners_for(region.pk)
        for program, program_year in ((p, y) for p in OWNED_PROGRAMS for y in years.get(p, ())):
            catalog = catalogs.get((program, program_year))
            if catalog is None:
                continue
            data = loaded.get(program, region.pk, catalog.year)
            values, _invalid = catalog.clean_values(data.values if data else {})
            evidenced = data.evidenced if data else frozenset()
            verified = bool(data and data.is_verified)
            submitted = bool(data and data.status == Assessment.Status.SUBMITTED)
            owners = catalog.owners(overrides)
            for spec in catalog.specs:
                row = rows.get(owners[spec.code] or "", unowned)
                reasons = returns.get((data.id, spec.code), []) if data else []
                row.items.append(
                    OwnedItem(
                        program=program,
                        code=spec.code,
                        text=spec.text,
                        filled=values.get(spec.code) is not None,
                        evidenced=spec.code in evidenced,
                        returned=bool(reasons),
                        verified=verified,
                        returned_reasons=reasons,
                        submitted=submitted,
                        evidence_required=spec.evidence_required,
                        year=catalog.year,
                        changed=bool(reasons) and (data.id, spec.code) not in unchanged,
                    )
                )
            gap = scoring.gap_to_next(
                catalog.specs,
                values,
                catalog.levels,
                owners={c: o for c, o in owners.items() if o},
                evidence_missing=catalog.evidence_missing(evidenced),
            )
            for item in gap.items:
                row = rows.get(item.owner or "", unowned)
                row.gap.append(GapLine(program, item.code, item.text, item.gain))
        ordered = list(rows.values()) + ([unowned] if unowned.items else [])
        result.append(RegionOpds(region, max(year_set, default=0), ordered, koordinators))
    return result


def handover_candidates(region: Region) -> QuerySet:
    """Users of the region who hold an assignment there (who can hand over), in 1 query."""
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            assignment__region=region,
            assignment__role__in=[Role.KOORDINATOR, Role.OPERATOR],
        )
        .select_related("assignment__opd")
        .order_by("username")
    )


# --- calendar ---------------------------------------------------------------------------------


def stage_specs(year: int | None = None) -> list[cal.StageSpec]:
    """The calendar's stages (of ``year``, or all), as plain data, in 1 query."""
    qs = Stage.objects.order_by("year", "program", "order", "starts_on")
    if year is not None:
        qs = qs.filter(year=year)
    return [stage_spec(stage) for stage in qs]


def stage_spec(stage: Stage) -> cal.StageSpec:
    """One stage as the calendar rules' plain data."""
    return cal.StageSpec(
        program=stage.program,
        code=stage.code,
        name=stage.name,
        order=stage.order,
        starts_on=stage.starts_on,
        ends_on=stage.ends_on,
        internal_deadline=stage.internal_deadline,
        example=stage.example,
    )


def risk_specs() -> list[cal.RiskSpec]:
    return [
        cal.RiskSpec(r.min_completeness, r.days_left, r.program)
        for r in RiskRule.objects.order_by("program", "days_left")
    ]


def completeness_by_region(
    region_ids: Iterable[int] | QuerySet, year: int
) -> dict[tuple[str, int], tuple[int, int]]:
    """(done, total) per (programme, region) for ``year``, in 4 queries: APE/KLA answered
    indicators of all indicators; Kampung KB desa with a row of all desa of the region."""
    region_ids = region_ids if isinstance(region_ids, QuerySet) else list(region_ids)
    totals = dict(
        Indicator.objects.filter(edition__year=year, edition__program__in=OWNED_PROGRAMS)
        .order_by()
        .values("edition__program")
        .annotate(n=Count("pk"))
        .values_list("edition__program", "n")
    )
    answered = {
        (program, region_id): n
        for program, region_id, n in Answer.objects.filter(
            assessment__edition__year=year,
            assessment__edition__program__in=OWNED_PROGRAMS,
            assessment__region__in=region_ids,
            value__isnull=False,
        )
        .order_by()
        .values("assessment__edition__program", "assessment__region_id")
        .annotate(n=Count("pk"))
        .values_list("assessment__edition__program", "assessment__region_id", "n")
    }
    desa_total = dict(
        Desa.objects.filter(region__in=region_ids)
        .order_by()
        .values("region_id")
        .annotate(n=Count("pk"))
        .values_list("region_id", "n")
    )
    desa_done = dict(
        DesaRecord.objects.filter(
            assessment__edition__year=year,
            assessment__edition__program=Program.KAMPUNG_KB,
            assessment__region__in=region_ids,
        )
        .order_by()
        .values("assessment__region_id")
        .annotate(n=Count("pk"))
        .values_list("assessment__region_id", "n")
    )
    result: dict[tuple[str, int], tuple[int, int]] = {}
    for region_id, total in desa_total.items():
        result[(Program.KAMPUNG_KB, region_id)] = (desa_done.get(region_id, 0), total)
        for program in OWNED_PROGRAMS:
            result[(program, region_id)] = (
                answered.get((program, region_id), 0),
                totals.get(program, 0),
            )
    return result


@dataclass
class StageRow:
    spec: cal.StageSpec
    current: bool
    days_left: int
    internal_days_left: int | None
    past: bool


@dataclass
class RegionRisk:
    region: Region
    program: str
    completeness: Decimal
    days_left: int
    at_risk: bool


@dataclass
class ProgramCalendar:
    program: str
    label: str
    stages: list[StageRow]
    current: StageRow | None
    regions: list[RegionRisk]

    @property
    def at_risk(self) -> list[RegionRisk]:
        return [r for r in self.regions if r.at_risk]


def calendar_overview(regions: QuerySet[Region], year: int, today) -> list[ProgramCalendar]:
    """Per programme of ``year``: its stages with the current one and the days left, and per
    region in ``regions`` its completeness and whether it is "berisiko" before the current
    stage's provincial deadline. 7 queries whatever the number of regions and stages (1 when
    the year has no stages)."""
    specs = stage_specs(year)
    if not specs:
        return []
    rules = risk_specs()
    region_list = list(regions)
    completeness = completeness_by_region([r.pk for r in region_list], year)
    result = []
    for program, label in Program.choices:
        mine = [s for s in specs if s.program == program]
        if not mine:
            continue
        current = cal.current_stage(mine, today)
        rows = [
            StageRow(
                spec=s,
                current=s == current,
                days_left=cal.days_left(s.ends_on, today),
                internal_days_left=(
                    cal.days_left(s.internal_deadline, today) if s.internal_deadline else None
                ),
                past=s.ends_on < today,
            )
            for s in mine
        ]
        current_row = next((r for r in rows if r.current), None)
        risks = []
        if current is not None and current.internal_deadline is not None:
            left = cal.days_left(current.deadline, today)
            for region in region_list:
                done, total = completeness.get((program, region.pk), (0, 0))
                percent = cal.completeness_percent(done, total)
                risks.append(
                    RegionRisk(
                        region,
                        program,
                        percent,
                        left,
                        cal.is_at_risk(percent, left, rules, program),
                    )
                )
        result.append(ProgramCalendar(program, str(label), rows, current_row, risks))
    return result


# --- "Tugas saya": what one operator or koordinator still has to do ---------------------------

TASK_ROLES = (Role.KOORDINATOR, Role.OPERATOR)
OPEN_STATUSES = (Assessment.Status.DRAFT, Assessment.Status.RETURNED)


@dataclass
class TaskItem:
    """One thing to do, with the address of its field on the entry form."""

    code: str
    text: str
    url: str
    reasons: list[str] = field(default_factory=list)
    evidence_required: bool = False
    changed: bool = False  # a returned item the region has changed since: not a task any more


@dataclass
class TaskGroup:
    """One OPD's open items of one assessment (``opd_id`` None: the indicators without an
    owner agency, which the koordinator fills)."""

    opd_id: int | None
    name: str
    contacts: list[Contact] = field(default_factory=list)
    to_fill: list[TaskItem] = field(default_factory=list)
    returned: list[TaskItem] = field(default_factory=list)
    evidence: list[TaskItem] = field(default_factory=list)

    @property
    def open_returned(self) -> list[TaskItem]:
        return [i for i in self.returned if not i.changed]

    @property
    def count(self) -> int:
        return len(self.to_fill) + len(self.open_returned) + len(self.evidence)


@dataclass(frozen=True)
class Deadline:
    """The deadline the province works to in the current calendar stage."""

    stage: str
    date: date
    days_left: int
    provincial: bool
    example: bool

    @property
    def days_overdue(self) -> int:
        return max(-self.days_left, 0)


@dataclass
class AssessmentTasks:
    """One assessment (or one the koordinator may start) and what is open in it."""

    program: str
    label: str
    year: int
    status: str  # "" = not started
    status_label: str
    url: str
    current: bool
    deadline: Deadline | None = None
    groups: list[TaskGroup] = field(default_factory=list)
    general_reasons: list[str] = field(default_factory=list)
    can_start: bool = False
    can_submit: bool = False
    desa_total: int = 0
    desa_done: int = 0
    desa_missing_url: str = ""
    desa_returned: list[TaskItem] = field(default_factory=list)
    owns_nothing: bool = False

    @property
    def desa_missing(self) -> int:
        return self.desa_total - self.desa_done if self.status in OPEN_STATUSES else 0

    @property
    def item_count(self) -> int:
        return sum(g.count for g in self.groups) + sum(not i.changed for i in self.desa_returned)

    @property
    def count(self) -> int:
        """Open tasks: items (a returned one until the region changes it), missing desa rows
        (as one task), starting and submitting. The verifier's general note is shown, not
        counted: what it asks for is in the items or the submission."""
        return self.item_count + (1 if self.desa_missing else 0) + self.can_start + self.can_submit


@dataclass
class MyTasks:
    region: Region
    role: str
    opd_name: str
    assessments: list[AssessmentTasks]
    today: date

    @property
    def count(self) -> int:
        return sum(a.count for a in self.assessments)


def _deadline(specs: list[cal.StageSpec], today: date) -> Deadline | None:
    stage = cal.current_stage(specs, today)
    if stage is None:
        return None
    return Deadline(
        stage=stage.name,
        date=stage.deadline,
        days_left=cal.days_left(stage.deadline, today),
        provincial=stage.internal_deadline is not None,
        example=stage.example,
    )


def _item(item: OwnedItem, url: str) -> TaskItem:
    return TaskItem(
        item.code,
        item.text,
        f"{url}#ind-{item.code}",
        list(item.returned_reasons),
        item.evidence_required,
        item.changed,
    )


def my_tasks(scope: Scope, today: date) -> MyTasks | None:
    """Everything an operator (their OPD's indicators) or a koordinator (their region's, per
    OPD, and Kampung KB) still has to do: per programme the current evaluation year, plus any
    other year whose assessment is a draft or returned. Never creates anything; a year nobody
    started is offered to the koordinator to start. None for other roles.

    20 queries whatever the number of indicators, OPD, years and reasons (18 for an operator;
    fewer when there is no APE/KLA year to read).
    """
    if scope.role not in TASK_ROLES or scope.region_id is None:
        return None
    is_operator = scope.role == Role.OPERATOR
    opd_name = ""
    if is_operator:
        opd = (
            Opd.objects.select_related("region")
            .filter(pk=scope.opd_id, region_id=scope.region_id)
            .first()
        )  # 1
        region = opd.region if opd else None
        opd_name = opd.name if opd else ""
    else:
        region = scope.regions().first()  # 1
    if region is None:
        return None
    programs = OWNED_PROGRAMS if is_operator else (*OWNED_PROGRAMS, Program.KAMPUNG_KB)
    current = {p: y for p, y in current_years().items() if p in programs}  # 1
    editions = set(
        Edition.objects.filter(program__in=programs, year__in=set(current.values()))
        .order_by()
        .values_list("program", "year")
    )  # 1
    found = {
        (program, year): (pk, status)
        for pk, program, year, status in Assessment.objects.filter(
            region=region, edition__program__in=programs
        )
        .order_by()
        .values_list("pk", "edition__program", "edition__year", "status")
    }  # 1
    wanted: set[tuple[str, int]] = {(p, y) for p, y in current.items() if (p, y) in editions}
    wanted |= {key for key, (_pk, status) in found.items() if status in OPEN_STATUSES}
    owned_years: dict[str, list[int]] = defaultdict(list)
    for program, year in sorted(wanted):
        if program in OWNED_PROGRAMS:
            owned_years[program].append(year)
    blocks = (
        opd_accountability([region], owned_years)  # 12
        if owned_years
        else []
    )
    rows = blocks[0].rows if blocks else []
    years = {y for _p, y in wanted}
    specs: dict[tuple[str, int], list[cal.StageSpec]] = defaultdict(list)
    for stage in Stage.objects.filter(program__in=programs, year__in=years).order_by(
        "program", "order", "starts_on"
    ):  # 1
        specs[(stage.program, stage.year)].append(stage_spec(stage))
    open_ids = {
        found[key][0]: key for key in wanted if key in found and found[key][1] in OPEN_STATUSES
    }
    general: dict[tuple[str, int], list[str]] = defaultdict(list)
    desa_reasons: dict[tuple[str, int], list[tuple[str, str, bool]]] = defaultdict(list)
    for assessment_id, desa_code, reason, changed_at in (
        ReturnReason.objects.filter(
            assessment__in=list(open_ids), resolved=False, indicator__isnull=True
        )
        .order_by("desa_code", "pk")
        .values_list("assessment_id", "desa_code", "reason", "changed_at")
    ):  # 1
        key = open_ids[assessment_id]
        if desa_code:
            desa_reasons[key].append((desa_code, reason, changed_at is not None))
        else:
            general[key].append(reason)
    desa_total = 0
    desa_done: dict[int, int] = {}
    if any(p == Program.KAMPUNG_KB for p, _y in wanted):
        desa_total = Desa.objects.filter(region=region).count()  # 1
        desa_done = dict(
            DesaRecord.objects.filter(assessment__in=list(open_ids))
            .order_by()
            .values("assessment_id")
            .annotate(n=Count("pk"))
            .values_list("assessment_id", "n")
        )  # 1
    labels = dict(Program.choices)
    result = []
    for program, year in wanted:
        pk, status = found.get((program, year), (None, ""))
        url = reverse("penilaian:assessment_detail", args=[program, region.code, year])
        entry = AssessmentTasks(
            program=program,
            label=str(labels[program]),
            year=year,
            status=status,
            status_label=str(Assessment.Status(status).label) if status else "",
            url=url,
            current=current.get(program) == year,
            deadline=_deadline(specs.get((program, year), []), today),
            general_reasons=general.get((program, year), []),
            can_start=not status and not is_operator,
            can_submit=status in OPEN_STATUSES and not is_operator,
        )
        if program == Program.KAMPUNG_KB:
            entry.desa_total = desa_total
            entry.desa_done = desa_done.get(pk, 0)
            entry.desa_missing_url = f"{url}?status=belum_ada_data#desa"
            entry.desa_returned = [
                TaskItem(
                    code,
                    "",
                    f"{url}?kecamatan={code.rsplit('.', 1)[0]}#desa-{code}",
                    [reason],
                    changed=changed,
                )
                for code, reason, changed in desa_reasons.get((program, year), [])
            ]
        else:
            for row in rows:
                if is_operator and row.opd_id != scope.opd_id:
                    continue
                group = TaskGroup(row.opd_id, row.name, row.contacts)
                for item in row.items:
                    if item.program != program or item.year != year:
                        continue
                    if item.submitted or item.verified or status not in OPEN_STATUSES:
                        continue
                    if item.returned:
                        group.returned.append(_item(item, url))
                    elif not item.filled:
                        group.to_fill.append(_item(item, url))
                    elif item.evidence_missing:
                        group.evidence.append(_item(item, url))
                if group.count or group.returned or is_operator:
                    entry.groups.append(group)
            if is_operator:
                entry.owns_nothing = not any(
                    i.program == program and i.year == year
                    for row in rows
                    if row.opd_id == scope.opd_id
                    for i in row.items
                )
                if entry.owns_nothing:  # a return of the whole is then the koordinator's
                    entry.general_reasons = []
        result.append(entry)
    order = {p: n for n, p in enumerate(programs)}
    result.sort(key=lambda a: (not a.current, order[a.program], -a.year))
    return MyTasks(region, scope.role, opd_name, result, today)
