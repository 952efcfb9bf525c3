"""Checking an uploaded sheet against the database: the dry run behind every import.

An :class:`Importer` (one per resource: ``nilai``, ``kampung_kb``, ``desa``) turns a
:class:`~impor.readers.Table` into a :class:`Plan`: every row is new, changed, unchanged or
invalid, every error has its row number, column and message, and the plan holds what the
writer will store. Nothing is written here. The same rules as the forms apply:
``penilaian.scoring.validate_value`` for indicator values, ``kampung_kb.scoring.validate_row``
for Kampung KB rows, no writes into submitted or verified assessments, and the user's scope.

Existing records are matched on their whole natural key, loaded once per file with a constant
number of queries (:class:`NaturalKeyIndex`), never one query per row.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from operator import itemgetter
from typing import Any, ClassVar, NamedTuple

from django.db.models import QuerySet
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from impor import coerce
from impor.readers import ERROR_COLUMN, FileRefused, Table
from kampung_kb.models import DATA_FIELDS, YESNO_FIELDS, DesaRecord
from kampung_kb.scoring import BkkbnClass, validate_row
from penilaian import formatting, scoring
from penilaian.models import Answer, Assessment, Edition, Indicator, Program
from penilaian.services import note_error
from regions.models import Desa, Kecamatan, Region
from regions.scoping import Scope

PREVIEW_LIMIT = 200
MAX_ERRORS = 1_000  # errors kept in memory (and listed, and in the error file); all are counted
ROWS_LISTED = 20  # rows named in the message of a repeated key; the rest are counted
CHUNK = 500
PROGRESS_EVERY = 1_000
ANSWER_PROGRAMS = (Program.APE, Program.KLA)
# A row that would change a submitted or verified assessment is refused; an unchanged one is not.
LOCKED = (Assessment.Status.SUBMITTED, Assessment.Status.VERIFIED)
_DESA_CODE = re.compile(r"^\d{2}\.\d{2}\.\d{2}\.\d{4}$")


@dataclass(frozen=True)
class RowError:
    """One problem: its sheet row number, column name ('' for the whole row) and message."""

    row: int
    column: str
    message: str


@dataclass(frozen=True)
class ChangeRow:
    """One row of the preview table: what the import will create or change."""

    row: int
    kind: str  # "new" | "changed"
    key: str
    before: str
    after: str


@dataclass
class Plan:
    """The outcome of checking one file; what the writer needs to store it."""

    importer: Importer
    table: Table
    errors: list[RowError] = field(default_factory=list)  # at most MAX_ERRORS, lowest rows
    error_total: int = 0  # every error, kept or not
    _kept: list[tuple[int, int, RowError]] = field(default_factory=list, repr=False)
    invalid_rows: set[int] = field(default_factory=set)
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    writes: list[Any] = field(default_factory=list)
    preview: list[ChangeRow] = field(default_factory=list)
    region_ids: set[int] = field(default_factory=set)
    create_assessments: set[tuple[int, int]] = field(default_factory=set)
    touched_assessments: set[int] = field(default_factory=set)
    # Called with the number of rows read so far, every PROGRESS_EVERY rows (a job's progress).
    progress: Callable[[int], None] | None = field(default=None, repr=False)

    @property
    def total(self) -> int:
        return len(self.table.rows)

    @property
    def invalid(self) -> int:
        return len(self.invalid_rows)

    @property
    def is_valid(self) -> bool:
        return not self.error_total

    @property
    def errors_dropped(self) -> int:  # after finish()
        return self.error_total - len(self.errors)

    @property
    def has_changes(self) -> bool:
        return bool(self.new or self.changed)

    def error(self, row: int, column: str, message: str) -> None:
        """Count an error; keep the ``MAX_ERRORS`` of the lowest rows (a file of 200,000 bad
        rows must not hold 400,000 messages in memory). Until :meth:`finish`, ``errors`` is a
        heap whose top is the kept error of the highest row."""
        self.error_total += 1
        self.invalid_rows.add(row)
        entry = (-row, -self.error_total, RowError(row, column, message))
        if len(self._kept) < MAX_ERRORS:
            heapq.heappush(self._kept, entry)
        elif entry > self._kept[0]:  # a lower row than the highest kept one
            heapq.heapreplace(self._kept, entry)

    def finish(self) -> Plan:
        """Errors in sheet order (row, then column order, whole-row messages last); nothing
        to write when anything is invalid."""
        order = {name: i for i, name in enumerate(self.importer.columns)}
        self.errors = [error for _row, _seq, error in self._kept]
        self.errors.sort(key=lambda e: (e.row, order.get(e.column, len(order))))
        if self.error_total:
            self.writes.clear()
        return self

    def count(self, kind: str, row: int, describe: Callable[[], tuple[str, str, str]]) -> None:
        """Count a new, changed or unchanged row; ``describe()`` gives (key, before, after)
        and is only called while the preview list is not full."""
        if kind == "new":
            self.new += 1
        elif kind == "changed":
            self.changed += 1
        else:
            self.unchanged += 1
            return
        if len(self.preview) < PREVIEW_LIMIT:
            self.preview.append(ChangeRow(row, kind, *describe()))


class NaturalKeyIndex:
    """Existing records keyed on their WHOLE natural key, loaded in chunks of ``CHUNK`` ids.

    (django-import-export's ``CachedInstanceLoader`` keys on the first id field only, which
    matches the wrong record when the key is composite; this index never does.)
    """

    def __init__(
        self,
        queryset: QuerySet,
        filter_field: str,
        ids: Iterable[Any],
        key_fields: tuple[str, ...],
        value_fields: Iterable[str],
    ):
        self.items: dict[tuple, dict[str, Any]] = {}
        ids = sorted(set(ids))
        names = list(dict.fromkeys(["pk", *key_fields, *value_fields]))
        width = len(key_fields)
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            rows = queryset.filter(**{f"{filter_field}__in": chunk}).values_list(*names)
            for row in rows:
                self.items[row[1 : 1 + width]] = dict(zip(names, row, strict=True))

    def get(self, key: tuple) -> dict[str, Any] | None:
        return self.items.get(key)


class Importer:
    """One importable resource: its sheet, columns, key and rules."""

    name: ClassVar[str]
    label: ClassVar[Any]
    columns: ClassVar[tuple[str, ...]]
    optional: ClassVar[frozenset[str]] = frozenset()
    key_columns: ClassVar[tuple[str, ...]]
    koordinator_allowed: ClassVar[bool] = False

    @property
    def sheet(self) -> str:
        return self.name

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c for c in self.columns if c not in self.optional)

    def column_index(self, table: Table) -> dict[str, int]:
        """Column name → position; refuses missing, unknown or repeated column names."""
        index: dict[str, int] = {}
        unknown = []
        for position, raw in enumerate(table.headers):
            header = self.canonical(raw)
            if not raw or header == ERROR_COLUMN:
                continue
            if header is None:
                unknown.append(raw)
            elif header in index:
                raise FileRefused(
                    _("The column %(column)s appears twice in row 1.") % {"column": header}
                )
            else:
                index[header] = position
        missing = [c for c in self.required if c not in index]
        if missing or unknown:
            parts = []
            if missing:
                parts.append(_("Missing columns: %(columns)s.") % {"columns": ", ".join(missing)})
            if unknown:
                parts.append(_("Unknown columns: %(columns)s.") % {"columns": ", ".join(unknown)})
            parts.append(
                _("Row 1 must hold the columns %(columns)s.") % {"columns": ", ".join(self.columns)}
            )
            raise FileRefused(" ".join(parts))
        return index

    def canonical(self, header: str) -> str | None:
        """The column a normalised header names (``kodewilayah`` → ``kode_wilayah``), or None."""
        wanted = header.replace("_", "")
        for column in (*self.columns, ERROR_COLUMN):
            if column.replace("_", "") == wanted:
                return column
        return None

    def rows(self, table: Table, plan: Plan) -> Iterator[tuple[int, dict[str, object]]]:
        """Each data row as column → raw cell; formula cells without a value become errors."""
        index = self.column_index(table)
        formulas = table.formula_cells
        items = list(index.items())
        for number, cells in _counted(table.rows, plan.progress):
            width = len(cells)
            row = {name: (cells[pos] if pos < width else None) for name, pos in items}
            if formulas:
                for name, pos in items:
                    if (number, pos) in formulas:
                        plan.error(number, name, formula_message())
                        row[name] = None
            yield number, row

    def cells(self, table: Table, plan: Plan, names: tuple[str, ...]) -> Iterator[tuple]:
        """(row number, *cells of ``names``) per data row, fast; an absent optional column
        gives None. Formula cells without a value become errors (and None)."""
        index = self.column_index(table)
        positions = [index.get(name) for name in names]
        formulas = table.formula_cells
        if not formulas and None not in positions:
            pick = itemgetter(*positions)
            for number, cells in _counted(table.rows, plan.progress):
                yield (number, *pick(cells))
            return
        for number, row in self.rows(table, plan):
            yield (number, *(row.get(name) for name in names))

    def plan(self, table: Table, scope: Scope, *, for_update: bool = False, progress=None) -> Plan:
        raise NotImplementedError  # each resource below defines its rules


def _counted(rows: list, progress: Callable[[int], None] | None) -> Iterator:
    """``rows`` as they are; ``progress(n)`` after every ``PROGRESS_EVERY`` rows and at the end."""
    if progress is None:
        yield from rows
        return
    for start in range(0, len(rows), PROGRESS_EVERY):
        yield from rows[start : start + PROGRESS_EVERY]
        progress(min(start + PROGRESS_EVERY, len(rows)))


class RepeatedKeys:
    """The rows of each key in one file. A key on several rows is ONE error, on the row where
    it first appears, naming the rows it appears on; every one of those rows is invalid.
    (Reporting each repeat against the first row gave 400,000 errors that all named row 2.)"""

    def __init__(self) -> None:
        self.first: dict[tuple, int] = {}
        self.repeats: dict[tuple, list[int]] = {}

    def add(self, key: tuple, row: int) -> bool:
        """False when ``key`` was already seen in the file."""
        first = self.first.setdefault(key, row)
        if first == row:
            return True
        self.repeats.setdefault(key, []).append(row)
        return False

    def report(self, plan: Plan) -> None:
        for key, rows in self.repeats.items():
            first = self.first[key]
            plan.error(first, "", repeated_key_message(key, [first, *rows]))
            plan.invalid_rows.update(rows)


def repeated_key_message(key: tuple, rows: list[int]) -> str:
    text = " / ".join(str(part) for part in key)
    if len(rows) == 2:
        message = _("The key %(key)s appears twice in the file: rows %(first)s and %(second)s.")
        return message % {"key": text, "first": rows[0], "second": rows[1]}
    listed = ", ".join(str(row) for row in rows[:ROWS_LISTED])
    if len(rows) <= ROWS_LISTED:
        message = _("The key %(key)s appears %(count)s times in the file: rows %(rows)s.")
        return message % {"key": text, "count": len(rows), "rows": listed}
    message = _(
        "The key %(key)s appears %(count)s times in the file: rows %(rows)s and %(more)s more."
    )
    return message % {
        "key": text,
        "count": len(rows),
        "rows": listed,
        "more": len(rows) - ROWS_LISTED,
    }


def memo(function: Callable[[object], Any]) -> Callable[[object], Any]:
    """``function`` remembered per cell value (codes and years repeat on most rows)."""
    cache: dict[tuple[type, object], Any] = {}

    def remembered(value: object) -> Any:
        key = (type(value), value)
        try:
            return cache[key]
        except KeyError:
            result = cache[key] = function(value)
            return result
        except TypeError:  # an unhashable cell value
            return function(value)

    return remembered


def formula_message() -> str:
    return _(
        "The cell holds a formula without a saved result. Open the file in a spreadsheet "
        "program, save it and upload it again."
    )


def _locked_message(status: str, program: str, year: int, region_code: str) -> str:
    label = {
        Assessment.Status.SUBMITTED: _("submitted"),
        Assessment.Status.VERIFIED: _("verified"),
    }[status]
    return _(
        "The %(program)s %(year)s assessment of %(region)s is %(status)s and locked; "
        "it cannot be changed."
    ) % {"program": program, "year": year, "region": region_code, "status": label}


def _number(value: Decimal | None) -> str:
    """A value as the preview shows it to people: 87,34 (penilaian.formatting)."""
    return "" if value is None else formatting.number(value, get_language())


def _assessments(
    pairs: set[tuple[int, int]], for_update: bool
) -> dict[tuple[int, int], tuple[int, str]]:
    """(region_id, edition_id) → (assessment id, status), optionally locking the rows."""
    if not pairs:
        return {}
    region_ids = {region for region, _edition in pairs}
    edition_ids = {edition for _region, edition in pairs}
    queryset = Assessment.objects.filter(region_id__in=region_ids, edition_id__in=edition_ids)
    if for_update:
        queryset = queryset.select_for_update().order_by("pk")
    return {
        (region, edition): (pk, status)
        for pk, region, edition, status in queryset.values_list(
            "pk", "region_id", "edition_id", "status"
        )
    }


# --- nilai ---


class AnswerWrite(NamedTuple):
    row: int
    region_id: int
    edition_id: int
    indicator_id: int
    value: Decimal | None
    note: str
    answer_id: int | None


class NilaiImporter(Importer):
    """Indicator values (APE, KLA), one row per (kode_wilayah, tahun, kode_indikator)."""

    name = "nilai"
    label = gettext_lazy("Indicator values (APE, KLA)")
    columns = ("kode_wilayah", "tahun", "kode_indikator", "nilai", "catatan")
    optional = frozenset({"catatan"})
    key_columns = ("kode_wilayah", "tahun", "kode_indikator")
    koordinator_allowed = True

    def plan(self, table: Table, scope: Scope, *, for_update: bool = False, progress=None) -> Plan:
        plan = Plan(self, table, progress=progress)
        parsed = []
        codes: set[str] = set()
        region_codes: set[str] = set()
        years: set[int] = set()
        has_note = "catatan" in self.column_index(table)
        as_region_code = memo(coerce.as_region_code)
        as_code = memo(coerce.as_code)
        as_year = memo(coerce.as_year)
        as_text = coerce.as_text
        for number, region_raw, year_raw, code_raw, value_raw, note_raw in self.cells(
            table, plan, self.columns
        ):
            region_code = as_region_code(region_raw)
            code = as_code(code_raw)
            year, year_error = as_year(year_raw)
            if not region_code:
                plan.error(number, "kode_wilayah", _("Required."))
            if not code:
                plan.error(number, "kode_indikator", _("Required."))
            if year_error:
                plan.error(number, "tahun", year_error)
            note = as_text(note_raw) if has_note else None
            if note and (error := note_error(note)) is not None:  # the forms' and API's rule
                plan.error(number, "catatan", error)
            parsed.append((number, region_code, year, code, value_raw, note))
            region_codes.add(region_code)
            codes.add(code)
            if year is not None:
                years.add(year)

        regions = {
            code: (pk, kind)
            for pk, code, kind in Region.objects.filter(code__in=region_codes).values_list(
                "pk", "code", "kind"
            )
        }
        programs_by_code = dict(
            Indicator.objects.filter(code__in=codes)
            .values_list("code", "edition__program")
            .distinct()
        )
        editions = {
            (program, year): pk
            for pk, program, year in Edition.objects.filter(year__in=years).values_list(
                "pk", "program", "year"
            )
        }
        catalog: dict[tuple[str, int], tuple[int, int, scoring.IndicatorSpec]] = {}
        for indicator in Indicator.objects.filter(
            edition__year__in=years, edition__program__in=ANSWER_PROGRAMS
        ).select_related("group", "edition"):
            catalog[(indicator.code, indicator.edition.year)] = (
                indicator.pk,
                indicator.edition_id,
                indicator.to_spec(indicator.group.code),
            )
        program_labels = {value: str(label) for value, label in Program.choices}

        def check_region(region_code: str) -> tuple[tuple[int, str] | None, str | None]:
            region = regions.get(region_code)
            if region is None:
                return None, _("Unknown region code %(code)s.") % {"code": region_code}
            if region[1] == Region.Kind.PROVINSI:
                message = _("%(code)s is the province; values are entered per regency/city.")
                return None, message % {"code": region_code}
            if not scope.can_manage_region(region[0]):
                message = _("You may only import data of your own region; %(code)s is not yours.")
                return None, message % {"code": region_code}
            return region, None

        def check_indicator(key: tuple[str, int | None]) -> tuple[Any, str, str | None]:
            code, year = key
            program = programs_by_code.get(code)
            if program is None:
                message = _("Unknown indicator code %(code)s.") % {"code": code}
                return None, "kode_indikator", message
            if program == Program.KAMPUNG_KB:
                message = _("Kampung KB data is imported per village with the kampung_kb sheet.")
                return None, "kode_indikator", message
            if year is None:
                return None, "", None
            entry = catalog.get((code, year))
            if entry is not None:
                return entry, "", None
            label = program_labels.get(program, program)
            if (program, year) not in editions:
                message = _("There is no %(program)s edition for %(year)s.")
                column = "tahun"
            else:
                message = _("Indicator %(code)s is not in the %(program)s %(year)s edition.")
                column = "kode_indikator"
            return None, column, message % {"program": label, "year": year, "code": code}

        region_checks: dict[str, tuple] = {}
        indicator_checks: dict[tuple, tuple] = {}
        keys = RepeatedKeys()
        candidates = []
        validated: dict[tuple, tuple[Decimal | None, str | None]] = {}
        invalid = plan.invalid_rows
        for number, region_code, year, code, raw_value, note in parsed:
            ok = number not in invalid
            region = None
            if region_code:
                try:
                    region, message = region_checks[region_code]
                except KeyError:
                    region, message = region_checks[region_code] = check_region(region_code)
                if message:
                    plan.error(number, "kode_wilayah", message)
                    ok = False
            entry = None
            if code:
                try:
                    entry, column, message = indicator_checks[(code, year)]
                except KeyError:
                    entry, column, message = indicator_checks[(code, year)] = check_indicator(
                        (code, year)
                    )
                if message:
                    plan.error(number, column, message)
                    ok = False
            value = None
            if entry is not None:
                try:
                    value, error = validated[(entry[0], type(raw_value), raw_value)]
                except KeyError:
                    value, error = validated[(entry[0], type(raw_value), raw_value)] = self._value(
                        entry[2], raw_value
                    )
                except TypeError:
                    value, error = self._value(entry[2], raw_value)
                if error:
                    plan.error(number, "nilai", error)
                    ok = False
            if (
                region_code
                and code
                and year is not None
                and not keys.add((region_code, year, code), number)
            ):
                ok = False
            if ok and region is not None and entry is not None:
                candidates.append((number, region, region_code, year, code, entry, value, note))
        keys.report(plan)

        pairs = {(region[0], entry[1]) for _n, region, _rc, _y, _c, entry, _v, _t in candidates}
        assessments = _assessments(pairs, for_update)
        existing = NaturalKeyIndex(
            Answer.objects.all(),
            "assessment_id",
            [pk for pk, _status in assessments.values()],
            ("assessment_id", "indicator_id"),
            ("value", "note"),
        )
        for number, region, region_code, year, code, entry, value, note in candidates:
            if number in plan.invalid_rows:
                continue
            indicator_id, edition_id, spec = entry
            assessment = assessments.get((region[0], edition_id))
            current = existing.get((assessment[0], indicator_id)) if assessment else None
            if (
                current is not None
                and current["value"] == value
                and (note is None or current["note"] == note)
            ):
                plan.unchanged += 1  # also in a locked assessment: nothing to change
                continue
            if assessment is not None and assessment[1] in LOCKED:
                program = program_labels.get(programs_by_code[code], "")
                plan.error(number, "", _locked_message(assessment[1], program, year, region_code))
                continue
            key_text = f"{region_code} / {year} / {code}"
            if current is None:
                final_note = note or ""
                plan.count(
                    "new",
                    number,
                    lambda k=key_text, v=value, n=final_note, g=note: (k, "", self._show(v, n, g)),
                )
                answer_id = None
                if assessment is None:
                    plan.create_assessments.add((region[0], edition_id))
            else:
                final_note = current["note"] if note is None else note
                plan.count(
                    "changed",
                    number,
                    lambda k=key_text, c=current, v=value, n=final_note, g=note: (
                        k,
                        self._show(c["value"], c["note"], g),
                        self._show(v, n, g),
                    ),
                )
                answer_id = current["pk"]
            if assessment is not None:
                plan.touched_assessments.add(assessment[0])
            plan.region_ids.add(region[0])
            plan.writes.append(
                AnswerWrite(
                    number, region[0], edition_id, indicator_id, value, final_note, answer_id
                )
            )
        return plan.finish()

    @staticmethod
    def _value(spec: scoring.IndicatorSpec, raw: object) -> tuple[Decimal | None, str | None]:
        """The cell as the indicator's value, checked by ``penilaian.scoring.validate_value``."""
        if spec.kind == scoring.Kind.YESNO:
            flag, error = coerce.as_yesno(raw)
            value = None if flag is None else Decimal(int(flag))
        else:
            value, error = coerce.as_decimal(raw, percent=spec.kind == scoring.Kind.PERCENT)
        if error is None and value is not None:
            error = scoring.validate_value(spec, value)
        return (None, error) if error else (value, None)

    @staticmethod
    def _show(value: Decimal | None, note: str, note_given: str | None) -> str:
        text = _number(value) or "—"
        if note_given is not None and note:
            text += f" ({note[:60]})"
        return text


