"""xlsx exports of the dashboard tables: the same rows the pages show, as plain cells.

Each ``*_sheet`` function turns the read models of ``dashboard.queries`` into a header row and
data rows; :func:`xlsx_response` writes them with openpyxl. Text cells that a spreadsheet could
take for a formula (starting with ``=``, ``+``, ``-``, ``@``, tab or CR) get a leading ``'``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from io import BytesIO

from django.http import HttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from dashboard.queries import DesaTable, GroupName, IndicatorRow, RecapRow, desa_level
from dashboard.templatetags.dashboard_tags import state_label
from penilaian import formatting
from penilaian.models import Program
from regions.models import Region

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # refused by the xlsx format
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _state_cell(part) -> str | None:
    """The state of a programme part's numbers, as the pages show it: "terverifikasi",
    "draf", "dibawa dari tahun lalu", …, with "belum lengkap" for a verified but incomplete
    result; None without an assessment."""
    if not part.status:
        return None
    text = part.state_label or part.status_label
    if part.status == "verified" and part.incomplete:
        text = f"{text}; {_('incomplete')}"
    return text


def safe_text(value: str) -> str:
    """Neutralise spreadsheet formulas: text starting with = + - @ tab or CR gets a leading '."""
    text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        text = "'" + text
    return _ILLEGAL.sub("", text)


