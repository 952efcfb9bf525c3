"""Demo Kampung KB data for 2023–2025: one assessment per region and year, a row per desa.

Deterministic (each desa draws its profile from a seed made of its code) and idempotent (an
existing assessment is left alone). Each desa has a fixed "maturity"; it is designated Kampung KB
once the region's yearly designation share passes it, so designations only grow over the years
and about half the desa are designated. Designated desa mostly meet more of the Babel criteria,
giving a mix of Standar and Cikar; most designated desa have BKKBN indices (all four classes occur).
"""

from __future__ import annotations

import random
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth import get_user_model
from django.db import transaction

from kampung_kb.models import DesaRecord
from kampung_kb.scoring import bkkbn_class
from penilaian.demo import SEED, record_workflow
from penilaian.models import Assessment, Edition, Program
from regions.models import Assignment, Desa, Region, Role

YEARS = (2023, 2024, 2025)
Status = Assessment.Status
_V, _S, _R, _D = Status.VERIFIED, Status.SUBMITTED, Status.RETURNED, Status.DRAFT

# Share of desa designated per year, and the workflow status per year.
SHARES: dict[str, tuple[float, float, float]] = {
    "19.01": (0.42, 0.50, 0.58),
    "19.02": (0.35, 0.41, 0.47),
    "19.03": (0.40, 0.46, 0.52),
    "19.04": (0.50, 0.58, 0.66),
    "19.05": (0.30, 0.36, 0.44),
    "19.06": (0.38, 0.45, 0.51),
    "19.71": (0.55, 0.63, 0.72),
}
STATUSES: dict[str, tuple[str, str, str]] = {
    "19.01": (_V, _V, _S),
    "19.02": (_V, _V, _D),
    "19.03": (_V, _V, _V),
    "19.04": (_V, _V, _R),
    "19.05": (_V, _S, _D),
    "19.06": (_V, _V, _S),
    "19.71": (_V, _V, _V),
}
IR_STAGES = ("tidak_ada", "pemula", "berkembang", "maju")


def desa_values(code: str, year_index: int, share: float) -> dict[str, object]:
    """The demo row of one desa for one year (deterministic from its code)."""
    rng = random.Random(f"{SEED}-kkb-{code}")  # noqa: S311 - demo data, not security
    maturity = rng.random()
    designated = maturity < share
    strong = rng.random()
    ir_base = rng.choices(range(4), weights=(3, 3, 3, 2) if designated else (5, 3, 2, 1))[0]
    akta_base = Decimal(str(round(rng.uniform(76, 97), 2)))
    lintas = rng.choices(range(4), weights=(4, 4, 2, 1))[0]
    indices = [rng.randint(1, 4) for _ in range(3)]
    has_indices = rng.random() < 0.8
    year_gain = Decimal(2 * year_index)
    akta = min(akta_base + year_gain, Decimal(100)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    values: dict[str, object] = {
        "kampung_kb": designated,
        "capaian_kkbpk": strong < (0.8 if designated else 0.4) + 0.03 * year_index,
        "kinerja_patbm": strong < (0.7 if designated else 0.3) + 0.03 * year_index,
        "industri_rumahan": IR_STAGES[
            min(3, ir_base + (1 if year_index == 2 and strong < 0.5 else 0))
        ],
        "akta_kelahiran_persen": akta,
        "program_lintas_sektor": lintas + (1 if year_index >= 1 and strong < 0.3 else 0),
        "kelas_bkkbn": "",
        "indeks_input": None,
        "indeks_proses": None,
        "indeks_output": None,
    }
    if designated:
        raised = [
            min(4, index + (1 if year_index >= 2 and strong < 0.4 else 0)) for index in indices
        ]
        if has_indices:
            values.update(indeks_input=raised[0], indeks_proses=raised[1], indeks_output=raised[2])
        kelas = bkkbn_class(*raised)
        values["kelas_bkkbn"] = kelas.value if kelas else ""
    return values


@transaction.atomic
def seed() -> str:
    """Create the missing demo Kampung KB assessments and rows; returns a one-line summary."""
    regions = {r.code: r for r in Region.objects.filter(code__in=list(SHARES))}
    editions = {
        edition.year: edition
        for edition in Edition.objects.filter(program=Program.KAMPUNG_KB, year__in=YEARS)
    }
    existing = set(
        Assessment.objects.filter(
            edition__program=Program.KAMPUNG_KB, edition__year__in=YEARS
        ).values_list("edition__year", "region__code")
    )
    verifier = get_user_model().objects.filter(username="verifikator").first()
    koordinators = {
        assignment.region_id: assignment.user
        for assignment in Assignment.objects.filter(role=Role.KOORDINATOR)
        .select_related("user")
        .order_by("-user_id")
    }
    desa_by_region: dict[int, list[tuple[int, str]]] = {}
    for pk, code, region_id in Desa.objects.order_by("code").values_list("id", "code", "region"):
        desa_by_region.setdefault(region_id, []).append((pk, code))
    created = rows = 0
    for code in sorted(SHARES):
        region = regions.get(code)
        if region is None:
            continue
        for position, year in enumerate(YEARS):
            edition = editions.get(year)
            if edition is None or (year, code) in existing:
                continue
            status = STATUSES[code][position]
            assessment = Assessment(edition=edition, region=region, status=status)
            assessment._change_reason = "Data demo"
            assessment.save()
            records = [
                DesaRecord(
                    assessment=assessment,
                    desa_id=desa_pk,
                    **desa_values(desa_code, position, SHARES[code][position]),
                )
                for desa_pk, desa_code in desa_by_region.get(region.pk, [])
            ]
            DesaRecord.objects.bulk_create(records, batch_size=1000)
            record_workflow(assessment, status, year, koordinators.get(region.pk), verifier)
            created += 1
            rows += len(records)
    return f"Kampung KB demo: {created} penilaian baru, {rows} baris desa."
