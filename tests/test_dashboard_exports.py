"""xlsx exports: the page's numbers, read back with openpyxl; scoped; formulas neutralised."""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO

import pytest
from django.core.cache import cache
from openpyxl import load_workbook

from dashboard.exports import XLSX, cell, safe_text
from penilaian.models import Assessment, Program
from regions.models import Region
from tests.test_dashboard_builders import (
    expected,
    expected_kampung_kb,
    fill,
    fill_desa,
    row_html,
    shown,
)

pytestmark = pytest.mark.django_db
Status = Assessment.Status


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()


@pytest.fixture
def data():
    fill("19.01", Program.APE, 2025, 0.8, Status.VERIFIED)
    fill("19.01", Program.KLA, 2025, 0.7)
    fill("19.02", Program.KLA, 2025, 0.45, Status.SUBMITTED)
    fill("19.02", Program.APE, 2025, 0.3)
    fill_desa("19.01", 2025)
    fill_desa("19.02", 2025)


def sheet_rows(response, title: str) -> list[dict[str, object]]:
    """The rows of one sheet as dicts keyed by the header row."""
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    book = load_workbook(BytesIO(response.content), read_only=True)
    code_of = {
        label: code for code, label in list(book["kode_kolom"].iter_rows(values_only=True))[1:]
    }
    rows = list(book[title].iter_rows(values_only=True))
    header = [code_of[label] for label in rows[0]]
    return [dict(zip(header, row, strict=True)) for row in rows[1:]]


def number(value) -> Decimal:
    return Decimal(str(value))


def test_the_recap_export_has_the_dashboards_numbers(client, admin_user, data):
    client.force_login(admin_user)
    html = client.get("/?tahun=2025").content.decode()

    rows = {
        row["kode_wilayah"]: row
        for row in sheet_rows(client.get("/ekspor/rekap.xlsx?tahun=2025"), "rekap")
    }

    assert sorted(rows) == list(
        Region.objects.exclude(kind="provinsi").order_by("code").values_list("code", flat=True)
    )
    for code in ("19.01", "19.02"):
        page_row = row_html(html, code)
        kla, ape = expected(code, Program.KLA, 2025), expected(code, Program.APE, 2025)
        summary = expected_kampung_kb(code, 2025)
        row = rows[code]
        assert number(row["kla_nilai"]) == kla.score
        assert f'kla-score">{shown(row["kla_nilai"])}<' in page_row
        assert number(row["ape_nilai"]) == ape.score
        assert f'ape-score">{shown(row["ape_nilai"])}<' in page_row
        assert number(row["kla_poin_ke_berikut"]) == kla.points_to_next
        assert row["kla_predikat"] == (kla.predicate.name if kla.predicate else None)
        assert row["ape_kategori"] == (ape.category.name if ape.category else None)
        assert [number(row[f"kla_{g}"]) for g in ("kl", "k1", "k2", "k3", "k4", "k5")] == [
            group.score for group in kla.groups
        ]
        assert (row["kkb_desa"], row["kkb_kampung_kb"], row["kkb_standar"], row["kkb_cikar"]) == (
            summary.desa_total,
            summary.kampung_kb,
            summary.standar,
            summary.cikar,
        )
        assert number(row["kkb_persen"]) == summary.persen_kampung_kb
    assert rows["19.03"]["kla_nilai"] is None  # no data: an empty cell, not 0


def test_the_ape_export_has_each_prerequisite(client, admin_user, data):
    client.force_login(admin_user)

    rows = {
        r["kode_wilayah"]: r for r in sheet_rows(client.get("/ekspor/ape.xlsx?tahun=2025"), "APE")
    }

    ape = expected("19.01", Program.APE, 2025)
    abbrs = ("kom", "keb", "kel", "sda", "dat", "ala", "par")
    assert [number(rows["19.01"][f"{a}_nilai"]) for a in abbrs] == [
        p.score for p in ape.prerequisites
    ]
    assert number(rows["19.01"]["ape_nilai"]) == ape.score


def test_the_kla_export_lists_every_indicator_per_region(client, admin_user, data):
    client.force_login(admin_user)
    response = client.get("/ekspor/kla.xlsx?tahun=2025")

    indicators = sheet_rows(response, "indikator")

    kla = expected("19.02", Program.KLA, 2025)
    points = [number(r["poin"]) for r in indicators if r["kode_wilayah"] == "19.02"]
    assert len(points) == 31
    assert sum(points) == kla.score
    groups = {r["kode_wilayah"]: r for r in sheet_rows(response, "kla")}
    assert number(groups["19.02"]["kla_nilai"]) == kla.score