def cell(value: object) -> object:
    """A value as an xlsx cell: numbers stay numbers (Decimal → float), text is made safe."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return safe_text(str(value))


@dataclass(frozen=True)
class Sheet:
    """One worksheet: its name, header row and data rows."""

    title: str
    headers: Sequence[str]
    rows: Iterable[Sequence[object]]


# Column headers people read (the machine codes stay on the sheet COLUMN_CODES_SHEET).
COLUMN_CODES_SHEET = "kode_kolom"
_LABELS = {
    "kode_wilayah": "Kode wilayah",
    "nama_wilayah": "Nama wilayah",
    "tahun": "Tahun",
    "nilai": "Nilai",
    "nilai_maks": "Nilai maksimum",
    "kategori": "Kategori",
    "kategori_berikut": "Kategori berikutnya",
    "predikat": "Predikat",
    "predikat_berikut": "Predikat berikutnya",
    "poin_ke_berikut": "Poin menuju tingkat berikutnya",
    "resmi_terakhir": "Hasil resmi terakhir",
    "resmi_tahun": "Tahun hasil resmi",
    "status": "Status",
    "indikator": "Jumlah indikator",
    "dijawab": "Indikator terisi",
    "berbukti": "Indikator berbukti",
    "terverifikasi": "Indikator terverifikasi",
    "desa": "Jumlah desa/kelurahan",
    "kampung_kb": "Kampung KB",
    "standar": "Kampung KB Standar",
    "cikar": "Kampung KB Cikar",
    "persen": "Persentase Kampung KB (%)",
    "target_persen": "Target (%)",
    "kurang_untuk_target": "Kekurangan menuju target",
    "aturan_sementara": "Aturan sementara yang dipakai",
    "desa_potensial": "Desa/kelurahan potensial",
}
_PROGRAMS = {"ape": "APE", "kla": "KLA", "kkb": "Kampung KB"}
_PERCENT_CODES = ("persen",)


def column_label(code: str) -> str:
    """The Indonesian header of a machine column code ("ape_nilai_maks" → "APE: Nilai maksimum")."""
    if code in _LABELS:
        return _LABELS[code]
    program, _sep, rest = code.partition("_")
    if program in _PROGRAMS and rest:
        if rest in _LABELS:
            return f"{_PROGRAMS[program]}: {_LABELS[rest]}"
        if rest.endswith("_status"):
            return f"{_PROGRAMS[program]} {rest[: -len('_status')].upper()}: Status"
        if "_" not in rest and len(rest) <= 3:  # a group abbreviation: APE KOM, KLA K1
            return f"{_PROGRAMS[program]} {rest.upper()}: Nilai"
        return f"{_PROGRAMS[program]}: {rest.replace('_', ' ').capitalize()}"
    if code.endswith("_nilai"):
        return f"{code[: -len('_nilai')].upper()}: Nilai"
    if code.endswith("_status"):
        return f"{code[: -len('_status')].upper()}: Status"
    return code.replace("_", " ").capitalize()


def _number_format(code: str, value: object) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if code == "tahun" or code.endswith("_tahun"):
        return formatting.XLSX_YEAR
    if code.endswith(_PERCENT_CODES):
        return formatting.XLSX_PERCENT_VALUE
    return formatting.XLSX_INTEGER if isinstance(value, int) else "#,##0.00"


def workbook_bytes(sheets: Sequence[Sheet]) -> bytes:
    """The sheets as an xlsx file: readable headers, bold and frozen; numbers as numbers with a
    number format (years ungrouped, percentages with two decimals); the machine column codes on
    a last sheet ``kode_kolom``."""
    book = Workbook()
    book.remove(book.active)
    codes: dict[str, str] = {}
    for sheet in sheets:
        ws = book.create_sheet(sheet.title[:31])
        ws.append([column_label(str(header)) for header in sheet.headers])
        for item in ws[1]:
            item.font = Font(bold=True)
        ws.freeze_panes = "A2"
        for row in sheet.rows:
            values = [cell(value) for value in row]
            ws.append(values)
            for index, (header, value) in enumerate(zip(sheet.headers, values, strict=False)):
                number_format = _number_format(str(header), value)
                if number_format:
                    ws.cell(row=ws.max_row, column=index + 1).number_format = number_format
        for index, header in enumerate(sheet.headers, start=1):
            letter = ws.cell(row=1, column=index).column_letter
            label = column_label(str(header))
            codes.setdefault(str(header), label)
            ws.column_dimensions[letter].width = max(10, min(40, len(label) + 2))
    legend = book.create_sheet(COLUMN_CODES_SHEET)
    legend.append(["kode_kolom", "judul_kolom"])
    for code, label in codes.items():
        legend.append([code, label])
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def xlsx_response(filename: str, sheets: Sequence[Sheet]) -> HttpResponse:
    """An attachment download of the sheets."""
    response = HttpResponse(workbook_bytes(sheets), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def _level(part) -> str | None:
    return part.level_name if part.result is not None else None


def provisional_text(result) -> str | None:
    """The provisional rules a result rests on ("KLA-BOBOT, KLA-SKALA", codes of /metode/);
    "" when none, None without a result."""
    if result is None:
        return None
    return ", ".join(getattr(result, "provisional_rules", ()))


def _award(award) -> str | None:
    return " / ".join(award.results) if award else None


def recap_sheet(rows: Sequence[RecapRow], year: int) -> Sheet:
    """The province recap: one row per region, the dashboard's columns."""
    headers = [
        "kode_wilayah",
        "nama_wilayah",
        "tahun",
        "ape_nilai",
        "ape_nilai_maks",
        "ape_kategori",
        "ape_kategori_berikut",
        "ape_poin_ke_berikut",
        "ape_resmi_terakhir",
        "ape_resmi_tahun",
        "ape_status",
        "ape_indikator",
        "ape_dijawab",
        "ape_berbukti",
        "ape_terverifikasi",
        "kla_nilai",
        "kla_predikat",
        "kla_predikat_berikut",
        "kla_poin_ke_berikut",
        "kla_resmi_terakhir",
        "kla_resmi_tahun",
        "kla_status",
        "kla_indikator",
        "kla_dijawab",
        "kla_berbukti",
        "kla_terverifikasi",
        "kkb_desa",
        "kkb_kampung_kb",
        "kkb_standar",
        "kkb_cikar",
        "kkb_persen",
        "kkb_target_persen",
        "kkb_kurang_untuk_target",
        "kkb_status",
    ]
    group_headers: list[str] = []
    if rows:
        group_headers = [f"ape_{c.abbr.lower()}" for c in rows[0].ape_groups]
        group_headers += [f"ape_{c.abbr.lower()}_status" for c in rows[0].ape_groups]
        group_headers += [f"kla_{c.abbr.lower()}" for c in rows[0].kla_groups]

    def line(row: RecapRow) -> list[object]:
        ape, kla, kkb = row.ape, row.kla, row.kkb_summary
        ape_p, kla_p = row.ape_progress, row.kla_progress
        values: list[object] = [
            row.code,
            row.name,
            year,
            ape.result.score if ape.result else None,
            ape.result.max_score if ape.result else None,
            _level(ape),
            ape.next_level.name if ape.result and ape.next_level else None,
            ape.result.points_to_next if ape.result else None,
            _award(ape.award),
            ape.award.year if ape.award else None,
            _state_cell(ape),
            ape_p.total if ape_p else None,
            ape_p.answered if ape_p else None,
            ape_p.with_evidence if ape_p else None,
            ape_p.verified if ape_p else None,
            kla.result.score if kla.result else None,
            _level(kla),
            kla.next_level.name if kla.result and kla.next_level else None,
            kla.result.points_to_next if kla.result else None,
            _award(kla.award),
            kla.award.year if kla.award else None,
            _state_cell(kla),
            kla_p.total if kla_p else None,
            kla_p.answered if kla_p else None,
            kla_p.with_evidence if kla_p else None,
            kla_p.verified if kla_p else None,
            kkb.desa_total if kkb else None,
            kkb.kampung_kb if kkb else None,
            kkb.standar if kkb else None,
            kkb.cikar if kkb else None,
            kkb.persen_kampung_kb if kkb else None,
            kkb.target_persen if kkb else None,
            kkb.kurang_untuk_target if kkb else None,
            _state_cell(row.kkb),
        ]
        values += [c.score if ape.result else None for c in row.ape_groups]
        values += [state_label(c.state) if ape.result else None for c in row.ape_groups]
        values += [c.score if kla.result else None for c in row.kla_groups]
        values += [
            provisional_text(ape.result),
            provisional_text(kla.result),
            provisional_text(kkb),
            kkb.target_base if kkb else None,
        ]
        return values

    tail = [
        "ape_aturan_sementara",
        "kla_aturan_sementara",
        "kkb_aturan_sementara",
        "kkb_desa_potensial",
    ]
    return Sheet("rekap", headers + group_headers + tail, [line(row) for row in rows])


