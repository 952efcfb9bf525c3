"""One read per screen, each with a constant number of queries whatever the number of regions,
OPD and indicators: the OPD accountability table, the calendar and the reminders' open items."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from penilaian import scoring
from penilaian.models import Assessment, Edition, Program, ReturnReason
from penilaian.queries import load_assessments, load_catalog_map
from regions.models import Assignment, Opd, Region, Role

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

    @property
    def open(self) -> bool:
        """Still something to do: not filled, or returned, and not verified."""
        return not self.verified and (not self.filled or self.returned)


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
