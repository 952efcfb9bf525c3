"""Loading indicator catalogs and award history into the database (used by data migrations).

A catalog file (``<app>/data/catalog.json``) describes one programme's groups, indicators, levels
and parameters, and the years it applies to; loading it creates or updates one :class:`Edition`
per year. Functions take an ``apps`` registry so migrations can pass historical models. Loading
is idempotent, keyed on (programme, year) and codes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

AWARDS_JSON = Path(__file__).resolve().parent / "data" / "awards.json"


def _has_field(model, name: str) -> bool:
    """Does this (possibly historical) model have the field? Older migrations load the same
    data files with the models of their time."""
    return any(field.name == name for field in model._meta.get_fields())


def read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def load_catalog(apps, data: dict[str, Any], years: list[int] | None = None) -> None:
    Edition = apps.get_model("penilaian", "Edition")
    Level = apps.get_model("penilaian", "Level")
    Group = apps.get_model("penilaian", "Group")
    Indicator = apps.get_model("penilaian", "Indicator")
    OpdKind = apps.get_model("regions", "OpdKind")
    kinds = {k.code: k for k in OpdKind.objects.all()}

    for year in years or data["years"]:
        edition, _ = Edition.objects.update_or_create(
            program=data["program"],
            year=year,
            defaults={
                "name": f"{data['name']} {year}",
                "version": data["version"],
                "provisional": data.get("provisional", True),
                "source": data.get("source", ""),
                "params": data.get("params", {}),
                # an older migration's Edition has no rules field yet (see set_rules)
                **({"rules": data.get("rules", [])} if _has_field(Edition, "rules") else {}),
            },
        )
        for level in levels_for(data, year):
            Level.objects.update_or_create(
                edition=edition,
                code=level["code"],
                defaults={
                    "name": level["name"],
                    "lower_bound": level["lower_bound"],
                    "order": level["order"],
                },
            )
        for group_data in data["groups"]:
            group, _ = Group.objects.update_or_create(
                edition=edition,
                code=group_data["code"],
                defaults={
                    "name": group_data["name"],
                    "description": group_data.get("description", ""),
                    "order": group_data["order"],
                    "max_score": group_data["max_score"],
                    "provisional": group_data.get("provisional", False),
                    "source": group_data.get("source", ""),
                },
            )
            for item in group_data["indicators"]:
                owner = item.get("owner_opd")
                Indicator.objects.update_or_create(
                    edition=edition,
                    code=item["code"],
                    defaults={
                        "group": group,
                        "text": item["text"],
                        "order": item["order"],
                        "kind": item["kind"],
                        "max_score": item["max_score"],
                        "options": item.get("options", []),
                        "unit": item.get("unit", ""),
                        "owner_kind": kinds.get(owner) if owner else None,
                        "evidence_examples": item.get("evidence_examples", []),
                        "evidence_required": item.get("evidence_required", False),
                        "provisional": item.get("provisional", False),
                        "confidence": item.get("confidence", ""),
                        "source": item.get("source", ""),
                    },
                )


def levels_for(data: dict[str, Any], year: int) -> list[dict[str, Any]]:
    """The catalog's levels for ``year``: ``levels_by_year[year]`` when given, else ``levels``
    (an older edition may have another scale, e.g. APE before 2023 had no Nindya)."""
    return data.get("levels_by_year", {}).get(str(year), data.get("levels", []))


def set_levels(apps, program: str, year: int, levels: list[dict[str, Any]]) -> None:
    """Make the edition's levels exactly ``levels``: drop the others, then update or create.

    Orders are unique per edition, so the levels that stay are first moved out of the way.
    """
    Edition = apps.get_model("penilaian", "Edition")
    Level = apps.get_model("penilaian", "Level")
    edition = Edition.objects.filter(program=program, year=year).first()
    if edition is None:
        return
    codes = [level["code"] for level in levels]
    Level.objects.filter(edition=edition).exclude(code__in=codes).delete()
    for level in Level.objects.filter(edition=edition):
        level.order += 1000
        level.save(update_fields=["order"])
    for level in levels:
        Level.objects.update_or_create(
            edition=edition,
            code=level["code"],
            defaults={
                "name": level["name"],
                "lower_bound": level["lower_bound"],
                "order": level["order"],
            },
        )


def set_rules(apps, data: dict[str, Any]) -> None:
    """Store the catalog's rules on each of its editions (the /metode/ list)."""
    Edition = apps.get_model("penilaian", "Edition")
    Edition.objects.filter(program=data["program"], year__in=data["years"]).update(
        rules=data.get("rules", [])
    )


def unload_catalog(apps, data: dict[str, Any]) -> None:
    Edition = apps.get_model("penilaian", "Edition")
    Assessment = apps.get_model("penilaian", "Assessment")
    editions = Edition.objects.filter(program=data["program"], year__in=data["years"])
    if Assessment.objects.filter(edition__in=editions).exists():
        raise RuntimeError(
            f"Cannot unload the {data['program']} catalog: assessments still use its editions."
        )
    editions.delete()


def load_awards(apps, rows: list[dict[str, Any]] | None = None) -> None:
    AwardResult = apps.get_model("penilaian", "AwardResult")
    Region = apps.get_model("regions", "Region")
    rows = rows if rows is not None else read_json(AWARDS_JSON)
    regions = {r.code: r for r in Region.objects.all()}
    for row in rows:
        AwardResult.objects.update_or_create(
            region=regions[row["region"]],
            program=row["program"],
            year=row["year"],
            result=row["result"],
            defaults={
                "confidence": row.get("confidence", ""),
                "conflicting": row.get("conflicting", False),
                "note": row.get("note", ""),
                "source_urls": row.get("source_urls", []),
                **(
                    {"published_score": row.get("published_score")}
                    if _has_field(AwardResult, "published_score")
                    else {}
                ),
            },
        )


def unload_awards(apps, rows: list[dict[str, Any]] | None = None) -> None:
    AwardResult = apps.get_model("penilaian", "AwardResult")
    rows = rows if rows is not None else read_json(AWARDS_JSON)
    for row in rows:
        AwardResult.objects.filter(
            region__code=row["region"],
            program=row["program"],
            year=row["year"],
            result=row["result"],
        ).delete()
