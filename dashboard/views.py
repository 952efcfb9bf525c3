"""Cross-programme pages: province dashboard, region page, programme pages, public page, exports.

Every page reads its numbers with one readiness call (``dashboard.readiness``: the stored rows,
see ``dashboard.store``) plus a fixed set of helper reads (``dashboard.queries``); none loops over
regions, desa or years with a query each, and nothing is cached in the process. Every list goes
through the user's scope; a region out of scope is a 404.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from dashboard import charts, exports, store
from dashboard.queries import (
    DESA_PER_PAGE,
    DESA_STATUSES,
    GroupName,
    RecapRow,
    YearChoice,
    award_lines,
    choose_year,
    desa_table,
    group_names,
    indicator_matrix,
    level_counts,
    missing_evidence,
    opd_names,
    paginate_regions,
    province_awards,
    recap_rows,
    state_counts,
    trend_states,
    workflow_history,
)
from dashboard.readiness import (
    RegionReadiness,
    readiness_for_region,
    readiness_for_years,
    state_labels,
)
from penilaian.models import Level, Program
from penilaian.queries import current_year, frequent_return_reasons
from penilaian.scoring import NumberState
from regions.models import Region
from regions.scoping import Scope, scope_for
from sinergitas.queries import meetings_for_region

DASHBOARD_PAGE_SIZE = 25
PROGRAMME_PAGE_SIZE = 20


# --- shared pieces ----------------------------------------------------------------------------


def levels_of(year: int | None) -> dict[str, list[charts.Band]]:
    """APE categories and KLA predicates of the year's editions, lowest first (1 query)."""
    levels: dict[str, list[charts.Band]] = {Program.APE: [], Program.KLA: []}
    if year is None:
        return levels
    rows = (
        Level.objects.filter(edition__year=year, edition__program__in=list(levels))
        .order_by("edition__program", "order")
        .values_list("edition__program", "name", "lower_bound")
    )
    for program, name, bound in rows:
        levels[program].append(charts.Band(name, bound))
    return levels


def _none_labels() -> dict[str, str]:
    """What a region below the lowest category/predicate shows instead of a level."""
    return {
        "APE_NONE": _("no category"),
        "KLA_NONE": _("no predicate"),
        "NONE_LABEL": _("below the lowest level"),
    }


def _query_string(request: HttpRequest, **changes: object) -> str:
    params = request.GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = str(value)
    return params.urlencode()


def _map(rows: list[RecapRow], linked: bool, bands: list[charts.Band]):
    """The KLA map of the regions shown (linked to their pages for logged-in users)."""
    levels = [band.label for band in bands]
    regions = []
    for row in rows:
        kla = row.kla
        if kla.result is None:
            label, index = _("no data"), 0
        elif kla.level is None:
            label, index = _("below %(level)s") % {"level": levels[0] if levels else "—"}, 0
        else:
            label, index = kla.level.name, kla.level.order
        url = reverse("dashboard:region", args=[row.code]) if linked else None
        regions.append(charts.MapRegion(row.code, row.name, label, index, url))
    return charts.map_svg(
        regions,
        levels,
        title=_("KLA predicate per regency/city"),
        none_label=_("no predicate / no data"),
        out_of_scope_label=_("outside your scope"),
    )


def _unverified_label() -> str:
    return _("hollow = not verified yet")


