"""Demo APE and KLA assessments for 2023–2025 (``manage.py seed_demo``; never a migration).

Deterministic (a fixed random seed per region, programme and year) and idempotent: an assessment
that already exists is left as it is, so a second run changes nothing. Each region has a target
score per year; values are raised step by step on the indicator ladders (in a seeded random order)
until no further step fits under the target, so totals land just under their targets: regions end
up in different categories and predicates, some a fraction of a point below the next bound, some
far below it, mostly rising over the years. 2023 and 2024 are mostly verified (with a frozen
snapshot), 2025 is a mix of draft, submitted, returned and verified.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from penilaian import scoring
from penilaian.models import (
    Answer,
    Assessment,
    Program,
    ReturnReason,
    VerifiedSnapshot,
    WorkflowEvent,
)
from penilaian.queries import CatalogData, load_catalog_map
from penilaian.services import freeze_snapshot
from regions.models import Assignment, Region, Role

SEED = 20250817
YEARS = (2023, 2024, 2025)
Status = Assessment.Status

# Target score per region for 2023, 2024, 2025 (totals land at or just under the target).
TARGETS: dict[str, dict[str, tuple[int | float, int | float, int | float]]] = {
    Program.APE: {
        "19.01": (71, 78, 84.5),  # Utama
        "19.02": (48, 54, 59.5),  # Pratama, half a point below Madya
        "19.03": (55, 61, 66),  # Madya
        "19.04": (79, 85, 89.5),  # Utama, half a point below Mentor
        "19.05": (61, 66, 72),  # Nindya
        "19.06": (33, 37, 42),  # no category yet, a large gap
        "19.71": (64, 62, 76),  # dipped in 2024, Nindya in 2025
    },
    Program.KLA: {
        "19.01": (640, 690, 726),  # Nindya
        "19.02": (470, 522, 561),  # Pratama
        "19.03": (590, 622, 655),  # Madya
        "19.04": (731, 782, 812),  # Utama
        "19.05": (418, 452, 480),  # no predicate, 20 points short
        "19.06": (563, 591, 606),  # Madya, just over the bound
        "19.71": (541, 576, 598),  # Pratama, a few points below Madya
    },
}
_V, _S, _R, _D = Status.VERIFIED, Status.SUBMITTED, Status.RETURNED, Status.DRAFT
STATUSES: dict[str, dict[str, tuple[str, str, str]]] = {
    Program.APE: {
        "19.01": (_V, _V, _V),
        "19.02": (_V, _V, _S),
        "19.03": (_V, _V, _R),
        "19.04": (_V, _V, _V),
        "19.05": (_V, _S, _D),
        "19.06": (_V, _V, _D),
        "19.71": (_V, _V, _S),
    },
    Program.KLA: {
        "19.01": (_V, _V, _S),
        "19.02": (_V, _V, _V),
        "19.03": (_V, _V, _D),
        "19.04": (_V, _V, _V),
        "19.05": (_V, _R, _R),
        "19.06": (_V, _V, _S),
        "19.71": (_V, _V, _D),
    },
}
RETURN_REASON = "Bukti dukung belum lengkap; lengkapi dokumen penetapan dan unggah ulang."


def _steps(spec: scoring.IndicatorSpec, rng: random.Random) -> list[tuple[Decimal, Decimal]]:
    """(value, points) an indicator can take, one per distinct number of points, lowest first."""
    if spec.kind == scoring.Kind.LADDER:
        pairs = [(option.points, option.points) for option in spec.options]
    elif spec.kind == scoring.Kind.YESNO:
        pairs = [(Decimal(0), Decimal(0)), (Decimal(1), spec.max_score)]
    elif spec.kind == scoring.Kind.PERCENT and spec.options:
        pairs = []
        for option in spec.options:
            low = option.min if option.min is not None else Decimal(0)
            high = option.max if option.max is not None else Decimal(100)
            value = low + (high - low) * Decimal(str(round(rng.random(), 3)))
            value = value.quantize(scoring.CENT, ROUND_HALF_UP)
            pairs.append((value, scoring.points(spec, value)))
    else:  # direct score or proportional percentage: quarters of the maximum
        pairs = [(spec.max_score * k / 4, spec.max_score * k / 4) for k in range(5)]
    best: dict[Decimal, Decimal] = {}
    for value, earned in pairs:
        best.setdefault(earned, value)
    return sorted(((value, earned) for earned, value in best.items()), key=lambda p: p[1])


def fill_to_target(
    specs: Sequence[scoring.IndicatorSpec],
    steps: Mapping[str, list[tuple[Decimal, Decimal]]],
    target: Decimal,
    start: Mapping[str, int],
    rng: random.Random,
) -> dict[str, int]:
    """Step indices per code, raised one step at a time (random order) while under ``target``."""
    index = {spec.code: start.get(spec.code, 0) for spec in specs}
    score = sum((steps[code][i][1] for code, i in index.items()), Decimal(0))
    while True:
        fitting = [
            spec.code
            for spec in specs
            if index[spec.code] + 1 < len(steps[spec.code])
            and score
            + steps[spec.code][index[spec.code] + 1][1]
            - steps[spec.code][index[spec.code]][1]
            <= target
        ]
        if not fitting:
            return index
        code = rng.choice(fitting)
        current = steps[code][index[code]][1]
        index[code] += 1
        score += steps[code][index[code]][1] - current


def _moment(year: int, month: int, day: int) -> datetime:
    return timezone.make_aware(datetime(year, month, day, 10, 0))


@transaction.atomic
def seed() -> str:
    """Create the missing demo assessments; returns a one-line summary."""
    regions = {
        region.code: region for region in Region.objects.filter(code__in=list(TARGETS[Program.APE]))
    }
    catalogs = load_catalog_map((Program.APE, Program.KLA), YEARS)
    existing = set(
        Assessment.objects.filter(
            edition__program__in=(Program.APE, Program.KLA), edition__year__in=YEARS
        ).values_list("edition__program", "edition__year", "region__code")
    )
    verifier = get_user_model().objects.filter(username="verifikator").first()
    koordinators = {
        assignment.region_id: assignment.user
        for assignment in Assignment.objects.filter(role=Role.KOORDINATOR)
        .select_related("user")
        .order_by("-user_id")
    }
    created = 0
    for program in (Program.APE, Program.KLA):
        for code in sorted(TARGETS[program]):
            if code not in regions:
                continue
            created += _seed_region(
                program,
                regions[code],
                catalogs,
                existing,
                verifier,
                koordinators.get(regions[code].pk),
            )
    return f"Penilaian APE/KLA demo: {created} penilaian baru."


def _seed_region(
    program: str,
    region: Region,
    catalogs: Mapping[tuple[str, int], CatalogData],
    existing: set[tuple[str, int, str]],
    verifier,
    koordinator,
) -> int:
    created = 0
    index: dict[str, int] = {}
    previous_values: dict[str, Decimal | None] = {}
    previous_status = None
    for position, year in enumerate(YEARS):
        catalog = catalogs.get((program, year))
        if catalog is None:
            continue
        rng = random.Random(f"{SEED}-{program}-{region.code}-{year}")  # noqa: S311
        steps = {spec.code: _steps(spec, rng) for spec in catalog.specs}
        target = Decimal(str(TARGETS[program][region.code][position]))
        previous_total = sum((steps[c][i][1] for c, i in index.items() if c in steps), Decimal(0))
        start = index if previous_total <= target else {}
        index = fill_to_target(catalog.specs, steps, target, start, rng)
        status = STATUSES[program][region.code][position]
        values: dict[str, Decimal | None] = {}
        for spec in catalog.specs:
            value = steps[spec.code][index[spec.code]][0]
            if status == Status.DRAFT and index[spec.code] == 0 and rng.random() < 0.6:
                value = None  # not filled in yet
            values[spec.code] = value
        if (program, year, region.code) not in existing:
            carried = previous_status == Status.VERIFIED and status in (_D, _R)
            _create(
                catalog,
                region,
                status,
                values,
                previous_values if carried else {},
                koordinator,
                verifier,
                year,
            )
            created += 1
        previous_values, previous_status = values, status
    return created


def _create(
    catalog: CatalogData,
    region: Region,
    status: str,
    values: Mapping[str, Decimal | None],
    carried_from: Mapping[str, Decimal | None],
    koordinator,
    verifier,
    year: int,
) -> None:
    assessment = Assessment(edition_id=catalog.edition_id, region=region, status=status)
    assessment._change_reason = "Data demo"
    assessment.save()
    Answer.objects.bulk_create(
        [
            Answer(
                assessment=assessment,
                indicator_id=catalog.indicator_ids[code],
                value=value,
                carried_over=value is not None and carried_from.get(code) == value,
            )
            for code, value in values.items()
        ]
    )
    record_workflow(assessment, status, year, koordinator, verifier)


def record_workflow(assessment: Assessment, status: str, year: int, koordinator, verifier) -> None:
    """Events (and, when verified, the frozen snapshot) that lead to ``status``."""
    events = []
    submitted_at = _moment(year, 9, 15)
    if status in (Status.SUBMITTED, Status.RETURNED, Status.VERIFIED):
        events.append(
            WorkflowEvent(
                assessment=assessment,
                action=WorkflowEvent.Action.SUBMIT,
                from_status=Status.DRAFT,
                to_status=Status.SUBMITTED,
                user=koordinator,
            )
        )
    if status == Status.RETURNED:
        events.append(
            WorkflowEvent(
                assessment=assessment,
                action=WorkflowEvent.Action.RETURN,
                from_status=Status.SUBMITTED,
                to_status=Status.RETURNED,
                reason=RETURN_REASON,
                user=verifier,
            )
        )
        ReturnReason.objects.create(
            assessment=assessment, reason=RETURN_REASON, created_by=verifier
        )
    if status == Status.VERIFIED:
        events.append(
            WorkflowEvent(
                assessment=assessment,
                action=WorkflowEvent.Action.VERIFY,
                from_status=Status.SUBMITTED,
                to_status=Status.VERIFIED,
                user=verifier,
            )
        )
    created = WorkflowEvent.objects.bulk_create(events)
    for offset, event in enumerate(created):
        moment = submitted_at + timedelta(days=21 * offset)
        WorkflowEvent.objects.filter(pk=event.pk).update(created_at=moment)
    if status == Status.VERIFIED:
        snapshot = freeze_snapshot(assessment, verifier)
        VerifiedSnapshot.objects.filter(pk=snapshot.pk).update(
            verified_at=submitted_at + timedelta(days=21)
        )
