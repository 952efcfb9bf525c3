"""Checks on ``regions/data/wilayah_19.csv``, the project's copy of the Kemendagri codes.

The file is produced by ``scripts/extract_wilayah.py`` from the npm package
``idn-area-data`` 4.0.1 (ODbL). No database and no Django are needed::

    .venv/bin/python -m pytest tests/test_wilayah_extract.py -p no:django -q
"""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
EXTRACT = REPO_ROOT / "regions" / "data" / "wilayah_19.csv"
REFERENCE = REPO_ROOT.parent / "shared" / "reference" / "wilayah_19_kepmendagri_2025.json"

HEADER = ["level", "code", "name", "parent_code", "jenis"]
LEVELS = ("provinsi", "kabupaten_kota", "kecamatan", "desa")
CODE_PATTERNS = {
    "provinsi": re.compile(r"^19$"),
    "kabupaten_kota": re.compile(r"^19\.\d{2}$"),
    "kecamatan": re.compile(r"^19\.\d{2}\.\d{2}$"),
    "desa": re.compile(r"^19\.\d{2}\.\d{2}\.[12]\d{3}$"),
}
REGENCY_NAMES = {
    "19.01": "Kabupaten Bangka",
    "19.02": "Kabupaten Belitung",
    "19.03": "Kabupaten Bangka Selatan",
    "19.04": "Kabupaten Bangka Tengah",
    "19.05": "Kabupaten Bangka Barat",
    "19.06": "Kabupaten Belitung Timur",
    "19.71": "Kota Pangkal Pinang",
}

Row = dict[str, str]


@pytest.fixture(scope="module")
def rows() -> list[Row]:
    with EXTRACT.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == HEADER
        return list(reader)


@pytest.fixture(scope="module")
def by_code(rows: list[Row]) -> dict[str, Row]:
    return {row["code"]: row for row in rows}


def codes_at(rows: list[Row], level: str) -> set[str]:
    return {row["code"] for row in rows if row["level"] == level}


def test_file_is_utf8_with_lf_line_endings() -> None:
    raw = EXTRACT.read_bytes()
    raw.decode("utf-8")
    assert b"\r" not in raw
    assert raw.endswith(b"\n")


def test_counts(rows: list[Row]) -> None:
    levels = Counter(row["level"] for row in rows)
    assert levels == {"provinsi": 1, "kabupaten_kota": 7, "kecamatan": 47, "desa": 393}
    jenis = Counter(row["jenis"] for row in rows if row["level"] == "desa")
    assert jenis == {"desa": 309, "kelurahan": 84}


def test_codes_unique_and_sorted(rows: list[Row]) -> None:
    codes = [row["code"] for row in rows]
    assert len(codes) == len(set(codes))
    assert codes == sorted(codes)


def test_code_formats(rows: list[Row]) -> None:
    for row in rows:
        assert row["level"] in CODE_PATTERNS, row
        assert CODE_PATTERNS[row["level"]].fullmatch(row["code"]), row
        assert row["name"].strip() == row["name"] != "", row


def test_every_parent_exists(rows: list[Row], by_code: dict[str, Row]) -> None:
    for row in rows:
        if row["level"] == "provinsi":
            assert row["parent_code"] == "", row
            continue
        parent = by_code.get(row["parent_code"])
        assert parent is not None, row
        assert LEVELS.index(parent["level"]) == LEVELS.index(row["level"]) - 1, row
        assert row["code"].rsplit(".", 1)[0] == row["parent_code"], row


def test_jenis(rows: list[Row]) -> None:
    for row in rows:
        if row["level"] == "desa":
            village_part = row["code"].rsplit(".", 1)[1]
            expected = "kelurahan" if village_part.startswith("1") else "desa"
        elif row["level"] == "kabupaten_kota":
            expected = "kota" if row["name"].startswith("Kota ") else "kabupaten"
        else:
            expected = ""
        assert row["jenis"] == expected, row


def test_province_and_regency_names(by_code: dict[str, Row], rows: list[Row]) -> None:
    assert by_code["19"]["name"] == "Kepulauan Bangka Belitung"
    regencies = {row["code"]: row["name"] for row in rows if row["level"] == "kabupaten_kota"}
    assert regencies == REGENCY_NAMES


def test_known_villages(by_code: dict[str, Row]) -> None:
    batu_rusa = by_code["19.01.03.2001"]
    assert (batu_rusa["name"], batu_rusa["jenis"], batu_rusa["parent_code"]) == (
        "Batu Rusa",
        "desa",
        "19.01.03",
    )
    kuto_panji = by_code["19.01.02.1001"]
    assert (kuto_panji["name"], kuto_panji["jenis"], kuto_panji["parent_code"]) == (
        "Kuto Panji",
        "kelurahan",
        "19.01.02",
    )
    assert by_code["19.01.01"]["name"] == "Sungailiat"


def test_codes_match_shared_reference(rows: list[Row]) -> None:
    if not REFERENCE.exists():
        pytest.skip(f"shared reference not available: {REFERENCE}")
    reference = json.loads(REFERENCE.read_text(encoding="utf-8"))
    expected: dict[str, set[str]] = {level: set() for level in LEVELS}
    village_types: dict[str, str] = {}
    expected["provinsi"].add(reference["province"]["code"])
    for regency in reference["kabupaten_kota"]:
        expected["kabupaten_kota"].add(regency["code"])
        for district in regency["kecamatan"]:
            expected["kecamatan"].add(district["code"])
            for village in district["villages"]:
                expected["desa"].add(village["code"])
                village_types[village["code"]] = village["type"]

    for level in LEVELS:
        ours = codes_at(rows, level)
        assert ours == expected[level], (
            f"{level}: missing {sorted(expected[level] - ours)}, "
            f"extra {sorted(ours - expected[level])}"
        )
    ours_types = {row["code"]: row["jenis"] for row in rows if row["level"] == "desa"}
    assert ours_types == village_types