def _trend_charts(
    rows: list[RecapRow],
    totals: dict[tuple[str, int, int], Decimal],
    levels: dict[str, list[charts.Band]],
    states: dict[tuple[str, int, int], str] | None = None,
    *,
    only_verified: bool = False,
) -> dict[str, object]:
    """KLA and APE totals over the years: lines per region (the average for many regions), each
    chart followed by a table of the same numbers with each number's state.

    Unverified totals (draft, submitted, returned, carried over) are drawn hollow on dotted
    segments; with ``only_verified`` they are left out of the chart and the table.
    """
    states = states or {}
    labels = state_labels()
    years = sorted({key[2] for key in totals})
    averaged = len(rows) > charts.MAX_SERIES
    items = []
    for program, top in ((Program.KLA, Decimal(1000)), (Program.APE, Decimal(100))):
        series = [
            charts.Series(
                row.name,
                {y: totals.get((program, row.readiness.region_id, y)) for y in years},
                {y: states.get((program, row.readiness.region_id, y)) for y in years},
            )
            for row in rows
        ]
        if only_verified:
            series = [line.only_verified() for line in series]
        shown = (
            [charts.average_series(series, years, _("Average of the regions shown"))]
            if averaged
            else series
        )
        label = Program(program).label
        svg = (
            charts.trend_svg(
                shown,
                years,
                top,
                title=_("%(programme)s total per year") % {"programme": label},
                bands=levels[program],
                unverified_label=_unverified_label(),
                state_labels=labels,
            )
            if years
            else ""
        )
        table = [
            (
                row,
                [
                    (line.values.get(y), line.states.get(y), labels.get(line.states.get(y), ""))
                    for y in years
                ],
            )
            for row, line in zip(rows, series, strict=True)
        ]
        items.append({"program": program, "label": label, "svg": svg, "table": table})
    unverified = sum(1 for state in states.values() if state != NumberState.VERIFIED)
    return {
        "years": years,
        "averaged": averaged,
        "charts": items,
        "only_verified": only_verified,
        "unverified_count": unverified,
    }


# --- the recap of a page of regions -----------------------------------------------------------


@dataclass
class Recap:
    """A year, one page of regions and their readiness rows: the core of every recap page."""

    choice: YearChoice
    page: Page
    regions: list[Region]
    rows: list[RecapRow] = field(default_factory=list)
    names: dict[str, tuple[GroupName, ...]] = field(default_factory=dict)
    levels: dict[str, list[charts.Band]] = field(default_factory=dict)
    totals: dict[tuple[str, int, int], Decimal] = field(default_factory=dict)
    states: dict[tuple[str, int, int], str] = field(default_factory=dict)

    @property
    def year(self) -> int | None:
        return self.choice.year


def recap_for(
    request: HttpRequest,
    regions_qs,
    *,
    per_page: int | None,
    verified_only: bool = False,
    trend: bool = False,
    program: str | None = None,
) -> Recap:
    """The requested year and page of ``regions_qs`` with their readiness rows (stored rows: one
    query) and, with ``trend``, the stored scores of every year (one query) and — except on the
    public page, whose trend holds verified totals only — the state of each (one query).

    Without ``?tahun=`` the page opens on ``program``'s current evaluation year (the newest
    current year for a page of every programme; the newest verified year for the public page).
    ``per_page=None`` takes every region (exports).
    """
    choice = choose_year(
        request.GET.get("tahun"), regions_qs, verified_only=verified_only, program=program
    )
    if per_page is None:
        regions = list(regions_qs.order_by("code"))
        page = Paginator(regions, max(len(regions), 1)).get_page(1)
    else:
        page, regions = paginate_regions(regions_qs, request.GET.get("hal"), per_page)
    recap = Recap(choice, page, regions)
    if choice.year is not None and regions:
        year = choice.year
        ids = [region.pk for region in regions]
        if trend:  # first: it computes every stale row of these regions, all years, in one batch
            recap.totals = store.scores(ids, verified_only=verified_only)
            if not verified_only:  # the public trend holds verified totals only
                recap.states = trend_states(ids)
        readiness = readiness_for_years(regions, [year], verified_only=verified_only)
        recap.names = group_names(year)
        recap.rows = recap_rows(readiness, recap.names)
        recap.levels = levels_of(year)
    else:
        recap.levels = levels_of(None)
    return recap


