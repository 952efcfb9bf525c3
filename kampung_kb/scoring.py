"""Kampung KB rules per desa: Standar, Cikar, the BKKBN class, and the per-region summary.

Pure functions on plain data. The thresholds are data per edition (``Thresholds``); the shape of
each rule is code (contract §3).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, fields
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum

from django.utils.translation import gettext as _

from penilaian.scoring import format_number, provisional_among

IR_ORDER = ("tidak_ada", "pemula", "berkembang", "maju")
IR_LABELS = {
    "tidak_ada": "tidak ada",
    "pemula": "pemula",
    "berkembang": "berkembang",
    "maju": "maju",
}


class BkkbnClass(StrEnum):
    DASAR = "Dasar"
    BERKEMBANG = "Berkembang"
    MANDIRI = "Mandiri"
    BERKELANJUTAN = "Berkelanjutan"


@dataclass(frozen=True)
class Thresholds:
    """An edition's Kampung KB thresholds."""

    akta_min_persen: Decimal = Decimal("85")
    industri_rumahan_min: str = "berkembang"
    lintas_sektor_min: int = 1
    bkkbn_threshold: int = 3
    target_persen: Decimal = Decimal("90")

    @classmethod
    def from_params(cls, params: Mapping[str, object]) -> Thresholds:
        """Build from stored parameters; strings are accepted, missing or None keys default."""
        given = {f.name: params.get(f.name) for f in fields(cls)}
        kwargs: dict[str, object] = {}
        for name in ("akta_min_persen", "target_persen"):
            if given[name] is not None:
                kwargs[name] = _decimal(given[name], name)
        for name in ("lintas_sektor_min", "bkkbn_threshold"):
            if given[name] is not None:
                number = _decimal(given[name], name)
                if number != number.to_integral_value():
                    raise ValueError(f"{name}: {given[name]!r} bukan bilangan bulat.")
                kwargs[name] = int(number)
        if given["industri_rumahan_min"] is not None:
            level = str(given["industri_rumahan_min"]).strip().lower()
            if level not in IR_ORDER:
                raise ValueError(f"industri_rumahan_min: {level!r} tidak dikenal.")
            kwargs["industri_rumahan_min"] = level
        return cls(**kwargs)  # type: ignore[arg-type]


DEFAULTS = Thresholds()

# The rules (codes listed on /metode/) the Kampung KB results depend on.
STANDAR_RULES = ("KKB-STANDAR", "KKB-AKTA", "KKB-IR")
CIKAR_RULES = (*STANDAR_RULES, "KKB-CIKAR")
TARGET_RULES = ("KKB-TARGET",)
# While a region-year has no figure of desa potensial, every desa counts as potential: the
# 90 % target then rests on that default rule.
POTENSIAL_DEFAULT_RULE = "KKB-POTENSIAL"
BKKBN_RULES = ("KKB-BKKBN",)


def summary_rules(potensial_default: bool) -> tuple[str, ...]:
    """What a region summary (counts, share, target) depends on."""
    rules = (*CIKAR_RULES, *TARGET_RULES)
    return (*rules, POTENSIAL_DEFAULT_RULE) if potensial_default else rules


@dataclass(frozen=True)
class DesaRow:
    """One desa's Kampung KB data for one year."""

    kode_desa: str
    kampung_kb: bool
    capaian_kkbpk: bool
    kinerja_patbm: bool
    industri_rumahan: str
    akta_kelahiran_persen: Decimal
    program_lintas_sektor: int
    kelas_bkkbn: str | None = None
    indeks_input: int | None = None
    indeks_proses: int | None = None
    indeks_output: int | None = None


@dataclass(frozen=True)
class RegionSummary:
    """Kampung KB counts for one kab/kota and year."""

    desa_total: int
    kampung_kb: int
    standar: int
    cikar: int
    persen_kampung_kb: Decimal
    target_persen: Decimal
    target_tercapai: bool
    kurang_untuk_target: int
    desa_potensial: int | None = None
    potensial_default: bool = True
    rules: tuple[str, ...] = ()
    provisional_rules: tuple[str, ...] = ()

    @property
    def target_base(self) -> int:
        """The number the target's percentage is taken of: desa potensial, else every desa."""
        return self.desa_total if self.desa_potensial is None else self.desa_potensial

    @property
    def provisional(self) -> bool:
        """Do the counts or the target rest on a rule marked provisional?"""
        return bool(self.provisional_rules)


