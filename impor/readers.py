"""Safe reading of uploaded spreadsheets (xlsx through python-calamine, UTF-8 csv).

Every check that can be made before parsing is made first, on the raw bytes and the zip's
central directory, so a hostile file is refused quickly and without being decompressed:
empty files, files that are not xlsx (renamed text or PDF), password-protected or legacy
binary workbooks (OLE compound files), macro-enabled workbooks, zip bombs (declared sizes or
compression ratio) and oversized uploads. Only then is the data sheet read, by name.

Calamine ignores a sheet's ``<dimension>`` tag (rows past a stale tag are read) and returns
an empty string for a formula cell that has no cached value; such cells are found by scanning
the sheet's XML for ``<f>`` elements without a ``<v>``, so the import can refuse them.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from posixpath import join, normpath

from defusedxml import ElementTree
from django.utils.translation import gettext as _
from python_calamine import CalamineError, CalamineWorkbook

MAX_UPLOAD_BYTES = 30 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_RATIO = 100
RATIO_MIN_BYTES = 1024 * 1024  # tiny members may compress better than 1:100 harmlessly
MAX_ZIP_MEMBERS = 2_000
MAX_ROWS = 200_000
ERROR_COLUMN = "pesan_kesalahan"

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
SHEET_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
MACRO_MARKERS = ("macroenabled", "vbaproject", "ms-excel.sheet.binary", "ms-office.vba")
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

_CELL_RE = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.S)
_REF_RE = re.compile(rb'\br="([A-Z]+)(\d+)"')
_TYPE_STR_RE = re.compile(rb'\bt="str"')
_FORMULA_RE = re.compile(rb"<(?:\w+:)?f\b")
_VALUE_RE = re.compile(rb"<(?:\w+:)?v>[^<]")
_ROW_RE = re.compile(rb"<(?:\w+:)?row\b[^>]*[^/]>")


class FileRefused(Exception):
    """The upload cannot be read; ``message`` says why, in the user's language."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class Table:
    """One sheet's cells: a header row and data rows with their sheet row numbers."""

    sheet_name: str
    headers: list[str]
    rows: list[tuple[int, list[object]]]
    formula_cells: set[tuple[int, int]] = field(default_factory=set)


def normalise_header(value: object) -> str:
    """Header matching ignores case and every space: ``"Kode Wilayah "`` → ``"kodewilayah"``."""
    text = "" if value is None else str(value)
    return re.sub(r"\s+", "", text.replace("\ufeff", "")).lower().replace("'", "")