def _context(request: HttpRequest, recap: Recap) -> dict[str, object]:
    return {
        "choice": recap.choice,
        "year": recap.year,
        "years": recap.choice.years,
        "year_error": recap.choice.error,
        "page": recap.page,
        "regions": recap.regions,
        "rows": recap.rows,
        "ape_names": recap.names.get(Program.APE, ()),
        "kla_names": recap.names.get(Program.KLA, ()),
        "page_query": _query_string(request, hal=None),
        "export_query": _query_string(request, hal=None, desa_hal=None),
        "keep": [(k, v) for k, v in request.GET.items() if k not in ("tahun", "hal", "desa_hal")],
        **_none_labels(),
    }


# --- province dashboard -----------------------------------------------------------------------


@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The province dashboard: one row per kab/kota in scope for a year, trend and map."""
    scope = scope_for(request.user)
    recap = recap_for(request, scope.regions(), per_page=DASHBOARD_PAGE_SIZE, trend=True)
    context = _context(request, recap)
    context.update(
        {
            "trend": _trend_charts(
                recap.rows,
                recap.totals,
                recap.levels,
                recap.states,
                only_verified=request.GET.get("terverifikasi") == "1",
            ),
            "state_counts": state_counts(recap.rows),
            "verified_query": _query_string(request, terverifikasi="1"),
            "all_query": _query_string(request, terverifikasi=None),
            "map": _map(recap.rows, True, recap.levels[Program.KLA]),
            "kla_counts": level_counts((row.kla for row in recap.rows), _("no predicate")),
            "ape_counts": level_counts((row.ape for row in recap.rows), _("no category")),
            "province_awards": province_awards(),
            "return_reasons": _return_reasons(recap.rows),
        }
    )
    return render(request, "dashboard/home.html", context)


def _return_reasons(rows) -> list[tuple[object, list[tuple[str, str, int]]]]:
    """The regions of the page that had indicators returned with reasons, each with its three
    most frequent reasons (one query) — the province's pre-verification as the national one."""
    found = frequent_return_reasons([row.readiness.region_id for row in rows], limit=3)
    return [
        (row, found[row.readiness.region_id]) for row in rows if row.readiness.region_id in found
    ]


# --- one region -------------------------------------------------------------------------------


def _region_year(readiness: list[RegionReadiness], raw: str | None) -> tuple[int | None, str]:
    """The requested year if it has an edition, else the current evaluation year (the newest
    of the programmes' current years, set by the admin; 1 query), else the latest year with
    any data."""
    years = [item.year for item in readiness]
    error = ""
    if raw not in (None, ""):
        if raw.strip().isdigit() and int(raw) in years:
            return int(raw), error
        error = _("There is no data for year %(year)s; showing the current year.") % {
            "year": raw.strip()[:10]
        }
    current = current_year(None, years)
    if current is not None:
        return current, error
    with_data = [
        item.year
        for item in readiness
        if item.ape.result or item.kla.result or item.kampung_kb.summary
    ]
    if with_data:
        return max(with_data), error
    return (max(years) if years else None), error


def _region_context(request: HttpRequest, code: str) -> dict[str, object]:
    scope = scope_for(request.user)
    region = scope.get_region_or_404(code)
    readiness = readiness_for_region(region)
    year, error = _region_year(readiness, request.GET.get("tahun"))
    names = group_names(year) if year else {}
    levels = levels_of(year)
    current = next((item for item in readiness if item.year == year), None)
    over_years = recap_rows(readiness, names)
    with_data = [row for row in over_years if row.ape.result or row.kla.result or row.kkb_summary]
    context = {
        "scope": scope,
        "region": region,
        "year": year,
        "year_error": error,
        "years": sorted((item.year for item in readiness), reverse=True),
        "row": recap_rows([current], names)[0] if current else None,
        "over_years": with_data or over_years,
        "ape_names": names.get(Program.APE, ()),
        "kla_names": names.get(Program.KLA, ()),
        "owners": opd_names(region),
        "awards": award_lines(region, readiness),
        "missing": missing_evidence(current),
        "links": {
            program: reverse("penilaian:assessment_detail", args=[program, region.code, year])
            for program in Program.values
        }
        if year
        else {},
        **_none_labels(),
    }
    for program, top in ((Program.KLA, Decimal(1000)), (Program.APE, Decimal(100))):
        parts = [getattr(item, program) for item in readiness]
        scores = {part.year: part.result.score for part in parts if part.result is not None}
        states = {part.year: part.state for part in parts if part.result is not None}
        context[f"{program}_chart"] = (
            charts.trend_svg(
                [charts.Series(region.name, scores, states)],
                sorted(scores),
                top,
                title=_("%(programme)s total per year") % {"programme": Program(program).label},
                bands=levels[program],
                unverified_label=_unverified_label(),
                state_labels=state_labels(),
            )
            if scores
            else ""
        )
    return context


