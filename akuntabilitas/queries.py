"""One read per screen, each with a constant number of queries whatever the number of regions,
OPD and indicators: the OPD accountability table, the calendar and the reminders' open items."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Count, QuerySet

from akuntabilitas import scoring as cal
from akuntabilitas.models import RiskRule, Stage
from kampung_kb.models import DesaRecord
from penilaian import scoring
from penilaian.models import Answer, Assessment, Edition, Indicator, Program, ReturnReason
from penilaian.queries import load_assessments, load_catalog_map
from regions.models import Assignment, Desa, Opd, Region, Role

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


def opd_accountability(regions: QuerySet[Region], year: int) -> list[RegionOpds]:
    """Per region in ``regions`` and per OPD: owned APE/KLA indicators of ``year`` and their
    state, contacts, and gap-list items (the points at stake). 13 queries, whatever the size.
    """
    region_list = list(regions)
    region_ids = [r.pk for r in region_list]
    catalogs = load_catalog_map(OWNED_PROGRAMS, [year])  # 4 queries
    loaded = load_assessments(OWNED_PROGRAMS, [year], region_ids)  # 5 queries
    returns: dict[tuple[int, str], list[str]] = defaultdict(list)
    for assessment_id, code, reason in (
        ReturnReason.objects.filter(
            assessment__region__in=region_ids,
            assessment__edition__year=year,
            assessment__edition__program__in=OWNED_PROGRAMS,
            resolved=False,
            indicator__isnull=False,
        )
        .order_by("pk")
        .values_list("assessment_id", "indicator__code", "reason")
    ):
        returns[(assessment_id, code)].append(reason)
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
        for program in OWNED_PROGRAMS:
            catalog = catalogs.get((program, year))
            if catalog is None:
                continue
            data = loaded.get(program, region.pk, year)
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
        result.append(RegionOpds(region, year, ordered, koordinators))
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
    return [
        cal.StageSpec(
            program=s.program,
            code=s.code,
            name=s.name,
            order=s.order,
            starts_on=s.starts_on,
            ends_on=s.ends_on,
            internal_deadline=s.internal_deadline,
            example=s.example,
        )
        for s in qs
    ]


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