def detect_kind(data: bytes, file_name: str) -> str:
    """``"xlsx"`` or ``"csv"`` from the bytes (the name only tells csv from junk).

    Raises :class:`FileRefused` for every kind of file the import does not read.
    """
    if not data:
        raise FileRefused(_("The file is empty."))
    if len(data) > MAX_UPLOAD_BYTES:
        raise FileRefused(
            _("The file is too large (maximum %(mb)s MB).") % {"mb": MAX_UPLOAD_BYTES // 2**20}
        )
    if data.startswith(OLE_MAGIC):
        if "EncryptedPackage".encode("utf-16-le") in data:
            raise FileRefused(
                _("The workbook is password-protected. Remove the password and save it again.")
            )
        raise FileRefused(
            _("This is an old Excel file (.xls). Save it as an Excel workbook (.xlsx).")
        )
    if data.startswith(ZIP_MAGIC):
        return "xlsx"
    if data.startswith(b"%PDF"):
        raise FileRefused(_("This is a PDF file, not an Excel workbook (.xlsx)."))
    if file_name.lower().endswith((".csv", ".txt")):
        return "csv"
    raise FileRefused(
        _("The file is not an Excel workbook (.xlsx) or a CSV file. Save it as .xlsx.")
    )


def check_xlsx_container(data: bytes) -> zipfile.ZipFile:
    """Open the zip and refuse bombs, macro workbooks and non-workbooks — nothing decompressed
    except ``[Content_Types].xml`` (itself size-checked first)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        raise FileRefused(_("The file is damaged or is not an Excel workbook (.xlsx).")) from None
    if len(members) > MAX_ZIP_MEMBERS:
        raise FileRefused(_("The workbook has too many parts to be a data sheet."))
    total = sum(member.file_size for member in members)
    too_compressed = any(
        member.file_size > RATIO_MIN_BYTES
        and member.file_size > MAX_RATIO * max(member.compress_size, 1)
        for member in members
    )
    if total > MAX_UNCOMPRESSED_BYTES or too_compressed:
        raise FileRefused(
            _(
                "The workbook unpacks to more than %(mb)s MB or is compressed suspiciously "
                "(more than 1:%(ratio)s). It was refused without being opened."
            )
            % {"mb": MAX_UNCOMPRESSED_BYTES // 2**20, "ratio": MAX_RATIO}
        )
    names = {member.filename for member in members}
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        raise FileRefused(_("Macro-enabled workbooks (.xlsm) are not accepted. Save as .xlsx."))
    content_types = _read_member(archive, "[Content_Types].xml", 1024 * 1024)
    if content_types is None:
        raise FileRefused(_("The file is damaged or is not an Excel workbook (.xlsx)."))
    lowered = content_types.decode("utf-8", "replace").lower()
    if any(marker in lowered for marker in MACRO_MARKERS):
        raise FileRefused(_("Macro-enabled workbooks (.xlsm) are not accepted. Save as .xlsx."))
    if SHEET_MAIN not in lowered:
        raise FileRefused(_("The file is not an Excel workbook (.xlsx)."))
    return archive


def read_table(data: bytes, file_name: str, sheet_name: str) -> Table:
    """The data sheet of an upload: checked, then read. Raises :class:`FileRefused`."""
    kind = detect_kind(data, file_name)
    if kind == "csv":
        return _read_csv(data, sheet_name)
    return _read_xlsx(data, sheet_name)


def precheck(data: bytes, file_name: str, sheet_name: str) -> int:
    """Every check made before parsing (the kind of file, the zip's directory, bombs, macros,
    the sheet by name, the row limit), without parsing: the rows the sheet holds, estimated
    from its row elements (xlsx) or its lines (csv). Raises :class:`FileRefused`.

    The import pages decide with it whether a file is checked in the request or by a worker
    (``impor.jobs``): a refused file never reaches a worker."""
    kind = detect_kind(data, file_name)
    if kind == "csv":
        body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise FileRefused(
                _("The CSV file is not in UTF-8. Save it as “CSV UTF-8” and upload it again.")
            ) from None
        return max(text.count("\n") - (0 if text.endswith("\n") else -1) - 1, 0)
    archive = check_xlsx_container(data)
    paths = sheet_paths(archive)
    member = paths[choose_sheet(list(paths), sheet_name)]
    try:
        info = archive.getinfo(member)
    except KeyError:
        raise FileRefused(_("The file is damaged or is not an Excel workbook (.xlsx).")) from None
    xml = _stream(archive, info, MAX_UNCOMPRESSED_BYTES)
    rows = xml.count(b"<row ") + xml.count(b"<row>") + xml.count(b":row ")
    if rows > MAX_ROWS + 1 and _count_rows(xml) > MAX_ROWS + 1:
        raise FileRefused(_too_many_rows())
    return max(rows - 1, 0)


def sheet_paths(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → zip member path of its XML, from the workbook and its relationships."""
    workbook_xml = _read_member(archive, "xl/workbook.xml", 10 * 1024 * 1024)
    rels_xml = _read_member(archive, "xl/_rels/workbook.xml.rels", 10 * 1024 * 1024)
    if workbook_xml is None or rels_xml is None:
        raise FileRefused(_("The file is damaged or is not an Excel workbook (.xlsx)."))
    try:
        workbook = ElementTree.fromstring(workbook_xml)
        rels = ElementTree.fromstring(rels_xml)
    except Exception:  # defusedxml refuses entity tricks; any parse error means a bad file
        raise FileRefused(_("The file is damaged or is not an Excel workbook (.xlsx).")) from None
    targets = {}
    for rel in rels:
        if not rel.get("Type", "").endswith("/worksheet"):
            continue
        target = rel.get("Target", "")
        path = target.lstrip("/") if target.startswith("/") else normpath(join("xl", target))
        targets[rel.get("Id")] = path
    paths = {}
    for sheet in workbook.iter():
        if sheet.tag.endswith("}sheet") and sheet.get("name") is not None:
            rel_id = sheet.get(f"{{{REL_NS}}}id")
            if rel_id in targets:
                paths[sheet.get("name")] = targets[rel_id]
    return paths


def choose_sheet(names: list[str], wanted: str) -> str:
    """The sheet named ``wanted`` (case and spaces ignored), else the only sheet."""
    for name in names:
        if normalise_header(name) == normalise_header(wanted):
            return name
    if len(names) == 1:
        return names[0]
    raise FileRefused(
        _('The workbook has no sheet named "%(wanted)s" (sheets found: %(names)s).')
        % {"wanted": wanted, "names": ", ".join(names)}
    )


def _read_member(archive: zipfile.ZipFile, name: str, limit: int) -> bytes | None:
    """A member's bytes, streamed with a hard cap (declared sizes may lie)."""
    try:
        info = archive.getinfo(name)
    except KeyError:
        return None
    if info.file_size > limit:
        raise FileRefused(_("The workbook has a part that is too large to be read safely."))
    return _stream(archive, info, limit)


def _stream(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    chunks = []
    size = 0
    try:
        with archive.open(info) as handle:
            while chunk := handle.read(1024 * 1024):
                size += len(chunk)
                if size > limit:
                    raise FileRefused(
                        _("The workbook has a part that is too large to be read safely.")
                    )
                chunks.append(chunk)
    except (zipfile.BadZipFile, RuntimeError, OSError, EOFError, ValueError):
        # RuntimeError: an encrypted member; the others: damaged or lying headers.
        raise FileRefused(_("The file is damaged or is not an Excel workbook (.xlsx).")) from None
    return b"".join(chunks)


def _read_xlsx(data: bytes, sheet_name: str) -> Table:
    archive = check_xlsx_container(data)
    paths = sheet_paths(archive)
    name = choose_sheet(list(paths), sheet_name)
    member = paths[name]
    try:
        info = archive.getinfo(member)
    except KeyError:
        raise FileRefused(_("The file is damaged or is not an Excel workbook (.xlsx).")) from None
    xml = _stream(archive, info, MAX_UNCOMPRESSED_BYTES)
    if xml.count(b"<row") > MAX_ROWS + 1 and _count_rows(xml) > MAX_ROWS + 1:
        raise FileRefused(_too_many_rows())
    formulas = _formula_cells_without_value(xml)
    del xml
    try:
        with CalamineWorkbook.from_filelike(io.BytesIO(data)) as workbook:
            cells = workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
    except CalamineError:
        raise FileRefused(_("The file is damaged or is not an Excel workbook (.xlsx).")) from None
    except Exception:  # calamine raises its own error types (PasswordError, XmlError, …)
        raise FileRefused(_("The file is damaged or is not an Excel workbook (.xlsx).")) from None
    return _table(name, cells, formulas)


def _read_csv(data: bytes, sheet_name: str) -> Table:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise FileRefused(
            _("The CSV file is not in UTF-8. Save it as “CSV UTF-8” and upload it again.")
        ) from None
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    cells = []
    for record in reader:
        cells.append(record)
        if len(cells) > MAX_ROWS + 1:
            raise FileRefused(_too_many_rows())
    return _table(sheet_name, cells, set())


def _table(name: str, cells: list[list[object]], formulas: set[tuple[int, int]]) -> Table:
    if not cells or not any(_filled(value) for value in cells[0]):
        raise FileRefused(_("The sheet is empty: row 1 must hold the column names."))
    headers = [normalise_header(value) for value in cells[0]]
    width = len(headers)
    rows = []
    for index, values in enumerate(cells[1:], start=2):
        if any(_filled(value) for value in values):
            if len(values) < width:  # csv rows may be short; calamine's are rectangular
                values = [*values, *([""] * (width - len(values)))]
            rows.append((index, values))
    if not rows:
        raise FileRefused(_("The sheet has column names but no data rows."))
    if len(rows) > MAX_ROWS:
        raise FileRefused(_too_many_rows())
    return Table(sheet_name=name, headers=headers, rows=rows, formula_cells=formulas)


def _filled(value: object) -> bool:
    return not (value is None or (isinstance(value, str) and not value.strip()))


def _too_many_rows() -> str:
    return _("The file has more than %(max)s data rows. Split it into smaller files.") % {
        "max": f"{MAX_ROWS:,}".replace(",", ".")
    }


def _count_rows(xml: bytes) -> int:
    """Row elements that hold cells (``<row …/>`` of an empty formatted row does not count)."""
    return sum(1 for _match in _ROW_RE.finditer(xml))


def _formula_cells_without_value(xml: bytes) -> set[tuple[int, int]]:
    """(row number, 0-based column) of every formula cell whose cached value is missing."""
    if b"<f" not in xml and b":f" not in xml:
        return set()
    found = set()
    for match in _CELL_RE.finditer(xml):
        body = match.group(2)
        if not body or not _FORMULA_RE.search(body) or _VALUE_RE.search(body):
            continue
        if _TYPE_STR_RE.search(match.group(1)) and b"<v" in body:
            continue  # a cached empty string (e.g. =IF(A1="";"";…)) is a value
        ref = _REF_RE.search(match.group(1))
        if ref:
            found.add((int(ref.group(2)), _column_index(ref.group(1).decode())))
    return found


def _column_index(letters: str) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + (ord(letter) - 64)
    return index - 1


def column_letter(index: int) -> str:
    """0 → ``A``, 26 → ``AA``."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def sheet_names(data: bytes) -> list[str]:
    """Sheet names of an xlsx (used by tests and the error file)."""
    return list(sheet_paths(check_xlsx_container(data)))