def ape_sheet(rows: Sequence[RecapRow], names: Sequence[GroupName], year: int) -> Sheet:
    """APE: the 7 prerequisites × regions, with the total and category."""
    headers = ["kode_wilayah", "nama_wilayah", "tahun"]
    for name in names:
        headers += [f"{name.abbr.lower()}_nilai", f"{name.abbr.lower()}_status"]
    headers += [
        "ape_nilai",
        "ape_kategori",
        "ape_poin_ke_berikut",
        "ape_status",
        "ape_aturan_sementara",
    ]

    def line(row: RecapRow) -> list[object]:
        ape = row.ape
        values: list[object] = [row.code, row.name, year]
        for group in row.ape_groups:
            values += [
                group.score if ape.result else None,
                state_label(group.state) if ape.result else None,
            ]
        values += [
            ape.result.score if ape.result else None,
            _level(ape),
            ape.result.points_to_next if ape.result else None,
            _state_cell(ape),
            provisional_text(ape.result),
        ]
        return values

    return Sheet(str(Program.APE.label), headers, [line(row) for row in rows])


def kla_sheets(
    rows: Sequence[RecapRow],
    names: Sequence[GroupName],
    indicators: Sequence[IndicatorRow],
    regions: Sequence[Region],
    year: int,
) -> list[Sheet]:
    """KLA: the 6 groups × regions, and every indicator's points per region (long format)."""
    headers = ["kode_wilayah", "nama_wilayah", "tahun"]
    headers += [f"{name.abbr.lower()}_nilai" for name in names]
    headers += [
        "kla_nilai",
        "kla_predikat",
        "kla_poin_ke_berikut",
        "kla_status",
        "kla_aturan_sementara",
    ]

    def line(row: RecapRow) -> list[object]:
        kla = row.kla
        values: list[object] = [row.code, row.name, year]
        values += [group.score if kla.result else None for group in row.kla_groups]
        values += [
            kla.result.score if kla.result else None,
            _level(kla),
            kla.result.points_to_next if kla.result else None,
            _state_cell(kla),
            provisional_text(kla.result),
        ]
        return values

    indicator_rows = [
        [
            region.code,
            year,
            indicator.code,
            indicator.group_abbr,
            indicator.text,
            indicator.cells[index].value,
            indicator.cells[index].points,
            indicator.max_score,
            _("yes") if indicator.cells[index].evidenced else _("no"),
        ]
        for indicator in indicators
        for index, region in enumerate(regions)
    ]
    return [
        Sheet("kla", headers, [line(row) for row in rows]),
        Sheet(
            "indikator",
            [
                "kode_wilayah",
                "tahun",
                "kode_indikator",
                "kelompok",
                "indikator",
                "nilai",
                "poin",
                "poin_maks",
                "bukti",
            ],
            indicator_rows,
        ),
    ]


