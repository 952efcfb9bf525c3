"""Server-rendered SVG: the trend chart and the schematic map of Bangka and Belitung.

No JavaScript and nothing fetched from outside. Every colour comes with a text label (legend
entries, labels on the map, line-end labels), so nothing depends on telling colours apart, and
every chart is followed on the page by a table with the same numbers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

# Eight colours that stay apart for the common colour-vision deficiencies (Okabe–Ito, darkened
# where needed for contrast on white); lines also differ by dash pattern.
SERIES_COLOURS = (
    "#0072b2",
    "#d55e00",
    "#009e73",
    "#cc79a7",
    "#8a6d00",
    "#56b4e9",
    "#000000",
    "#7a4fa0",
)
DASHES = ("", "6 3", "2 3", "8 3 2 3", "", "6 3", "2 3", "8 3 2 3")
MAX_SERIES = len(SERIES_COLOURS)

# Level colours from "none" (light) to the top level (dark), with text colour for contrast.
LEVEL_FILLS = ("#eeeeee", "#fde9c8", "#f9c784", "#9bd3ae", "#41a36b", "#1b6e42")
LEVEL_TEXT = ("#333333", "#333333", "#333333", "#1d2733", "#ffffff", "#ffffff")
OUT_OF_SCOPE_FILL = "#f6f7f9"


@dataclass(frozen=True)
class Series:
    """One line of the trend chart: a label and a value per year (None = no data).

    ``states`` gives each year's state (``penilaian.scoring.NumberState``); a year whose state
    is not "verified" is drawn as a hollow point reached by a thin dotted segment, and the
    legend says what that means. Years without a state are drawn as verified.
    """

    label: str
    values: Mapping[int, Decimal | None]
    states: Mapping[int, str | None] = field(default_factory=dict)

    def unverified(self, year: int) -> bool:
        state = self.states.get(year)
        return state is not None and state != "verified"

    def only_verified(self) -> Series:
        """The same line without its unverified years."""
        return Series(
            self.label,
            {year: value for year, value in self.values.items() if not self.unverified(year)},
            {year: state for year, state in self.states.items() if not self.unverified(year)},
        )


@dataclass(frozen=True)
class Band:
    """A horizontal reference line (a category or predicate lower bound)."""

    label: str
    value: Decimal


@dataclass(frozen=True)
class MapRegion:
    """What the map shows for one region: the level reached (index into the bands) and a link."""

    code: str
    name: str
    level_name: str | None
    level_index: int  # 0 = below every level; 1.. = the level's position, lowest first
    url: str | None = None


def _fmt(value: Decimal | float) -> str:
    text = f"{float(value):.1f}"
    return text[:-2] if text.endswith(".0") else text


def average_series(series: Sequence[Series], years: Sequence[int], label: str) -> Series:
    """The mean over the series that have a value in each year (for very many regions)."""
    values: dict[int, Decimal | None] = {}
    states: dict[int, str | None] = {}
    for year in years:
        present = [s.values[year] for s in series if s.values.get(year) is not None]
        values[year] = (
            (sum(present, Decimal(0)) / len(present)).quantize(Decimal("0.01")) if present else None
        )
        # an average that includes any unverified value is not verified
        if any(s.unverified(year) for s in series if s.values.get(year) is not None):
            states[year] = "draft"
    return Series(label=label, values=values, states=states)


def trend_svg(
    series: Sequence[Series],
    years: Sequence[int],
    max_value: Decimal,
    *,
    title: str,
    bands: Sequence[Band] = (),
    unverified_label: str = "",
    state_labels: Mapping[str, str] | None = None,
) -> SafeString:
    """A line chart of values per year, one line per series, with a legend and band lines.

    Verified values are solid points on solid lines; unverified ones (draft, submitted,
    returned, carried over) are hollow points reached by a dotted segment, and the legend
    explains it with ``unverified_label``. Each point carries a tooltip with its state.
    Callers pass at most ``MAX_SERIES`` series (see :func:`average_series` for more regions).
    """
    width, height = 700, 300
    left, right, top, bottom = 48, 230, 16, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    top_value = float(max_value) if max_value else 1.0
    years = list(years)

    def x(year: int) -> float:
        if len(years) == 1:
            return left + plot_w / 2
        return left + 24 + (plot_w - 48) * years.index(year) / (len(years) - 1)

    def y(value: Decimal | float) -> float:
        return top + plot_h * (1 - min(float(value), top_value) / top_value)

    parts = [
        format_html(
            '<svg class="chart" viewBox="0 0 {} {}" role="img" aria-labelledby="{}" '
            'xmlns="http://www.w3.org/2000/svg"><title id="{}">{}</title>',
            width,
            height,
            "t-" + _slug(title),
            "t-" + _slug(title),
            title,
        )
    ]
    for step in range(5):
        value = top_value * step / 4
        parts.append(
            format_html(
                '<line class="grid" x1="{}" x2="{}" y1="{}" y2="{}"/>'
                '<text class="axis" x="{}" y="{}" text-anchor="end">{}</text>',
                left,
                left + plot_w,
                _fmt(y(value)),
                _fmt(y(value)),
                left - 6,
                _fmt(y(value) + 4),
                _fmt(value),
            )
        )
    for band in bands:
        parts.append(
            format_html(
                '<line class="band" x1="{}" x2="{}" y1="{}" y2="{}"/>'
                '<text class="band-label" x="{}" y="{}">{} ≥ {}</text>',
                left,
                left + plot_w,
                _fmt(y(band.value)),
                _fmt(y(band.value)),
                left + plot_w + 4,
                _fmt(y(band.value) + 3),
                band.label,
                _fmt(band.value),
            )
        )
    for year in years:
        parts.append(
            format_html(
                '<text class="axis" x="{}" y="{}" text-anchor="middle">{}</text>',
                _fmt(x(year)),
                height - bottom + 18,
                year,
            )
        )
    any_unverified = False
    for index, line in enumerate(series[:MAX_SERIES]):
        colour, dash = SERIES_COLOURS[index], DASHES[index]
        present = [yr for yr in years if line.values.get(yr) is not None]
        points = {yr: (x(yr), y(line.values[yr])) for yr in present}
        solid: list[list[int]] = [[]]
        for before, after in zip(present, present[1:], strict=False):
            if line.unverified(before) or line.unverified(after):
                px1, py1 = points[before]
                px2, py2 = points[after]
                parts.append(
                    format_html(
                        '<line class="unverified" x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" '
                        'stroke-width="1.5" stroke-dasharray="2 3"/>',
                        _fmt(px1),
                        _fmt(py1),
                        _fmt(px2),
                        _fmt(py2),
                        colour,
                    )
                )
                solid.append([])
            else:
                if not solid[-1]:
                    solid[-1].append(before)
                solid[-1].append(after)
        for run in solid:
            if len(run) > 1:
                parts.append(
                    format_html(
                        '<polyline fill="none" stroke="{}" stroke-width="2" '
                        'stroke-dasharray="{}" points="{}"/>',
                        colour,
                        dash,
                        " ".join(f"{_fmt(points[yr][0])},{_fmt(points[yr][1])}" for yr in run),
                    )
                )
        for yr in present:
            px, py = points[yr]
            state = line.states.get(yr) or "verified"
            tip = f"{line.label} {yr}: {_fmt(line.values[yr])}"
            if state_labels and state in state_labels:
                tip += f" ({state_labels[state]})"
            if line.unverified(yr):
                any_unverified = True
                parts.append(
                    format_html(
                        '<circle cx="{}" cy="{}" r="4" fill="#ffffff" stroke="{}" stroke-width="2" '
                        'class="point unverified" data-state="{}"><title>{}</title></circle>',
                        _fmt(px),
                        _fmt(py),
                        colour,
                        state,
                        tip,
                    )
                )
            else:
                parts.append(
                    format_html(
                        '<circle cx="{}" cy="{}" r="3.5" fill="{}" class="point" data-state="{}">'
                        "<title>{}</title></circle>",
                        _fmt(px),
                        _fmt(py),
                        colour,
                        state,
                        tip,
                    )
                )
        # Legend: swatch and the label in text, right of the plot.
        ly = top + 14 + index * 18
        parts.append(
            format_html(
                '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}" stroke-width="3" '
                'stroke-dasharray="{}"/><text class="legend" x="{}" y="{}">{}</text>',
                width - right + 92,
                width - right + 114,
                ly,
                ly,
                colour,
                dash,
                width - right + 120,
                ly + 4,
                _short(line.label),
            )
        )
    if any_unverified and unverified_label:
        ly = top + 14 + min(len(series), MAX_SERIES) * 18 + 6
        parts.append(
            format_html(
                '<g class="legend-unverified"><circle cx="{}" cy="{}" r="4" fill="#ffffff" '
                'stroke="#333333" stroke-width="2"/><text class="legend" x="{}" y="{}">{}</text>'
                "</g>",
                width - right + 103,
                ly,
                width - right + 120,
                ly + 4,
                _short(unverified_label),
            )
        )
    parts.append(mark_safe("</svg>"))  # noqa: S308 - a literal closing tag
    return mark_safe("".join(str(part) for part in parts))  # noqa: S308 - parts are escaped


# --- the schematic map ------------------------------------------------------------------------

# Hand-drawn schematic shapes (SVG units, north up), sharing borders. Not to scale: Pangkal
# Pinang is enlarged so that it can be seen and clicked.
# The names of the drawn regions (reference data, contract §3; public like the shapes), so a
# region outside the reader's scope is still named on the map, never shown as a bare code.
MAP_NAMES = {
    "19.01": "Kabupaten Bangka",
    "19.02": "Kabupaten Belitung",
    "19.03": "Kabupaten Bangka Selatan",
    "19.04": "Kabupaten Bangka Tengah",
    "19.05": "Kabupaten Bangka Barat",
    "19.06": "Kabupaten Belitung Timur",
    "19.71": "Kota Pangkal Pinang",
}

_SHAPES: dict[str, tuple[tuple[int, int], ...]] = {
    "19.05": ((30, 120), (70, 95), (120, 70), (145, 125), (165, 195), (140, 215), (90, 180),
              (45, 150)),
    "19.01": ((120, 70), (160, 40), (200, 25), (235, 40), (245, 75), (250, 110), (228, 112),
              (228, 148), (200, 150), (145, 125)),
    "19.71": ((250, 110), (266, 146), (228, 148), (228, 112)),
    "19.04": ((200, 150), (228, 148), (266, 146), (272, 168), (300, 200), (318, 228), (215, 272),
              (190, 255), (140, 215), (165, 195), (145, 125)),
    "19.03": ((318, 228), (330, 250), (345, 300), (320, 340), (280, 330), (240, 300), (215, 272)),
    "19.02": ((440, 200), (480, 175), (510, 178), (520, 260), (505, 340), (460, 320), (430, 280),
              (425, 240)),
    "19.06": ((510, 178), (530, 180), (575, 200), (600, 240), (590, 290), (555, 330), (505, 340),
              (520, 260)),
}  # fmt: skip
# Where each label goes (x, y, anchor); Pangkal Pinang's sits outside with a leader line.
_LABELS: dict[str, tuple[int, int, str]] = {
    "19.05": (92, 140, "middle"),
    "19.01": (188, 85, "middle"),
    "19.71": (300, 118, "start"),
    "19.04": (225, 205, "middle"),
    "19.03": (290, 290, "middle"),
    "19.02": (468, 262, "middle"),
    "19.06": (562, 232, "middle"),
}
_LEADERS: dict[str, tuple[int, int, int, int]] = {"19.71": (258, 130, 297, 122)}
MAP_CODES = tuple(_SHAPES)


def _short(name: str) -> str:
    """ "Kabupaten Bangka Barat" → "Bangka Barat"; "Kota Pangkal Pinang" → "Pangkal Pinang"."""
    for prefix in ("Kabupaten ", "Kota "):
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


def _slug(text: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in text.lower())[:40]


def map_svg(
    regions: Sequence[MapRegion],
    level_names: Sequence[str],
    *,
    title: str,
    none_label: str,
    out_of_scope_label: str,
) -> SafeString:
    """The 7 regions of Kepulauan Bangka Belitung coloured by level, each with a text label.

    Regions not given (out of scope) are drawn blank and unlabelled by level. Returns an empty
    string when none of ``regions`` is on the map (e.g. a national-scale scope elsewhere).
    """
    by_code = {region.code: region for region in regions}
    if not any(code in by_code for code in MAP_CODES):
        return mark_safe("")  # noqa: S308 - empty
    parts = [
        format_html(
            # role="group", not "img": the regions inside are links (axe: nested-interactive)
            '<svg class="map" viewBox="0 0 640 420" role="group" aria-labelledby="map-title" '
            'xmlns="http://www.w3.org/2000/svg"><title id="map-title">{}</title>'
            '<rect class="sea" x="0" y="0" width="640" height="360"/>'
            '<text class="island" x="60" y="52">Pulau Bangka</text>'
            '<text class="island" x="455" y="160">Pulau Belitung</text>',
            title,
        )
    ]
    for code, shape in _SHAPES.items():
        region = by_code.get(code)
        index = region.level_index if region else -1
        fill = LEVEL_FILLS[min(index, len(LEVEL_FILLS) - 1)] if index >= 0 else OUT_OF_SCOPE_FILL
        points = " ".join(f"{px},{py}" for px, py in shape)
        polygon = format_html(
            '<polygon class="area" points="{}" fill="{}"><title>{}</title></polygon>',
            points,
            fill,
            f"{region.name} ({code}) — {region.level_name or none_label}"
            if region
            else f"{MAP_NAMES.get(code, code)} ({code}) — {out_of_scope_label}",
        )
        if region and region.url:
            polygon = format_html('<a href="{}">{}</a>', region.url, polygon)
        parts.append(polygon)
    for code, (lx, ly, anchor) in _LABELS.items():
        region = by_code.get(code)
        if code in _LEADERS:
            x1, y1, x2, y2 = _LEADERS[code]
            parts.append(
                format_html(
                    '<line class="leader" x1="{}" y1="{}" x2="{}" y2="{}"/>', x1, y1, x2, y2
                )
            )
        name = _short(region.name if region else MAP_NAMES.get(code, code))
        level = (region.level_name or none_label) if region else out_of_scope_label
        parts.append(
            format_html(
                '<text class="map-label" x="{}" y="{}" text-anchor="{}">'
                '<tspan x="{}" dy="0">{}</tspan><tspan class="map-level" x="{}" dy="13">{}</tspan>'
                "</text>",
                lx,
                ly,
                anchor,
                lx,
                name,
                lx,
                level,
            )
        )
    # Legend: a swatch and its level name, for every level plus "none".
    legend = [none_label, *level_names]
    lx, ly = 16, 378
    for index, label in enumerate(legend):
        width = 32 + 7 * len(label)
        if lx + width > 630:
            lx, ly = 16, ly + 20
        parts.append(
            format_html(
                '<rect x="{}" y="{}" width="14" height="14" fill="{}" stroke="#777"/>'
                '<text class="legend" x="{}" y="{}">{}</text>',
                lx,
                ly,
                LEVEL_FILLS[min(index, len(LEVEL_FILLS) - 1)],
                lx + 19,
                ly + 11,
                label,
            )
        )
        lx += width
    parts.append(mark_safe("</svg>"))  # noqa: S308 - a literal closing tag
    return mark_safe("".join(str(part) for part in parts))  # noqa: S308 - parts are escaped


def bar_svg(value: Decimal | None, max_value: Decimal, *, css_class: str = "") -> SafeString:
    """A small horizontal bar for a group score; the number is always printed beside it."""
    share = 0.0 if not value or not max_value else min(float(value / max_value), 1.0)
    return format_html(
        '<svg class="bar {}" viewBox="0 0 100 8" preserveAspectRatio="none" aria-hidden="true">'
        '<rect class="bar-bg" width="100" height="8"/><rect class="bar-fg" width="{}" height="8"/>'
        "</svg>",
        css_class,
        f"{share * 100:.1f}",
    )