@require_GET
@login_required
def region(request: HttpRequest, kode: str) -> HttpResponse:
    """One region over the years: numbers, gaps, evidence, awards, workflow, meetings."""
    context = _region_context(request, kode)
    context["history"] = workflow_history(context["region"])
    context["return_reasons"] = frequent_return_reasons([context["region"].pk]).get(
        context["region"].pk, []
    )
    context["meetings"] = list(meetings_for_region(context["region"], context["scope"])[:20])
    return render(request, "dashboard/region.html", context)


@require_GET
@login_required
def region_print(request: HttpRequest, kode: str) -> HttpResponse:
    """The printable one-pager (A4) of one region for a year."""
    context = _region_context(request, kode)
    meetings = list(meetings_for_region(context["region"], context["scope"])[:20])
    context["open_followups"] = [f for m in meetings for f in m.open_followups][:5]
    context["printed_on"] = timezone.now()
    return render(request, "dashboard/region_print.html", context)


# --- programme pages --------------------------------------------------------------------------


@require_GET
@login_required
def ape(request: HttpRequest) -> HttpResponse:
    """APE: the 7 prerequisites × regions for a year."""
    scope = scope_for(request.user)
    recap = recap_for(request, scope.regions(), per_page=PROGRAMME_PAGE_SIZE, program=Program.APE)
    return render(request, "dashboard/ape.html", _context(request, recap))


@require_GET
@login_required
def kla(request: HttpRequest) -> HttpResponse:
    """KLA: the 6 groups × regions, and every indicator across the regions shown."""
    scope = scope_for(request.user)
    recap = recap_for(request, scope.regions(), per_page=PROGRAMME_PAGE_SIZE, program=Program.KLA)
    context = _context(request, recap)
    context["indicators"] = (
        indicator_matrix(Program.KLA, recap.year, recap.regions) if recap.year else []
    )
    return render(request, "dashboard/kla.html", context)


def _kampung_kb_filters(request: HttpRequest, scope: Scope) -> tuple[Region | None, str, str]:
    """The region (404 out of scope), kecamatan code and status filters of the Kampung KB page."""
    code = request.GET.get("wilayah", "").strip()
    region_obj = None
    if code:
        region_obj = scope.get_region_or_404(code)
    elif scope.region_id is not None:
        region_obj = scope.regions().first()
    kecamatan = request.GET.get("kecamatan", "").strip()[:8]
    status = request.GET.get("status", "").strip()
    if status not in DESA_STATUSES:
        status = ""
    return region_obj, kecamatan, status


def _desa_table(
    request: HttpRequest, region_obj: Region | None, year: int | None, kecamatan: str, status: str
):
    if region_obj is None or year is None:
        return None
    return desa_table(region_obj, year, kecamatan=kecamatan or None, status=status or None)


