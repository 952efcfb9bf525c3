"""Kampung KB readiness from the database: desa rows, desa totals, summaries and desa statuses.

Loading is by sets (one query for the rows of many assessments, one for the desa totals of many
regions); the rules are ``kampung_kb.scoring``. This module also registers the Kampung KB hooks
of the shared mechanism (the "as verified" snapshot and the carry-over of desa rows).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, QuerySet

from kampung_kb.models import DATA_FIELDS, DesaPotensial, DesaRecord
from kampung_kb.scoring import (
    BkkbnClass,
    DesaRow,
    RegionSummary,
    Thresholds,
    effective_class,
    is_cikar,
    is_standar,
    missing_for_standar,
    summarize,
)
from penilaian.models import Assessment, Program
from penilaian.scoring import Missing
from penilaian.services import ProgramHooks, register_program_hooks
from regions.models import Desa, Region

ROW_FIELDS = DATA_FIELDS


def thresholds_for(params: Mapping[str, Any]) -> Thresholds:
    """The edition's thresholds; the catalog calls the target ``target_persen_kampung_kb``."""
    given = dict(params or {})
    if given.get("target_persen") is None and given.get("target_persen_kampung_kb") is not None:
        given["target_persen"] = given["target_persen_kampung_kb"]
    return Thresholds.from_params(given)


def desa_row(kode_desa: str, values: Mapping[str, Any]) -> DesaRow:
    """A scoring row from stored field values."""
    return DesaRow(
        kode_desa=kode_desa,
        kampung_kb=bool(values["kampung_kb"]),
        capaian_kkbpk=bool(values["capaian_kkbpk"]),
        kinerja_patbm=bool(values["kinerja_patbm"]),
        industri_rumahan=values["industri_rumahan"],
        akta_kelahiran_persen=Decimal(values["akta_kelahiran_persen"]),
        program_lintas_sektor=int(values["program_lintas_sektor"]),
        kelas_bkkbn=values["kelas_bkkbn"] or None,
        indeks_input=values["indeks_input"],
        indeks_proses=values["indeks_proses"],
        indeks_output=values["indeks_output"],
    )


def load_desa_rows(assessments: QuerySet[Assessment] | Iterable[int]) -> dict[int, list[DesaRow]]:
    """Desa rows per assessment id, ordered by desa code, in 1 query."""
    if not isinstance(assessments, QuerySet):
        assessments = tuple(assessments)
    rows: dict[int, list[DesaRow]] = defaultdict(list)
    records = (
        DesaRecord.objects.filter(assessment__in=assessments)
        .order_by("assessment_id", "desa__code")
        .values_list("assessment_id", "desa__code", *ROW_FIELDS)
    )
    # Tuples in ROW_FIELDS order, converted as desa_row() does (a stored Decimal is kept as is:
    # Decimal(Decimal) is an exact copy). Rows of one assessment come together.
    current_id: int | None = None
    current: list[DesaRow] = []
    for (
        assessment_id,
        kode_desa,
        kampung_kb,
        capaian_kkbpk,
        kinerja_patbm,
        industri_rumahan,
        akta,
        lintas_sektor,
        kelas_bkkbn,
        indeks_input,
        indeks_proses,
        indeks_output,
    ) in records:
        if assessment_id != current_id:
            current_id, current = assessment_id, rows[assessment_id]
        current.append(
            DesaRow(
                kode_desa=kode_desa,
                kampung_kb=bool(kampung_kb),
                capaian_kkbpk=bool(capaian_kkbpk),
                kinerja_patbm=bool(kinerja_patbm),
                industri_rumahan=industri_rumahan,
                akta_kelahiran_persen=akta if isinstance(akta, Decimal) else Decimal(akta),
                program_lintas_sektor=int(lintas_sektor),
                kelas_bkkbn=kelas_bkkbn or None,
                indeks_input=indeks_input,
                indeks_proses=indeks_proses,
                indeks_output=indeks_output,
            )
        )
    return dict(rows)


def desa_totals(region_ids: QuerySet[Region] | Iterable[int]) -> dict[int, int]:
    """Number of desa/kelurahan per region id, in 1 aggregated query."""
    if not isinstance(region_ids, QuerySet):
        region_ids = tuple(region_ids)
    counts = (
        Desa.objects.filter(region__in=region_ids)
        .order_by()
        .values("region_id")
        .annotate(total=Count("id"))
        .values_list("region_id", "total")
    )
    return dict(counts)


def load_potensial(
    region_ids: QuerySet[Region] | Iterable[int], years: Iterable[int] | None = None
) -> dict[tuple[int, int], int]:
    """The entered number of potential desa per (region id, year), in 1 query."""
    if not isinstance(region_ids, QuerySet):
        region_ids = tuple(region_ids)
    qs = DesaPotensial.objects.filter(region__in=region_ids).order_by()
    if years is not None:
        qs = qs.filter(year__in=tuple(years))
    return {
        (region, year): jumlah
        for region, year, jumlah in qs.values_list("region_id", "year", "jumlah")
    }


def potensial_of(region_id: int, year: int) -> int | None:
    """One region-year's entered number of potential desa (None: not entered), 1 query."""
    return load_potensial([region_id], [year]).get((region_id, year))


def provisional_codes(rules: Iterable[Mapping[str, Any]] | None) -> frozenset[str]:
    """Codes of an edition's rules marked provisional."""
    return frozenset(
        rule["code"]
        for rule in rules or ()
        if isinstance(rule, Mapping) and rule.get("provisional") and "code" in rule
    )


