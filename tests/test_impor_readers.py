"""Reading uploads: coercion, sheet choice, headers, and every hostile file refused early."""

import datetime as dt
import time
from decimal import Decimal

import pytest

from impor import coerce
from impor.readers import MAX_ROWS, FileRefused, read_table
from tests.impor_files import (  # noqa: F401 (fixtures)
    NILAI,
    Formula,
    bahasa,
    csv_bytes,
    declared_size_bomb,
    encrypted_workbook,
    hand_xlsx,
    impor_media,
    legacy_xls,
    lying_size,
    ratio_bomb,
    stale_dimension,
    xlsm,
    xlsx,
)

GOOD_ROW = ["19.01", 2025, "APE-KOM-01", 3, "catatan"]


def refused(data: bytes, name: str = "data.xlsx", sheet: str = "nilai") -> str:
    with pytest.raises(FileRefused) as caught:
        read_table(data, name, sheet)
    return caught.value.message


# --- coercion ---


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("19.01", "19.01"),
        (19.01, "19.01"),
        (19.1, "19.10"),
        (1901.0, "19.01"),
        ("1901", "19.01"),
        (" 19.01 ", "19.01"),
        ("'19.01", "19.01"),
    ],
)
def test_region_codes_come_back_as_text_however_a_spreadsheet_typed_them(cell, expected):
    assert coerce.as_region_code(cell) == expected


def test_codes_typed_as_numbers_lose_the_spurious_decimal_part():
    assert coerce.as_code(3201.0) == "3201"
    assert coerce.as_code("ape-kom-01") == "APE-KOM-01"
    assert coerce.as_desa_code(1901032001.0) == "19.01.03.2001"
    assert coerce.as_desa_code("19.01.03.2001") == "19.01.03.2001"
    assert coerce.as_kecamatan_code("190103") == "19.01.03"


def test_years_are_whole_numbers_and_dates_are_refused():
    assert coerce.as_year(2025.0) == (2025, None)
    assert coerce.as_year("2025") == (2025, None)
    assert coerce.as_year("2025.0") == (2025, None)
    assert coerce.as_year(2025.5)[1] == "Tahun harus bilangan bulat seperti 2025."
    assert coerce.as_year(dt.date(2025, 1, 1))[1] == (
        "Tahun harus bilangan bulat seperti 2025, bukan tanggal."
    )
    assert coerce.as_year("")[1] == "Wajib diisi."


@pytest.mark.parametrize(
    ("cell", "expected"),
    [("ya", True), ("Tidak", False), ("Y", True), ("t", False), (1.0, True), ("0", False)]
    + [("TRUE", True), ("false", False), (True, True)],
)
def test_yes_no_cells_accept_every_agreed_spelling(cell, expected):
    assert coerce.as_yesno(cell) == (expected, None)


def test_a_yes_no_cell_with_anything_else_says_what_to_write():
    assert coerce.as_yesno("mungkin") == (None, "Isi dengan ya atau tidak.")


def test_numbers_keep_their_exact_decimal_value():
    assert coerce.as_decimal(2.5) == (Decimal("2.5"), None)
    assert coerce.as_decimal(0.1) == (Decimal("0.1"), None)
    assert coerce.as_decimal("2,5") == (Decimal("2.5"), None)
    assert coerce.as_decimal("87,5%", percent=True) == (Decimal("87.5"), None)
    assert coerce.as_decimal("1.234")[1] == "Gunakan paling banyak 2 angka di belakang koma."
    assert coerce.as_decimal("abc")[1] == "Nilai harus berupa angka."
    assert coerce.as_decimal(dt.date(2025, 1, 1))[1] == "Isi dengan angka, bukan tanggal."


def test_text_cells_lose_exactly_one_leading_apostrophe():
    assert coerce.as_text("'=SUM(A1)") == "=SUM(A1)"
    assert coerce.as_text("''kutip") == "'kutip"
    assert coerce.as_text("  biasa  ") == "biasa"
    assert coerce.as_text(dt.date(2025, 3, 1)) == "2025-03-01"


@pytest.mark.parametrize("text", ["=1+1", "+62", "-5", "@SUM", "\tx", "\rx", "'a", " a ", "biasa"])
def test_escaping_for_export_round_trips_through_the_import(text):
    assert coerce.unescape(coerce.escape(text)) == text


