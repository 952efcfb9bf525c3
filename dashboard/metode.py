"""The /metode/ page: every rule the results depend on, per programme and edition.

The rules are data on each edition (``Edition.rules``, loaded from the catalogs' ``rules``):
a stable code, a name, a source and whether it is confirmed or provisional. Their *values* are
read live from the same edition data the scoring uses (levels, group weights, indicator ladders
and bands, parameters), so what this page says is what the results were computed with.
Consecutive editions with the same value, status and source are shown as one row ("2023–2026").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from dashboard.templatetags.dashboard_tags import shown_number
from kampung_kb.readiness import thresholds_for
from penilaian.models import Program
from penilaian.queries import CatalogData, load_catalog_map
from penilaian.scoring import IndicatorSpec, Kind, lower_is_better
from prasyarat.readiness import terpenuhi_ratio

PROGRAMS = (Program.APE, Program.KLA, Program.KAMPUNG_KB)


@dataclass(frozen=True)
class ScaleLine:
    """One indicator's ladder or bands, for the rule that lists them."""

    code: str
    text: str
    max_score: Decimal
    steps: str


@dataclass
class RuleSpan:
    """A rule's value, status and source over consecutive edition years."""

    years: list[int]
    value: str
    provisional: bool
    source: str
    scale: tuple[ScaleLine, ...] = ()

    @property
    def years_label(self) -> str:
        first, last = self.years[0], self.years[-1]
        return str(first) if first == last else f"{first}–{last}"

    @property
    def years_attr(self) -> str:
        return " ".join(str(year) for year in self.years)


@dataclass
class RuleEntry:
    """One rule code of one programme, over its editions."""

    code: str
    name: str
    spans: list[RuleSpan] = field(default_factory=list)

    @property
    def provisional_somewhere(self) -> bool:
        return any(span.provisional for span in self.spans)


@dataclass
class ProgrammeRules:
    program: str
    label: str
    rules: list[RuleEntry]


def _percent(value: Any) -> str:
    return f"{shown_number(value)} %"


def _levels(catalog: CatalogData) -> str:
    return " · ".join(
        f"{level.name} ≥ {shown_number(level.lower_bound)}"
        for level in sorted(catalog.levels, key=lambda level: level.order)
    )


def _weights(catalog: CatalogData) -> str:
    total = sum((group.max_score for group in catalog.groups), Decimal(0))
    parts = " · ".join(f"{group.name} {shown_number(group.max_score)}" for group in catalog.groups)
    return f"{parts} (= {shown_number(total)})"


def _steps(spec: IndicatorSpec) -> str:
    if spec.kind == Kind.LADDER:
        return "; ".join(f"{o.label}: {shown_number(o.points)}" for o in spec.options)
    if spec.kind == Kind.PERCENT and spec.options:
        bands = "; ".join(
            f"{shown_number(o.min or 0)}–{shown_number(o.max if o.max is not None else 100)} %: "
            f"{shown_number(o.points)}"
            for o in spec.options
        )
        return f"{bands} ({_('lower is better')})" if lower_is_better(spec) else bands
    if spec.kind == Kind.PERCENT:
        return _("proportional to the percentage")
    if spec.kind == Kind.YESNO:
        return _("yes: full points, no: 0")
    return _("points entered directly, 0–maximum")


def _scale(catalog: CatalogData) -> tuple[ScaleLine, ...]:
    return tuple(
        ScaleLine(spec.code, spec.text, spec.max_score, _steps(spec)) for spec in catalog.specs
    )