def kampung_kb_sheets(rows: Sequence[RecapRow], table: DesaTable | None, year: int) -> list[Sheet]:
    """Kampung KB per region, and — for one region — per kecamatan and per desa."""
    sheets = [
        Sheet(
            "kampung_kb",
            [
                "kode_wilayah",
                "nama_wilayah",
                "tahun",
                "desa",
                "kampung_kb",
                "standar",
                "cikar",
                "persen_kampung_kb",
                "target_persen",
                "kurang_untuk_target",
                "status",
                "desa_potensial",
                "aturan_sementara",
            ],
            [
                [
                    row.code,
                    row.name,
                    year,
                    *(
                        (
                            s.desa_total,
                            s.kampung_kb,
                            s.standar,
                            s.cikar,
                            s.persen_kampung_kb,
                            s.target_persen,
                            s.kurang_untuk_target,
                        )
                        if (s := row.kkb_summary)
                        else (None,) * 7
                    ),
                    _state_cell(row.kkb),
                    row.kkb_summary.target_base if row.kkb_summary else None,
                    provisional_text(row.kkb_summary),
                ]
                for row in rows
            ],
        )
    ]
    if table is not None:
        sheets.append(
            Sheet(
                "kecamatan",
                ["kode_kecamatan", "kecamatan", "desa", "kampung_kb", "standar", "cikar", "persen"],
                [
                    [
                        k.code,
                        k.name,
                        k.summary.desa_total,
                        k.summary.kampung_kb,
                        k.summary.standar,
                        k.summary.cikar,
                        k.summary.persen_kampung_kb,
                    ]
                    for k in table.kecamatan
                ],
            )
        )
        sheets.append(
            Sheet(
                "desa",
                [
                    "kode_desa",
                    "nama",
                    "jenis",
                    "kecamatan",
                    "kampung_kb",
                    "standar",
                    "cikar",
                    "tingkat",
                    "kelas_bkkbn",
                    "kekurangan",
                ],
                [
                    [
                        d.code,
                        d.name,
                        d.jenis,
                        d.kecamatan,
                        d.designated,
                        d.standar,
                        d.cikar,
                        desa_level(d),
                        d.kelas.value if d.kelas else None,
                        " ".join(d.missing),
                    ]
                    for d in table.desa
                ],
            )
        )
    return sheets