# --- reading good files ---


def test_the_data_sheet_is_chosen_by_name_not_by_which_sheet_was_active():
    data = xlsx(
        [NILAI, GOOD_ROW],
        extra_sheets={"petunjuk": [["Isi lembar nilai"], ["baris kedua"]]},
        active="petunjuk",
    )
    table = read_table(data, "data.xlsx", "nilai")
    assert table.sheet_name == "nilai"
    assert table.rows == [(2, ["19.01", 2025.0, "APE-KOM-01", 3.0, "catatan"])]


def test_the_only_sheet_is_read_whatever_its_name():
    table = read_table(xlsx([NILAI, GOOD_ROW], sheet="Sheet1"), "data.xlsx", "nilai")
    assert table.sheet_name == "Sheet1"


def test_several_sheets_without_the_named_one_are_refused_with_the_names_found():
    data = xlsx([NILAI, GOOD_ROW], sheet="data", extra_sheets={"lain": [["x"]]})
    assert refused(data) == (
        'Buku kerja tidak memiliki lembar bernama "nilai" (lembar yang ada: data, lain).'
    )


def test_headers_ignore_case_and_spaces():
    headers = ["Kode Wilayah", " TAHUN ", "kode_indikator", "Nilai", "catatan"]
    table = read_table(xlsx([headers, GOOD_ROW]), "data.xlsx", "nilai")
    assert table.headers == ["kodewilayah", "tahun", "kode_indikator", "nilai", "catatan"]


def test_rows_past_a_stale_dimension_tag_are_still_read():
    rows = [NILAI] + [["19.01", 2025, f"APE-KOM-0{i}", 1, ""] for i in range(1, 5)]
    data = stale_dimension(xlsx(rows))
    import zipfile
    from io import BytesIO

    sheet = zipfile.ZipFile(BytesIO(data)).read("xl/worksheets/sheet1.xml")
    assert b'<dimension ref="A1:E2"/>' in sheet
    assert len(read_table(data, "data.xlsx", "nilai").rows) == 4


def test_a_formula_without_a_cached_value_is_found():
    data = xlsx([NILAI, ["19.01", 2025, "APE-KOM-01", Formula("=1+2"), ""]])
    table = read_table(data, "data.xlsx", "nilai")
    assert table.formula_cells == {(2, 3)}


def test_a_text_cell_that_looks_like_a_formula_is_only_text():
    data = xlsx([NILAI, ["19.01", 2025, "APE-KOM-01", 3, "=catatan"]])
    table = read_table(data, "data.xlsx", "nilai")
    assert table.formula_cells == set()
    assert table.rows[0][1][4] == "=catatan"


def test_csv_with_a_bom_and_semicolons_is_read():
    data = b"\xef\xbb\xbf" + csv_bytes([NILAI, GOOD_ROW], delimiter=";")
    table = read_table(data, "data.csv", "nilai")
    assert table.headers[0] == "kode_wilayah"
    assert table.rows == [(2, ["19.01", "2025", "APE-KOM-01", "3", "catatan"])]


def test_blank_rows_are_skipped_but_row_numbers_stay_those_of_the_sheet():
    table = read_table(xlsx([NILAI, GOOD_ROW, [], GOOD_ROW]), "data.xlsx", "nilai")
    assert [number for number, _cells in table.rows] == [2, 4]


# --- hostile files ---


def test_an_empty_file_is_refused():
    assert refused(b"") == "Berkas kosong."


def test_a_text_file_renamed_to_xlsx_is_refused():
    assert refused(b"kode_wilayah,tahun\n19.01,2025\n") == (
        "Berkas bukan buku kerja Excel (.xlsx) maupun CSV. Simpan sebagai .xlsx."
    )


def test_a_pdf_renamed_to_xlsx_is_refused():
    assert refused(b"%PDF-1.7\n%\xe2\xe3\n1 0 obj") == (
        "Ini berkas PDF, bukan buku kerja Excel (.xlsx)."
    )


def test_another_zip_renamed_to_xlsx_is_refused():
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")
        archive.writestr("[Content_Types].xml", "<Types/>")
    assert refused(buffer.getvalue()) == "Berkas bukan buku kerja Excel (.xlsx)."