# --- kampung_kb ---

DESA_RECORD_FIELDS = DATA_FIELDS
_KELAS = {c.value.lower(): c.value for c in BkkbnClass}


class DesaRecordWrite(NamedTuple):
    row: int
    region_id: int
    edition_id: int
    desa_id: int
    values: dict[str, Any]
    record_id: int | None


class KampungKbImporter(Importer):
    """Kampung KB data per desa and year, one row per (kode_desa, tahun)."""

    name = "kampung_kb"
    label = gettext_lazy("Kampung KB data per village")
    columns = ("kode_desa", "tahun", *DESA_RECORD_FIELDS)
    optional = frozenset({"kelas_bkkbn", "indeks_input", "indeks_proses", "indeks_output"})
    key_columns = ("kode_desa", "tahun")

    def plan(self, table: Table, scope: Scope, *, for_update: bool = False, progress=None) -> Plan:
        plan = Plan(self, table, progress=progress)
        present = [f for f in DESA_RECORD_FIELDS if f in self.column_index(table)]
        parsed = []
        desa_codes: set[str] = set()
        years: set[int] = set()
        as_desa_code = memo(coerce.as_desa_code)
        as_year = memo(coerce.as_year)
        for number, row in self.rows(table, plan):
            desa_code = as_desa_code(row["kode_desa"])
            year, year_error = as_year(row["tahun"])
            if not desa_code:
                plan.error(number, "kode_desa", _("Required."))
            if year_error:
                plan.error(number, "tahun", year_error)
            values = self._coerce(plan, number, row, present)
            parsed.append((number, desa_code, year, values))
            desa_codes.add(desa_code)
            if year is not None:
                years.add(year)

        desa = {
            code: (pk, region_id)
            for pk, code, region_id in Desa.objects.filter(code__in=desa_codes).values_list(
                "pk", "code", "region_id"
            )
        }
        region_codes = dict(
            Region.objects.filter(pk__in={r for _p, r in desa.values()}).values_list("pk", "code")
        )
        editions = dict(
            Edition.objects.filter(program=Program.KAMPUNG_KB, year__in=years).values_list(
                "year", "pk"
            )
        )
        keys = RepeatedKeys()
        candidates = []
        for number, desa_code, year, values in parsed:
            ok = number not in plan.invalid_rows
            found = desa.get(desa_code) if desa_code else None
            if desa_code and found is None:
                plan.error(
                    number, "kode_desa", _("Unknown village code %(code)s.") % {"code": desa_code}
                )
                ok = False
            elif found is not None and not scope.can_manage_region(found[1]):
                plan.error(
                    number,
                    "kode_desa",
                    _("You may only import data of your own region; %(code)s is not yours.")
                    % {"code": desa_code},
                )
                ok = False
            if year is not None and year not in editions:
                plan.error(
                    number,
                    "tahun",
                    _("There is no %(program)s edition for %(year)s.")
                    % {"program": Program.KAMPUNG_KB.label, "year": year},
                )
                ok = False
            if desa_code and year is not None and not keys.add((desa_code, year), number):
                ok = False
            if ok and found is not None:
                candidates.append((number, desa_code, year, found, editions[year], values))
        keys.report(plan)

        pairs = {(found[1], edition) for _n, _c, _y, found, edition, _v in candidates}
        assessments = _assessments(pairs, for_update)
        existing = NaturalKeyIndex(
            DesaRecord.objects.all(),
            "assessment_id",
            [pk for pk, _status in assessments.values()],
            ("assessment_id", "desa_id"),
            (*DESA_RECORD_FIELDS, "note"),
        )
        for number, desa_code, year, found, edition_id, values in candidates:
            if number in plan.invalid_rows:
                continue
            desa_id, region_id = found
            assessment = assessments.get((region_id, edition_id))
            current = existing.get((assessment[0], desa_id)) if assessment else None
            if current is not None and all(_same(current[n], values[n]) for n in values):
                plan.unchanged += 1  # also in a locked assessment: nothing to change
                continue
            if assessment is not None and assessment[1] in LOCKED:
                message = _locked_message(
                    assessment[1], str(Program.KAMPUNG_KB.label), year, region_codes[region_id]
                )
                plan.error(number, "", message)
                continue
            key_text = f"{desa_code} / {year}"
            if current is None:
                plan.count("new", number, lambda k=key_text, v=values: (k, "", self._show(v)))
                if assessment is None:
                    plan.create_assessments.add((region_id, edition_id))
                record_id = None
                final = values
            else:
                before = {name: current[name] for name in values}
                plan.count(
                    "changed",
                    number,
                    lambda k=key_text, b=before, v=values: (k, self._show(b), self._show(v)),
                )
                record_id = current["pk"]
                final = {name: current[name] for name in (*DESA_RECORD_FIELDS, "note")} | values
            if assessment is not None:
                plan.touched_assessments.add(assessment[0])
            plan.region_ids.add(region_id)
            plan.writes.append(
                DesaRecordWrite(number, region_id, edition_id, desa_id, final, record_id)
            )
        return plan.finish()

    def _coerce(
        self, plan: Plan, number: int, row: dict[str, object], present: list[str]
    ) -> dict[str, Any]:
        values: dict[str, Any] = {}
        errors: dict[str, str] = {}
        for name in present:
            raw = row[name]
            if name in YESNO_FIELDS:
                flag, error = coerce.as_yesno(raw)
                if error:
                    errors[name] = error
                elif flag is None:
                    errors[name] = _("Required (ya or tidak).")
                values[name] = flag
            elif name == "industri_rumahan":
                text = coerce.as_text(raw).lower()
                values[name] = re.sub(r"[\s\-]+", "_", text) or None
            elif name == "kelas_bkkbn":
                text = coerce.as_text(raw)
                values[name] = _KELAS.get(text.lower(), text)
            else:
                number_value, error = coerce.as_decimal(raw, percent=name.startswith("akta"))
                if error:
                    errors[name] = error
                values[name] = number_value
        checked = {k: v for k, v in values.items() if k not in errors and k not in YESNO_FIELDS}
        for name, message in validate_row(checked).items():
            errors.setdefault(name, message)
        for name, message in errors.items():
            plan.error(number, name, message)
        for name in ("program_lintas_sektor", "indeks_input", "indeks_proses", "indeks_output"):
            if name in values and values[name] is not None and name not in errors:
                values[name] = int(values[name])
        if "kelas_bkkbn" in values and values["kelas_bkkbn"] is None:
            values["kelas_bkkbn"] = ""
        return values

    @staticmethod
    def _show(values: dict[str, Any]) -> str:
        parts = []
        for name, value in values.items():
            if isinstance(value, bool):
                value = "ya" if value else "tidak"
            elif isinstance(value, Decimal):
                value = _number(value)
            parts.append(f"{name}={'' if value is None else value}")
        return ", ".join(parts)