def region_summary(
    params: Mapping[str, Any],
    desa_total: int,
    rows: Iterable[DesaRow],
    *,
    desa_potensial: int | None = None,
    rules: Iterable[Mapping[str, Any]] | None = None,
) -> RegionSummary:
    """The region's Kampung KB counts with the edition's thresholds, against the target's base
    (``desa_potensial``, None = every desa) and marked with the edition's provisional rules."""
    return summarize(
        desa_total,
        rows,
        thresholds_for(params),
        desa_potensial=desa_potensial,
        provisional=provisional_codes(rules),
    )


@dataclass(frozen=True)
class DesaStatus:
    """One desa's Kampung KB status for a year (``row`` is None when no data was entered)."""

    code: str
    name: str
    jenis: str
    kecamatan: str
    row: DesaRow | None
    standar: bool
    cikar: bool
    kelas: BkkbnClass | None
    missing: tuple[str, ...]
    carried_over: bool = False

    @property
    def designated(self) -> bool:
        return self.row is not None and self.row.kampung_kb


def classify(
    row: DesaRow | None, thresholds: Thresholds
) -> tuple[bool, bool, BkkbnClass | None, tuple[str, ...]]:
    """(standar, cikar, BKKBN class, what is missing) for one desa row (None = no data)."""
    if row is None:
        return False, False, None, ("Belum ada data.",)
    return (
        is_standar(row, thresholds),
        is_cikar(row, thresholds),
        effective_class(row, thresholds),
        missing_for_standar(row, thresholds),
    )


def desa_statuses(
    region: Region, assessment: Assessment | None, params: Mapping[str, Any]
) -> list[DesaStatus]:
    """Every desa of ``region`` with its status in ``assessment`` (2 queries), by desa code."""
    thresholds = thresholds_for(params)
    records: dict[int, dict[str, Any]] = {}
    if assessment is not None:
        records = {
            record["desa_id"]: record
            for record in DesaRecord.objects.filter(assessment=assessment)
            .order_by()
            .values("desa_id", "carried_over", *ROW_FIELDS)
        }
    statuses = []
    desa_list = (
        Desa.objects.filter(region=region)
        .order_by("code")
        .values_list("id", "code", "name", "jenis", "kecamatan__name")
    )
    for pk, code, name, jenis, kecamatan in desa_list:
        record = records.get(pk)
        row = desa_row(code, record) if record is not None else None
        standar, cikar, kelas, missing = classify(row, thresholds)
        statuses.append(
            DesaStatus(
                code=code,
                name=name,
                jenis=jenis,
                kecamatan=kecamatan,
                row=row,
                standar=standar,
                cikar=cikar,
                kelas=kelas,
                missing=missing,
                carried_over=bool(record and record["carried_over"]),
            )
        )
    return statuses


# --- hooks of the shared mechanism ------------------------------------------------------------


def summary_data(summary: RegionSummary) -> dict[str, Any]:
    """A region summary as JSON-ready data (numbers as strings)."""
    return {
        "desa_total": summary.desa_total,
        "kampung_kb": summary.kampung_kb,
        "standar": summary.standar,
        "cikar": summary.cikar,
        "persen_kampung_kb": str(summary.persen_kampung_kb),
        "target_persen": str(summary.target_persen),
        "target_tercapai": summary.target_tercapai,
        "kurang_untuk_target": summary.kurang_untuk_target,
        "desa_potensial": summary.desa_potensial,
        "potensial_default": summary.potensial_default,
        "provisional": summary.provisional,
        "provisional_rules": list(summary.provisional_rules),
    }


def snapshot(assessment: Assessment) -> tuple[Decimal | None, str, dict[str, Any]]:
    """The Kampung KB "as verified" snapshot: the region summary and every desa's class.

    Score is the share of desa designated Kampung KB (%); there is no level name.
    """
    edition = assessment.edition
    thresholds = thresholds_for(edition.params)
    rows = load_desa_rows([assessment.pk]).get(assessment.pk, [])
    total = desa_totals([assessment.region_id]).get(assessment.region_id, 0)
    summary = summarize(
        total,
        rows,
        thresholds,
        desa_potensial=potensial_of(assessment.region_id, edition.year),
        provisional=provisional_codes(edition.rules),
    )
    desa = {}
    for row in rows:
        standar, cikar, kelas, _missing = classify(row, thresholds)
        desa[row.kode_desa] = {
            "kampung_kb": row.kampung_kb,
            "standar": standar,
            "cikar": cikar,
            "kelas_bkkbn": kelas.value if kelas else None,
        }
    data = {
        "program": edition.program,
        "year": edition.year,
        "edition_id": edition.pk,
        "assessment_id": assessment.pk,
        "version": assessment.version,
        "status": assessment.status,
        "summary": summary_data(summary),
        "desa": desa,
    }
    return summary.persen_kampung_kb, "", data


def missing(assessment: Assessment) -> Missing:
    """What a Kampung KB assessment lacks: the region's desa without a row (2 queries)."""
    with_row = set(
        DesaRecord.objects.filter(assessment=assessment).values_list("desa_id", flat=True)
    )
    unanswered = tuple(
        code
        for pk, code in Desa.objects.filter(region_id=assessment.region_id)
        .order_by("code")
        .values_list("pk", "code")
        if pk not in with_row
    )
    return Missing(unanswered=unanswered)


def _carry(new: Assessment, source: Assessment | None, user) -> Any:
    from kampung_kb.services import carry_desa_rows

    return carry_desa_rows(new, source, user=user)


register_program_hooks(
    Program.KAMPUNG_KB, ProgramHooks(snapshot=snapshot, carry=_carry, missing=missing)
)