def rule_value(code: str, catalog: CatalogData, rule: Mapping[str, Any]) -> str:
    """What a rule says in this edition, read from the edition's own data."""
    params = catalog.params
    if code in ("APE-KATEGORI", "KLA-PREDIKAT"):
        return _levels(catalog) or "—"
    if code in ("APE-BOBOT", "KLA-BOBOT"):
        return _weights(catalog)
    if code in ("APE-SKALA", "KLA-SKALA"):
        return _("%(count)s indicators; their options and bands are listed below.") % {
            "count": len(catalog.specs)
        }
    if code == "KLA-INDIKATOR":
        counts = " + ".join(
            f"{sum(1 for s in catalog.specs if s.group == g.code)} {g.name}" for g in catalog.groups
        )
        return f"{counts} = {len(catalog.specs)}"
    if code == "APE-TERPENUHI":
        ratio = terpenuhi_ratio(params) * 100
        text = _("met at ≥ %(ratio)s of the prerequisite's points; partly above 0; not yet at 0")
        return text % {"ratio": _percent(ratio)}
    t = thresholds_for(params)
    if code == "KKB-STANDAR":
        return _(
            "designated, KKBPK achieved, PATBM performing, home industry at least "
            "%(ir)s, birth certificates above %(akta)s"
        ) % {"ir": t.industri_rumahan_min, "akta": _percent(t.akta_min_persen)}
    if code == "KKB-AKTA":
        return f"> {_percent(t.akta_min_persen)}"
    if code == "KKB-IR":
        return f"≥ {t.industri_rumahan_min}"
    if code == "KKB-CIKAR":
        return _("Standar and at least %(n)s cross-sector programme(s)") % {
            "n": t.lintas_sektor_min
        }
    if code == "KKB-BKKBN":
        return _(
            "index threshold %(t)s: all three ≥ %(t)s → Berkelanjutan; output and (input or "
            "process) ≥ %(t)s → Mandiri; input and process ≥ %(t)s → Berkembang; else Dasar"
        ) % {"t": t.bkkbn_threshold}
    if code == "KKB-TARGET":
        return _("%(target)s of the potential desa/kelurahan are Kampung KB") % {
            "target": _percent(t.target_persen)
        }
    if code == "KKB-POTENSIAL":
        return _(
            "every desa/kelurahan of the regency/city, until the admin enters the number of "
            "potential desa for the region and year"
        )
    return str(rule.get("value") or "—")


def method_rules(
    catalogs: Mapping[tuple[str, int], CatalogData] | None = None,
) -> list[ProgrammeRules]:
    """Every programme's rules over its editions (4 queries when ``catalogs`` is not given)."""
    if catalogs is None:
        catalogs = load_catalog_map(PROGRAMS)
    result = []
    for program in PROGRAMS:
        editions = sorted(
            (catalog for (p, _year), catalog in catalogs.items() if p == program),
            key=lambda catalog: catalog.year,
        )
        entries: dict[str, RuleEntry] = {}
        for catalog in editions:
            for rule in catalog.rules:
                code = str(rule["code"])
                entry = entries.setdefault(code, RuleEntry(code, str(rule.get("name", code))))
                scale = _scale(catalog) if code.endswith("-SKALA") else ()
                span = RuleSpan(
                    years=[catalog.year],
                    value=rule_value(code, catalog, rule),
                    provisional=bool(rule.get("provisional")),
                    source=str(rule.get("source", "")),
                    scale=scale,
                )
                last = entry.spans[-1] if entry.spans else None
                if (
                    last is not None
                    and last.years[-1] == catalog.year - 1
                    and (last.value, last.provisional, last.source, last.scale)
                    == (span.value, span.provisional, span.source, span.scale)
                ):
                    last.years.append(catalog.year)
                else:
                    entry.spans.append(span)
        result.append(ProgrammeRules(program, str(Program(program).label), list(entries.values())))
    return result


def provisional_rows(programmes: Sequence[ProgrammeRules]) -> set[tuple[str, int, str]]:
    """(programme, year, code) of every rule shown as provisional (for checks and tests)."""
    return {
        (programme.program, year, entry.code)
        for programme in programmes
        for entry in programme.rules
        for span in entry.spans
        if span.provisional
        for year in span.years
    }
