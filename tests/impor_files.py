"""Helpers for the import tests: workbooks and hostile files BUILT at test time (no binary
fixtures in the repository), a database snapshot to prove "nothing changed", and the
Indonesian messages of ``locale/glossary/impor.json``."""

from __future__ import annotations

import csv
import io
import json
import struct
import zipfile
from pathlib import Path

import pytest
from django.utils import translation
from django.utils.translation import trans_real
from openpyxl import Workbook

from impor import engine
from impor.models import ImportRecord
from kampung_kb.models import DesaRecord
from penilaian.models import Answer, Assessment
from regions.models import Desa

GLOSSARY = Path(__file__).resolve().parent.parent / "locale" / "glossary" / "impor.json"
JOBS_GLOSSARY = GLOSSARY.with_name("jobs.json")
NILAI = ["kode_wilayah", "tahun", "kode_indikator", "nilai", "catatan"]
KAMPUNG_KB = [
    "kode_desa",
    "tahun",
    "kampung_kb",
    "capaian_kkbpk",
    "kinerja_patbm",
    "industri_rumahan",
    "akta_kelahiran_persen",
    "program_lintas_sektor",
    "kelas_bkkbn",
    "indeks_input",
    "indeks_proses",
    "indeks_output",
]
DESA = ["kode_desa", "nama", "kode_kecamatan", "jenis"]


class Formula(str):
    """A cell written as a formula (openpyxl stores no cached value for it)."""


def xlsx(
    rows: list[list],
    sheet: str = "nilai",
    extra_sheets: dict[str, list[list]] | None = None,
    active: str | None = None,
) -> bytes:
    """A workbook whose text cells stay text (``"=x"`` is a string, ``Formula("=x")`` not)."""
    workbook = Workbook()
    first = workbook.active
    first.title = sheet
    sheets = {sheet: rows, **(extra_sheets or {})}
    for name, content in sheets.items():
        target = first if name == sheet else workbook.create_sheet(name)
        for r, row in enumerate(content, start=1):
            for c, value in enumerate(row, start=1):
                cell = target.cell(row=r, column=c, value=value)
                if isinstance(value, str) and not isinstance(value, Formula):
                    cell.data_type = "s"
    if active:
        workbook.active = workbook.sheetnames.index(active)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: list[list], encoding: str = "utf-8", delimiter: str = ",") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    return buffer.getvalue().encode(encoding)


def rewrite_zip(
    data: bytes,
    replace: dict | None = None,
    add: dict[str, bytes] | None = None,
) -> bytes:
    """Copy a zip, replacing members (bytes, or a function of the old bytes) and adding some."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            change = (replace or {}).get(info.filename)
            if callable(change):
                content = change(content)
            elif change is not None:
                content = change
            target.writestr(info.filename, content)
        for name, content in (add or {}).items():
            target.writestr(name, content)
    return out.getvalue()


def stale_dimension(data: bytes) -> bytes:
    """The sheet's ``<dimension>`` tag rewritten to claim only A1:E2."""
    import re

    def patch(xml: bytes) -> bytes:
        return re.sub(rb'<dimension ref="[^"]*"\s*/>', b'<dimension ref="A1:E2"/>', xml)

    return rewrite_zip(data, replace={"xl/worksheets/sheet1.xml": patch})


def xlsm(data: bytes) -> bytes:
    """A macro-enabled workbook: macro content type and a vbaProject.bin part."""

    def patch(xml: bytes) -> bytes:
        return xml.replace(b"sheet.main+xml", b"sheet.macroEnabled.main+xml")

    return rewrite_zip(
        data,
        replace={"[Content_Types].xml": patch},
        add={"xl/vbaProject.bin": b"\x00VBA" * 64},
    )


def ratio_bomb(megabytes: int = 50) -> bytes:
    """A workbook-shaped zip whose sheet inflates ~1000:1 (written in chunks, never in memory)."""
    base = xlsx([NILAI, ["19.01", 2025, "APE-KOM-01", 1, ""]])
    out = io.BytesIO()
    source = zipfile.ZipFile(io.BytesIO(base))
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename == "xl/worksheets/sheet1.xml":
                member = zipfile.ZipInfo(info.filename)
                member.compress_type = zipfile.ZIP_DEFLATED
                with target.open(member, "w", force_zip64=True) as handle:
                    handle.write(b"<worksheet><sheetData>")
                    chunk = b" " * 2**20
                    for _ in range(megabytes):
                        handle.write(chunk)
                    handle.write(b"</sheetData></worksheet>")
            else:
                target.writestr(info, source.read(info.filename))
    return out.getvalue()