def test_a_truncated_workbook_is_refused_as_damaged():
    data = xlsx([NILAI, GOOD_ROW])
    assert refused(data[: len(data) // 2]) == "Berkas rusak atau bukan buku kerja Excel (.xlsx)."


def test_a_macro_enabled_workbook_is_refused():
    assert refused(xlsm(xlsx([NILAI, GOOD_ROW]))) == (
        "Buku kerja bermakro (.xlsm) tidak diterima. Simpan sebagai .xlsx."
    )


def test_a_password_protected_workbook_is_refused():
    assert refused(encrypted_workbook()) == (
        "Buku kerja dilindungi kata sandi. Hapus kata sandinya lalu simpan ulang."
    )


def test_a_legacy_xls_workbook_is_refused():
    assert refused(legacy_xls()) == (
        "Ini berkas Excel lama (.xls). Simpan sebagai buku kerja Excel (.xlsx)."
    )


def test_a_zip_bomb_by_ratio_is_refused_in_under_a_second():
    data = ratio_bomb(50)
    started = time.perf_counter()
    message = refused(data)
    assert time.perf_counter() - started < 1
    assert message.startswith("Buku kerja mengembang menjadi lebih dari 200 MB")
    assert message.endswith("Berkas ditolak tanpa dibuka.")


def test_a_zip_bomb_by_declared_size_is_refused_without_decompressing():
    started = time.perf_counter()
    message = refused(declared_size_bomb())
    assert time.perf_counter() - started < 1
    assert "lebih dari 200 MB" in message


def test_a_zip_whose_sizes_lie_is_refused_as_damaged():
    rows = [NILAI] + [["19.01", 2025, "APE-KOM-01", 1, "x" * 50]] * 50
    assert refused(lying_size(xlsx(rows))) == ("Berkas rusak atau bukan buku kerja Excel (.xlsx).")


def test_a_header_only_sheet_is_refused():
    assert refused(xlsx([NILAI])) == "Lembar hanya berisi nama kolom, tanpa baris data."


def test_a_sheet_with_nothing_in_row_one_is_refused():
    assert refused(xlsx([[], GOOD_ROW])) == "Lembar kosong: baris 1 harus berisi nama kolom."


def test_a_csv_that_is_not_utf8_is_refused():
    data = csv_bytes([NILAI, ["19.01", 2025, "APE-KOM-01", 3, "Pangkalpinang é"]], "cp1252")
    assert refused(data, name="data.csv") == (
        "Berkas CSV tidak berformat UTF-8. Simpan sebagai \u201cCSV UTF-8\u201d lalu unggah ulang."
    )


def test_more_than_200000_rows_in_a_csv_are_refused():
    rows = [NILAI] + [GOOD_ROW] * (MAX_ROWS + 1)
    assert refused(csv_bytes(rows), name="data.csv") == (
        "Berkas berisi lebih dari 200.000 baris data. "
        "Bagi menjadi beberapa berkas yang lebih kecil."
    )


def test_more_than_200000_rows_in_a_workbook_are_refused_before_parsing():
    data = hand_xlsx(MAX_ROWS + 1)
    started = time.perf_counter()
    message = refused(data)
    assert time.perf_counter() - started < 2
    assert message.startswith("Berkas berisi lebih dari 200.000 baris data.")


def test_exactly_200000_rows_are_accepted():
    assert len(read_table(hand_xlsx(MAX_ROWS), "data.xlsx", "nilai").rows) == MAX_ROWS


LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'.encode()
        for i in range(1, 10)
    )
    + b"]>"
)
XXE = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


@pytest.mark.parametrize(("prologue", "entity"), [(LAUGHS, b"&lol9;"), (XXE, b"&xxe;")])
@pytest.mark.parametrize("part", ["xl/worksheets/sheet1.xml", "xl/workbook.xml"])
def test_entity_expansion_and_external_entities_are_refused(prologue, entity, part):
    import io
    import zipfile

    from tests.impor_files import rewrite_zip

    base = xlsx([NILAI, GOOD_ROW])
    xml = zipfile.ZipFile(io.BytesIO(base)).read(part)
    body = xml[xml.index(b"<w") :].replace(b"APE-KOM-01", entity)
    started = time.perf_counter()
    message = refused(rewrite_zip(base, replace={part: prologue + body}))
    assert time.perf_counter() - started < 1
    assert message == "Berkas rusak atau bukan buku kerja Excel (.xlsx)."