def ir_rank(level: str) -> int:
    """Position of an Industri Rumahan stage in ``IR_ORDER``; -1 when unknown."""
    return IR_ORDER.index(level) if level in IR_ORDER else -1


def is_standar(row: DesaRow, t: Thresholds = DEFAULTS) -> bool:
    """Designated, KKBPK achieved, PATBM performing, IR high enough, akta strictly above min."""
    return (
        row.kampung_kb
        and row.capaian_kkbpk
        and row.kinerja_patbm
        and ir_rank(row.industri_rumahan) >= ir_rank(t.industri_rumahan_min)
        and row.akta_kelahiran_persen > t.akta_min_persen
    )


def is_cikar(row: DesaRow, t: Thresholds = DEFAULTS) -> bool:
    """Standar and enough cross-sector programmes."""
    return is_standar(row, t) and row.program_lintas_sektor >= t.lintas_sektor_min


def bkkbn_class(
    indeks_input: int | None,
    indeks_proses: int | None,
    indeks_output: int | None,
    threshold: int = 3,
) -> BkkbnClass | None:
    """BKKBN class from the three indices, checked top-down; None if any index is missing."""
    if indeks_input is None or indeks_proses is None or indeks_output is None:
        return None
    good_input = indeks_input >= threshold
    good_proses = indeks_proses >= threshold
    good_output = indeks_output >= threshold
    if good_input and good_proses and good_output:
        return BkkbnClass.BERKELANJUTAN
    if good_output and (good_input or good_proses):
        return BkkbnClass.MANDIRI
    if good_input and good_proses:
        return BkkbnClass.BERKEMBANG
    return BkkbnClass.DASAR


def effective_class(row: DesaRow, t: Thresholds = DEFAULTS) -> BkkbnClass | None:
    """The class computed from the indices when all are present, else the stated class."""
    computed = bkkbn_class(
        row.indeks_input, row.indeks_proses, row.indeks_output, t.bkkbn_threshold
    )
    if computed is not None:
        return computed
    stated = (row.kelas_bkkbn or "").strip().lower()
    return next((c for c in BkkbnClass if c.value.lower() == stated), None)


def missing_for_standar(row: DesaRow, t: Thresholds = DEFAULTS) -> tuple[str, ...]:
    """Reasons the desa is not yet Standar, then what Cikar additionally lacks; () when Cikar."""
    reasons = []
    if not row.kampung_kb:
        reasons.append(_("Not yet designated as a Kampung KB."))
    if not row.capaian_kkbpk:
        reasons.append(_("KKBPK programme results not yet achieved."))
    if not row.kinerja_patbm:
        reasons.append(_("PATBM performance not yet sufficient."))
    if ir_rank(row.industri_rumahan) < ir_rank(t.industri_rumahan_min):
        current = IR_LABELS.get(row.industri_rumahan, row.industri_rumahan)
        wanted = IR_LABELS[t.industri_rumahan_min]
        reasons.append(
            _("Home industry at least at stage {wanted} (now: {current}).").format(
                wanted=wanted, current=current
            )
        )
    if not row.akta_kelahiran_persen > t.akta_min_persen:
        reasons.append(
            _("Birth certificate coverage must be above {min}% (now {now}%).").format(
                min=format_number(t.akta_min_persen), now=format_number(row.akta_kelahiran_persen)
            )
        )
    if row.program_lintas_sektor < t.lintas_sektor_min:
        reasons.append(
            _("At least {min} cross-sector programme(s) (now {now}).").format(
                min=t.lintas_sektor_min, now=row.program_lintas_sektor
            )
        )
    return tuple(reasons)