def declared_size_bomb(declared: int = 300 * 2**20) -> bytes:
    """A small workbook whose central directory claims the sheet unpacks to ``declared``."""
    data = bytearray(xlsx([NILAI, ["19.01", 2025, "APE-KOM-01", 1, ""]]))
    name = b"xl/worksheets/sheet1.xml"
    position = 0
    while (position := data.find(b"PK\x01\x02", position)) != -1:
        name_length = struct.unpack_from("<H", data, position + 28)[0]
        if bytes(data[position + 46 : position + 46 + name_length]) == name:
            struct.pack_into("<I", data, position + 24, declared)
        position += 4
    return bytes(data)


def lying_size(data: bytes) -> bytes:
    """The sheet's declared size made smaller than what it really inflates to."""
    data = bytearray(data)
    name = b"xl/worksheets/sheet1.xml"
    for signature, size_offset, name_offset, length_offset in (
        (b"PK\x01\x02", 24, 46, 28),
        (b"PK\x03\x04", 22, 30, 26),
    ):
        position = 0
        while (position := data.find(signature, position)) != -1:
            name_length = struct.unpack_from("<H", data, position + length_offset)[0]
            start = position + name_offset
            if bytes(data[start : start + name_length]) == name:
                struct.pack_into("<I", data, position + size_offset, 100)
            position += 4
    return bytes(data)


def encrypted_workbook() -> bytes:
    """What Excel writes for a password-protected xlsx: an OLE compound file holding
    ``EncryptionInfo`` and ``EncryptedPackage`` streams."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    directory = "EncryptionInfo".encode("utf-16-le") + b"\x00" * 50
    directory += "EncryptedPackage".encode("utf-16-le") + b"\x00" * 50
    return header + directory + b"\x00" * 1024


def legacy_xls() -> bytes:
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + "Workbook".encode("utf-16-le")


def hand_xlsx(rows: int) -> bytes:
    """A minimal workbook written by hand (fast for hundreds of thousands of rows)."""
    parts = ['<row r="1"><c r="A1" t="inlineStr"><is><t>kode_wilayah</t></is></c></row>']
    parts += [
        f'<row r="{i}"><c r="A{i}" t="inlineStr"><is><t>19.01</t></is></c></row>'
        for i in range(2, rows + 2)
    ]
    sheet = (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{''.join(parts)}</sheetData></worksheet>"
    )
    base = xlsx([NILAI])
    return rewrite_zip(base, replace={"xl/worksheets/sheet1.xml": sheet.encode()})


# --- database and outcomes ---


def snapshot() -> tuple:
    """Everything an import may change, to compare before and after a refused file."""
    return (
        sorted(Answer.objects.values_list("assessment_id", "indicator_id", "value", "note")),
        Answer.history.count(),
        sorted(Assessment.objects.values_list("region_id", "edition_id", "status", "version")),
        Assessment.history.count(),
        sorted(DesaRecord.objects.values_list("assessment_id", "desa_id", "kampung_kb")),
        DesaRecord.history.count(),
        sorted(Desa.objects.values_list("code", "name", "kecamatan_id", "jenis")),
        ImportRecord.objects.count(),
    )


def preview(user, data: bytes, resource: str = "nilai", name: str = "data.xlsx"):
    return engine.preview(resource, data, name, user)


def apply(user, data: bytes, resource: str = "nilai", name: str = "data.xlsx"):
    return engine.apply(resource, data, name, user)


def messages_of(outcome) -> list[str]:
    return [e.message for e in outcome.plan.errors] if outcome.plan else [outcome.refused]


def glossary() -> dict[str, str]:
    """The import app's messages: ``impor.json``, and ``jobs.json`` (its worker jobs)."""
    entries = json.loads(GLOSSARY.read_text(encoding="utf-8"))
    return entries | json.loads(JOBS_GLOSSARY.read_text(encoding="utf-8"))


@pytest.fixture(autouse=True)
def impor_media(settings, tmp_path):
    """Pending uploads and error files go to a temporary media root; test users get a fast
    password hasher."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def bahasa():
    """The Indonesian catalogue with this app's glossary (until the lead merges it into
    django.po, the compiled catalogue lacks these entries): messages read as users see them."""
    catalog = trans_real.translation("id")._catalog
    entries = glossary()
    added = [key for key in entries if key not in catalog]
    for key in added:
        catalog[key] = entries[key]
    with translation.override("id"):
        yield
    for key in added:
        catalog._catalogs[0].pop(key, None)