@require_GET
@login_required
def kampung_kb(request: HttpRequest) -> HttpResponse:
    """Kampung KB per region, then — for one region — per kecamatan and desa, with filters."""
    scope = scope_for(request.user)
    region_obj, kecamatan, status = _kampung_kb_filters(request, scope)
    recap = recap_for(
        request, scope.regions(), per_page=DASHBOARD_PAGE_SIZE, program=Program.KAMPUNG_KB
    )
    table = _desa_table(request, region_obj, recap.year, kecamatan, status)
    context = _context(request, recap)
    context.update(
        {
            "selected_region": region_obj,
            "kecamatan": kecamatan,
            "status": status,
            "statuses": [
                ("cikar", _("Cikar")),
                ("standar", _("Standar (not yet Cikar)")),
                ("kampung_kb", _("Kampung KB (not yet Standar)")),
                ("bukan", _("Not a Kampung KB")),
            ],
            "table": table,
            "desa_page": (
                Paginator(table.desa, DESA_PER_PAGE).get_page(request.GET.get("desa_hal"))
                if table
                else None
            ),
            "desa_query": _query_string(request, desa_hal=None),
        }
    )
    return render(request, "dashboard/kampung_kb.html", context)


# --- public page ------------------------------------------------------------------------------


@require_GET
def public(request: HttpRequest) -> HttpResponse:
    """Verified results per region and year, for anyone: no drafts, notes, documents or names."""
    regions_qs = Region.objects.exclude(kind=Region.Kind.PROVINSI)
    recap = recap_for(
        request, regions_qs, per_page=DASHBOARD_PAGE_SIZE, verified_only=True, trend=True
    )
    context = _context(request, recap)
    context.update(
        {
            "trend": _trend_charts(recap.rows, recap.totals, recap.levels),
            "map": _map(recap.rows, False, recap.levels[Program.KLA]),
        }
    )
    return render(request, "dashboard/public.html", context)


@require_GET
def metode(request: HttpRequest) -> HttpResponse:
    """Every rule the results depend on, per programme and edition, for anyone: its value,
    source and whether it is confirmed or provisional. Catalog data only, no region data."""
    from dashboard.metode import method_rules

    return render(request, "dashboard/metode.html", {"programmes": method_rules()})


# --- exports ----------------------------------------------------------------------------------


def _export_recap(request: HttpRequest, program: str | None = None) -> tuple[Scope, Recap]:
    """Every region in scope (not one page) for the requested (else the current) year."""
    scope = scope_for(request.user)
    recap = recap_for(request, scope.regions(), per_page=None, program=program)
    if recap.year is None:
        raise Http404(_("There is no edition yet."))
    return scope, recap


@require_GET
@login_required
def export_recap(request: HttpRequest) -> HttpResponse:
    """The province recap as xlsx (regions in scope)."""
    _scope, recap = _export_recap(request)
    sheet = exports.recap_sheet(recap.rows, recap.year)
    return exports.xlsx_response(f"rekap-{recap.year}.xlsx", [sheet])


@require_GET
@login_required
def export_ape(request: HttpRequest) -> HttpResponse:
    """The APE table as xlsx."""
    _scope, recap = _export_recap(request, Program.APE)
    sheet = exports.ape_sheet(recap.rows, recap.names.get(Program.APE, ()), recap.year)
    return exports.xlsx_response(f"ape-{recap.year}.xlsx", [sheet])


@require_GET
@login_required
def export_kla(request: HttpRequest) -> HttpResponse:
    """The KLA tables (groups and indicators) as xlsx."""
    _scope, recap = _export_recap(request, Program.KLA)
    indicators = indicator_matrix(Program.KLA, recap.year, recap.regions)
    sheets = exports.kla_sheets(
        recap.rows, recap.names.get(Program.KLA, ()), indicators, recap.regions, recap.year
    )
    return exports.xlsx_response(f"kla-{recap.year}.xlsx", sheets)


@require_GET
@login_required
def export_kampung_kb(request: HttpRequest) -> HttpResponse:
    """Kampung KB per region, and per kecamatan and desa for ``?wilayah=`` (filters applied)."""
    scope, recap = _export_recap(request, Program.KAMPUNG_KB)
    region_obj, kecamatan, status = _kampung_kb_filters(request, scope)
    table = _desa_table(request, region_obj, recap.year, kecamatan, status)
    return exports.xlsx_response(
        f"kampung-kb-{recap.year}.xlsx", exports.kampung_kb_sheets(recap.rows, table, recap.year)
    )