def test_the_kampung_kb_export_lists_the_desa_of_the_chosen_region(client, admin_user, data):
    client.force_login(admin_user)
    response = client.get("/ekspor/kampung-kb.xlsx?tahun=2025&wilayah=19.02&status=cikar")

    desa = sheet_rows(response, "desa")
    regions = {r["kode_wilayah"]: r for r in sheet_rows(response, "kampung_kb")}

    summary = expected_kampung_kb("19.02", 2025)
    assert len(desa) == summary.cikar
    assert all(row["cikar"] is True and row["kode_desa"].startswith("19.02.") for row in desa)
    assert regions["19.02"]["standar"] == summary.standar


@pytest.mark.parametrize(
    "url", ["/ekspor/rekap.xlsx", "/ekspor/ape.xlsx", "/ekspor/kla.xlsx", "/ekspor/kampung-kb.xlsx"]
)
def test_a_koordinators_export_only_contains_their_region(client, koordinator_belitung, data, url):
    client.force_login(koordinator_belitung)
    response = client.get(url + "?tahun=2025")

    book = load_workbook(BytesIO(response.content), read_only=True)
    codes = {
        str(row[0])[:5]
        for sheet in book.worksheets
        if sheet.title != "kode_kolom"
        for row in list(sheet.iter_rows(values_only=True))[1:]
    }

    assert codes == {"19.02"}


def test_a_koordinator_cannot_export_another_regions_desa(client, koordinator_belitung, data):
    client.force_login(koordinator_belitung)

    response = client.get("/ekspor/kampung-kb.xlsx?tahun=2025&wilayah=19.01")

    assert response.status_code == 404


def test_text_that_looks_like_a_formula_is_exported_as_text(client, admin_user, data):
    Region.objects.filter(code="19.01").update(name='=HYPERLINK("http://x","klik")')
    Region.objects.filter(code="19.02").update(name="@SUM(A1)")
    client.force_login(admin_user)

    rows = {
        r["kode_wilayah"]: r
        for r in sheet_rows(client.get("/ekspor/rekap.xlsx?tahun=2025"), "rekap")
    }

    assert rows["19.01"]["nama_wilayah"] == '\'=HYPERLINK("http://x","klik")'
    assert rows["19.02"]["nama_wilayah"] == "'@SUM(A1)"


@pytest.mark.parametrize(
    ("raw", "safe"),
    [
        ("=1+2", "'=1+2"),
        ("+62 812", "'+62 812"),
        ("-5", "'-5"),
        ("@cmd", "'@cmd"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Kabupaten Bangka", "Kabupaten Bangka"),
        ("a=b", "a=b"),
        ("bad\x01char", "badchar"),
    ],
)
def test_safe_text_prefixes_formula_starts_only(raw, safe):
    assert safe_text(raw) == safe


def test_numbers_stay_numbers_in_cells():
    assert cell(Decimal("609.93")) == 609.93
    assert cell(Decimal("40.00")) == 40
    assert cell(-3) == -3
    assert cell(None) is None
    assert cell(True) is True


def test_the_recap_export_reads_in_indonesian_with_real_numbers(client, admin_user, data):
    """Issue #15: readable headers (codes on a second sheet), numbers with a number format."""
    client.force_login(admin_user)
    response = client.get("/ekspor/rekap.xlsx?tahun=2025")
    book = load_workbook(BytesIO(response.content))
    sheet = book["rekap"]
    headers = [c.value for c in sheet[1]]
    assert headers[:4] == ["Kode wilayah", "Nama wilayah", "Tahun", "APE: Nilai"]
    assert "APE: Nilai maksimum" in headers and "ape_nilai_maks" not in headers
    assert not [h for h in headers if "_" in h]
    codes = dict(list(book["kode_kolom"].iter_rows(values_only=True))[1:])
    assert codes["ape_nilai_maks"] == "APE: Nilai maksimum"
    year_cell, score_cell = sheet.cell(row=2, column=3), sheet.cell(row=2, column=4)
    assert year_cell.value == 2025 and year_cell.number_format == "0"
    assert isinstance(score_cell.value, int | float) and score_cell.number_format != "General"
    percent_column = headers.index("Kampung KB: Persentase Kampung KB (%)") + 1
    percent_cell = sheet.cell(row=2, column=percent_column)
    if percent_cell.value is not None:
        assert percent_cell.number_format == '0.00" %"'
