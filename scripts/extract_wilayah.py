"""Extract the Kemendagri region codes of province 19 from ``idn-area-data``.

Source: the npm package ``idn-area-data`` (version 4.0.1), whose ``data/*.csv``
files carry the Kepmendagri list of administrative regions. The data is
licensed under the Open Database License (ODbL) 1.0; see
``regions/data/ATTRIBUTION.md``.

How to run (stdlib only, no Django needed)::

    cd /tmp && npm pack idn-area-data@4.0.1 && tar xzf idn-area-data-4.0.1.tgz
    python scripts/extract_wilayah.py path/to/package/data

This reads ``provinces.csv``, ``regencies.csv``, ``districts.csv`` and
``villages.csv`` from the given directory and writes one file,
``regions/data/wilayah_19.csv`` (or the path given with ``--output``), with
the columns ``level,code,name,parent_code,jenis``:

* ``level``: ``provinsi`` | ``kabupaten_kota`` | ``kecamatan`` | ``desa``;
* ``code``: dotted Kemendagri form (``19``, ``19.01``, ``19.01.03``,
  ``19.01.03.2001``), whether or not the package writes the dots;
* ``name``: as in the package, put in Title Case only if the package writes
  it in UPPER CASE; regency prefixes are normalised (``KAB.`` -> ``Kabupaten``);
* ``parent_code``: code of the enclosing region (empty for the province);
* ``jenis``: ``kabupaten``/``kota`` for kabupaten_kota, ``kelurahan`` (village
  part starts with 1) or ``desa`` (starts with 2) for desa, empty otherwise.

Rows are sorted by code; the file is UTF-8 with LF line endings.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

PROVINCE_CODE = "19"
REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = REPO_ROOT / "regions" / "data" / f"wilayah_{PROVINCE_CODE}.csv"
HEADER = ("level", "code", "name", "parent_code", "jenis")

# Digits per code segment: province, regency, district, village.
SEGMENT_WIDTHS = (2, 2, 2, 4)

LEVELS = ("provinsi", "kabupaten_kota", "kecamatan", "desa")

# Accepted column names (lower-cased) for code, name and parent code.
CODE_COLUMNS = ("code", "kode", "id")
NAME_COLUMNS = ("name", "nama")
PARENT_COLUMNS: dict[str, tuple[str, ...]] = {
    "provinsi": (),
    "kabupaten_kota": ("province_code", "province_id", "kode_provinsi"),
    "kecamatan": ("regency_code", "regency_id", "kode_kabupaten", "kode_kab_kota"),
    "desa": ("district_code", "district_id", "kode_kecamatan"),
}
FILES = {
    "provinsi": "provinces.csv",
    "kabupaten_kota": "regencies.csv",
    "kecamatan": "districts.csv",
    "desa": "villages.csv",
}

# Regency prefixes as they may appear in the package, longest first.
REGENCY_PREFIXES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^kabupaten\s+", re.IGNORECASE), "Kabupaten "),
    (re.compile(r"^kab\.?\s*", re.IGNORECASE), "Kabupaten "),
    (re.compile(r"^kota\s+", re.IGNORECASE), "Kota "),
)
ROMAN_NUMERAL = re.compile(r"^(?=[IVXLC]+$)C{0,3}(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})$")


@dataclass(frozen=True)
class Region:
    """One output row."""

    level: str
    code: str
    name: str
    parent_code: str
    jenis: str

    def as_row(self) -> tuple[str, str, str, str, str]:
        return (self.level, self.code, self.name, self.parent_code, self.jenis)


class ExtractError(ValueError):
    """Raised when the package data does not have the expected shape."""


def dotted_code(raw: str, depth: int) -> str:
    """Return ``raw`` in dotted Kemendagri form with ``depth`` segments.

    Accepts both ``19.01.03.2001`` and ``1901032001``.
    """
    value = raw.strip()
    widths = SEGMENT_WIDTHS[:depth]
    if "." in value:
        parts = value.split(".")
    else:
        if len(value) != sum(widths):
            raise ExtractError(f"code {raw!r} has not {sum(widths)} digits")
        parts = []
        start = 0
        for width in widths:
            parts.append(value[start : start + width])
            start += width
    if len(parts) != depth or any(
        len(part) != width or not part.isdigit() for part, width in zip(parts, widths, strict=True)
    ):
        raise ExtractError(f"code {raw!r} is not a level-{depth} Kemendagri code")
    return ".".join(parts)


def title_word(word: str) -> str:
    """Title-case one upper-case word, keeping Roman numerals upper-case."""
    pieces = re.split(r"([-/,().])", word)
    return "".join(
        piece
        if not any(char.isalpha() for char in piece) or ROMAN_NUMERAL.match(piece)
        else piece[:1].upper() + piece[1:].lower()
        for piece in pieces
    )


def normalise_name(raw: str) -> str:
    """Collapse spaces and Title-case names the package writes in UPPER CASE."""
    name = " ".join(raw.split())
    if name.isupper():
        name = " ".join(title_word(word) for word in name.split(" "))
    return name


def normalise_regency_name(raw: str) -> str:
    """Normalise the kabupaten/kota prefix: ``KAB. BANGKA`` -> ``Kabupaten Bangka``."""
    name = " ".join(raw.split())
    for pattern, prefix in REGENCY_PREFIXES:
        match = pattern.match(name)
        if match:
            return prefix + normalise_name(name[match.end() :])
    return normalise_name(name)


def pick_column(fieldnames: Sequence[str], candidates: Iterable[str], path: Path) -> str:
    """Return the first column of ``fieldnames`` named in ``candidates``."""
    lowered = {name.strip().lower(): name for name in fieldnames}
    for candidate in candidates:
        if candidate in lowered:
            return lowered[candidate]
    raise ExtractError(f"{path}: none of {list(candidates)} in columns {list(fieldnames)}")


def read_level(data_dir: Path, level: str) -> list[tuple[str, str, str]]:
    """Read one package CSV as (code, name, parent_code) in dotted form."""
    depth = LEVELS.index(level) + 1
    path = data_dir / FILES[level]
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        fieldnames = reader.fieldnames or []
        code_col = pick_column(fieldnames, CODE_COLUMNS, path)
        name_col = pick_column(fieldnames, NAME_COLUMNS, path)
        parent_col = pick_column(fieldnames, PARENT_COLUMNS[level], path) if depth > 1 else None
        rows: list[tuple[str, str, str]] = []
        for record in reader:
            code = dotted_code(record[code_col], depth)
            if not code.startswith(PROVINCE_CODE + ".") and code != PROVINCE_CODE:
                continue
            parent = dotted_code(record[parent_col], depth - 1) if parent_col else ""
            if parent_col and not code.startswith(parent + "."):
                raise ExtractError(f"{path}: {code} is not under its parent {parent}")
            rows.append((code, record[name_col], parent))
    return rows


def regency_jenis(code: str, name: str) -> str:
    """``kota`` for regency numbers 71+, ``kabupaten`` below; must agree with the name."""
    jenis = "kota" if int(code.split(".")[1]) >= 71 else "kabupaten"
    expected_prefix = "Kota " if jenis == "kota" else "Kabupaten "
    if not name.startswith(expected_prefix):
        raise ExtractError(f"{code} {name!r}: name does not match jenis {jenis}")
    return jenis


def village_jenis(code: str) -> str:
    """``kelurahan`` if the 4-digit village part starts with 1, ``desa`` if 2."""
    first = code.rsplit(".", 1)[1][0]
    if first == "1":
        return "kelurahan"
    if first == "2":
        return "desa"
    raise ExtractError(f"{code}: village part starts with neither 1 nor 2")


def extract(data_dir: Path) -> list[Region]:
    """Build the sorted list of regions of ``PROVINCE_CODE``."""
    regions: list[Region] = []
    for level in LEVELS:
        for code, raw_name, parent in read_level(data_dir, level):
            if level == "kabupaten_kota":
                name = normalise_regency_name(raw_name)
                jenis = regency_jenis(code, name)
            elif level == "desa":
                name = normalise_name(raw_name)
                jenis = village_jenis(code)
            else:
                name = normalise_name(raw_name)
                jenis = ""
            if not name:
                raise ExtractError(f"{code}: empty name")
            regions.append(Region(level, code, name, parent, jenis))

    codes = [region.code for region in regions]
    if len(codes) != len(set(codes)):
        raise ExtractError("duplicate codes in the extract")
    known = set(codes)
    for region in regions:
        if region.parent_code and region.parent_code not in known:
            raise ExtractError(f"{region.code}: parent {region.parent_code} missing")
    if PROVINCE_CODE not in known:
        raise ExtractError(f"province {PROVINCE_CODE} not found")
    regions.sort(key=lambda region: tuple(int(part) for part in region.code.split(".")))
    return regions


def write_csv(regions: Iterable[Region], output: Path) -> None:
    """Write ``regions`` as UTF-8 CSV with LF line endings."""
    output.parent.mkdir(parents=True, exist_ok=True)
    with output.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(HEADER)
        writer.writerows(region.as_row() for region in regions)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Extract the Kemendagri region codes of province 19 from idn-area-data."
    )
    parser.add_argument("data_dir", type=Path, help="the package's data/ directory (with the CSVs)")
    parser.add_argument(
        "--output",
        type=Path,
        default=DEFAULT_OUTPUT,
        help=f"output CSV (default: {DEFAULT_OUTPUT.relative_to(REPO_ROOT)})",
    )
    args = parser.parse_args(argv)
    try:
        regions = extract(args.data_dir)
    except (ExtractError, OSError, KeyError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    write_csv(regions, args.output)
    counts = dict.fromkeys(LEVELS, 0)
    for region in regions:
        counts[region.level] += 1
    desa = sum(1 for region in regions if region.jenis == "desa")
    summary = ", ".join(f"{level} {count}" for level, count in counts.items())
    print(f"wrote {args.output}: {summary} ({desa} desa, {counts['desa'] - desa} kelurahan)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
