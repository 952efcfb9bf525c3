"""Loading the reference data (wilayah + OPD) — used by the data migrations.

Functions take the model classes as arguments so that migrations can pass historical models.
Loading is idempotent (keyed on codes) and never deletes rows that data already points to.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
WILAYAH_CSV = DATA_DIR / "wilayah_19.csv"
OPD_JSON = DATA_DIR / "opd.json"


def read_wilayah(path: Path = WILAYAH_CSV) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def read_opd_kinds(path: Path = OPD_JSON) -> list[dict[str, str]]:
    return json.loads(path.read_text(encoding="utf-8"))


def load_wilayah(Region, Kecamatan, Desa, rows: list[dict[str, str]] | None = None) -> None:
    rows = rows if rows is not None else read_wilayah()
    by_level: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        by_level.setdefault(row["level"], []).append(row)

    regions: dict[str, object] = {}
    for row in by_level["provinsi"] + by_level["kabupaten_kota"]:
        kind = "provinsi" if row["level"] == "provinsi" else row["jenis"]
        parent = regions.get(row["parent_code"]) if row["parent_code"] else None
        obj, _ = Region.objects.update_or_create(
            code=row["code"], defaults={"name": row["name"], "kind": kind, "parent": parent}
        )
        regions[row["code"]] = obj

    existing_kec = {k.code: k for k in Kecamatan.objects.all()}
    new_kec = []
    for row in by_level["kecamatan"]:
        region = regions[row["parent_code"]]
        kec = existing_kec.get(row["code"])
        if kec is None:
            new_kec.append(Kecamatan(code=row["code"], name=row["name"], region=region))
        elif kec.name != row["name"] or kec.region_id != region.pk:
            kec.name, kec.region = row["name"], region
            kec.save()
    Kecamatan.objects.bulk_create(new_kec)
    kecamatan = {k.code: k for k in Kecamatan.objects.all()}

    existing_desa = {d.code: d for d in Desa.objects.all()}
    new_desa = []
    for row in by_level["desa"]:
        kec = kecamatan[row["parent_code"]]
        values = {"name": row["name"], "jenis": row["jenis"]}
        desa = existing_desa.get(row["code"])
        if desa is None:
            new_desa.append(
                Desa(code=row["code"], kecamatan=kec, region_id=kec.region_id, **values)
            )
        elif (desa.name, desa.jenis, desa.kecamatan_id) != (row["name"], row["jenis"], kec.pk):
            desa.name, desa.jenis, desa.kecamatan, desa.region_id = (
                row["name"],
                row["jenis"],
                kec,
                kec.region_id,
            )
            desa.save()
    Desa.objects.bulk_create(new_desa, batch_size=500)


def unload_wilayah(Region, Kecamatan, Desa, rows: list[dict[str, str]] | None = None) -> None:
    rows = rows if rows is not None else read_wilayah()
    codes = {row["code"] for row in rows}
    Desa.objects.filter(code__in=codes).delete()
    Kecamatan.objects.filter(code__in=codes).delete()
    Region.objects.filter(code__in=codes, parent__isnull=False).delete()
    Region.objects.filter(code__in=codes).delete()


def load_opd(Region, OpdKind, Opd, kinds: list[dict[str, str]] | None = None) -> None:
    """The standard OPD kinds, and one OPD of each kind in every kab/kota."""
    kinds = kinds if kinds is not None else read_opd_kinds()
    kind_objs = []
    for item in kinds:
        obj, _ = OpdKind.objects.update_or_create(
            code=item["code"], defaults={"name": item["name"], "short": item["short"]}
        )
        kind_objs.append(obj)
    existing = set(Opd.objects.values_list("region_id", "kind_id"))
    new = []
    for region in Region.objects.exclude(kind="provinsi").order_by("code"):
        place = region.name
        for kind in kind_objs:
            if (region.pk, kind.pk) not in existing:
                new.append(Opd(region=region, kind=kind, name=f"{kind.name} {place}"))
    Opd.objects.bulk_create(new)


def unload_opd(Region, OpdKind, Opd, kinds: list[dict[str, str]] | None = None) -> None:
    kinds = kinds if kinds is not None else read_opd_kinds()
    codes = [k["code"] for k in kinds]
    Opd.objects.filter(kind__code__in=codes).delete()
    OpdKind.objects.filter(code__in=codes).delete()