def _same(before: Any, after: Any) -> bool:
    if isinstance(before, Decimal) or isinstance(after, Decimal):
        return before is not None and after is not None and Decimal(before) == Decimal(after)
    return before == after


# --- desa ---


class DesaWrite(NamedTuple):
    row: int
    code: str
    name: str
    kecamatan_id: int
    region_id: int
    jenis: str
    desa_id: int | None


class DesaImporter(Importer):
    """Desa and kelurahan (Kemendagri codes), one row per kode_desa."""

    name = "desa"
    label = gettext_lazy("Villages (desa/kelurahan)")
    columns = ("kode_desa", "nama", "kode_kecamatan", "jenis")
    key_columns = ("kode_desa",)

    def plan(self, table: Table, scope: Scope, *, for_update: bool = False, progress=None) -> Plan:
        plan = Plan(self, table, progress=progress)
        parsed = []
        for number, row in self.rows(table, plan):
            code = coerce.as_desa_code(row["kode_desa"])
            name = coerce.as_text(row["nama"])
            kecamatan_code = coerce.as_kecamatan_code(row["kode_kecamatan"])
            jenis = coerce.as_text(row["jenis"]).lower()
            if not code:
                plan.error(number, "kode_desa", _("Required."))
            elif not _DESA_CODE.match(code):
                plan.error(
                    number,
                    "kode_desa",
                    _("A village code looks like 19.01.03.2001 (got %(code)s).") % {"code": code},
                )
            if not name:
                plan.error(number, "nama", _("Required."))
            elif len(name) > 100:
                plan.error(number, "nama", _("At most 100 characters."))
            if not kecamatan_code:
                plan.error(number, "kode_kecamatan", _("Required."))
            if jenis not in Desa.Jenis.values:
                plan.error(number, "jenis", _("Fill in desa or kelurahan."))
            elif _DESA_CODE.match(code) and code[9] != ("2" if jenis == "desa" else "1"):
                plan.error(
                    number,
                    "jenis",
                    _(
                        "The code says %(expected)s: the fourth part starts with 2 for a desa "
                        "and 1 for a kelurahan."
                    )
                    % {"expected": "desa" if code[9] == "2" else "kelurahan"},
                )
            parsed.append((number, code, name, kecamatan_code, jenis))

        kecamatan = {
            code: (pk, region_id)
            for pk, code, region_id in Kecamatan.objects.filter(
                code__in={p[3] for p in parsed}
            ).values_list("pk", "code", "region_id")
        }
        existing = {
            row["code"]: row
            for row in Desa.objects.filter(code__in={p[1] for p in parsed}).values(
                "pk", "code", "name", "kecamatan_id", "jenis"
            )
        }
        keys = RepeatedKeys()
        for number, code, *_rest in parsed:
            if code:
                keys.add((code,), number)
        keys.report(plan)
        for number, code, name, kecamatan_code, jenis in parsed:
            ok = number not in plan.invalid_rows
            found = kecamatan.get(kecamatan_code) if kecamatan_code else None
            if kecamatan_code and found is None:
                plan.error(
                    number,
                    "kode_kecamatan",
                    _("Unknown district code %(code)s.") % {"code": kecamatan_code},
                )
                ok = False
            elif found is not None and not code.startswith(kecamatan_code + "."):
                plan.error(
                    number,
                    "kode_kecamatan",
                    _("The village code %(code)s does not belong to district %(kecamatan)s.")
                    % {"code": code, "kecamatan": kecamatan_code},
                )
                ok = False
            elif found is not None and not scope.can_manage_region(found[1]):
                plan.error(
                    number,
                    "kode_kecamatan",
                    _("You may only import data of your own region; %(code)s is not yours.")
                    % {"code": kecamatan_code},
                )
                ok = False
            if not ok or number in plan.invalid_rows:
                continue
            current = existing.get(code)
            after = f"{name}, {kecamatan_code}, {jenis}"
            if current is None:
                plan.count("new", number, lambda c=code, a=after: (c, "", a))
                desa_id = None
            elif (current["name"], current["kecamatan_id"], current["jenis"]) == (
                name,
                found[0],
                jenis,
            ):
                plan.unchanged += 1
                continue
            else:
                plan.count("changed", number, lambda c=code, o=current, a=after: (c, o["name"], a))
                desa_id = current["pk"]
            plan.region_ids.add(found[1])
            plan.writes.append(DesaWrite(number, code, name, found[0], found[1], jenis, desa_id))
        return plan.finish()


IMPORTERS: dict[str, Importer] = {
    importer.name: importer for importer in (NilaiImporter(), KampungKbImporter(), DesaImporter())
}


def get_importer(name: str) -> Importer:
    try:
        return IMPORTERS[name]
    except KeyError:
        raise FileRefused(_("Unknown import type.")) from None