def summarize(
    desa_total: int,
    rows: Iterable[DesaRow],
    t: Thresholds = DEFAULTS,
    *,
    desa_potensial: int | None = None,
    provisional: Collection[str] = (),
) -> RegionSummary:
    """Counts for a region; a desa without a row is not designated. One row per kode_desa.

    The target is ``t.target_persen`` of the *potential* desa/kelurahan (the governor's policy:
    90 % of potential desa become Kampung KB). ``desa_potensial`` is the region-year's figure;
    None (not entered) takes every desa as potential, a default the result marks as resting
    on the provisional rule ``KKB-POTENSIAL``. The share is of the same base.

    With no desa at all (or no potential desa), nothing can be measured: 0 %, target not
    reached, 0 missing. ``provisional`` is the codes of the edition's rules marked provisional.
    """
    by_desa = {row.kode_desa: row for row in rows}  # a repeated kode_desa: the last row wins
    designated = sum(1 for row in by_desa.values() if row.kampung_kb)
    base = desa_total if desa_potensial is None else desa_potensial
    if base > 0:
        share = (Decimal(designated) * 100 / base).quantize(Decimal("0.01"), ROUND_HALF_UP)
        required = (t.target_persen * base / 100).to_integral_value(ROUND_CEILING)
        short = max(0, int(required) - designated)
    else:
        share, short = Decimal("0.00"), 0
    default = desa_potensial is None
    rules = summary_rules(default)
    marked = set(provisional) | ({POTENSIAL_DEFAULT_RULE} if default else set())
    return RegionSummary(
        desa_total=desa_total,
        kampung_kb=designated,
        standar=sum(1 for row in by_desa.values() if is_standar(row, t)),
        cikar=sum(1 for row in by_desa.values() if is_cikar(row, t)),
        persen_kampung_kb=share,
        target_persen=t.target_persen,
        target_tercapai=base > 0 and short == 0,
        kurang_untuk_target=short,
        desa_potensial=desa_potensial,
        potensial_default=default,
        rules=rules,
        provisional_rules=provisional_among(rules, marked),
    )


def validate_row(row: Mapping[str, object]) -> dict[str, str]:
    """Messages in Bahasa Indonesia per invalid field; only the fields present are checked."""
    errors: dict[str, str] = {}
    for name in ("industri_rumahan", "akta_kelahiran_persen", "program_lintas_sektor"):
        if name in row and row[name] in (None, ""):
            errors[name] = _("Required.")
    value = row.get("industri_rumahan")
    if "industri_rumahan" not in errors and value is not None and value not in IR_ORDER:
        errors["industri_rumahan"] = _("Home industry must be one of: {choices}.").format(
            choices=", ".join(IR_ORDER)
        )
    if "akta_kelahiran_persen" not in errors and row.get("akta_kelahiran_persen") is not None:
        number = _number_or_none(row["akta_kelahiran_persen"])
        if number is None or not 0 <= number <= 100:
            errors["akta_kelahiran_persen"] = _(
                "Birth certificate percentage must be between 0 and 100."
            )
    if "program_lintas_sektor" not in errors and row.get("program_lintas_sektor") is not None:
        number = _number_or_none(row["program_lintas_sektor"])
        if number is None or number != number.to_integral_value():
            errors["program_lintas_sektor"] = _(
                "The number of cross-sector programmes must be a whole number."
            )
        elif number < 0:
            errors["program_lintas_sektor"] = _(
                "The number of cross-sector programmes cannot be negative."
            )
    for name in ("indeks_input", "indeks_proses", "indeks_output"):
        if row.get(name) in (None, ""):
            continue
        number = _number_or_none(row[name])
        if number not in (1, 2, 3, 4):
            errors[name] = _("An index must be a whole number 1–4.")
    kelas = row.get("kelas_bkkbn")
    if kelas not in (None, "") and kelas not in tuple(BkkbnClass):
        errors["kelas_bkkbn"] = _("BKKBN class must be one of: {choices}.").format(
            choices=", ".join(c.value for c in BkkbnClass)
        )
    return errors


def _number_or_none(value: object) -> Decimal | None:
    if isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _decimal(value: object, name: str) -> Decimal:
    number = _number_or_none(value)
    if number is None:
        raise ValueError(f"{name}: {value!r} bukan angka.")
    return number
