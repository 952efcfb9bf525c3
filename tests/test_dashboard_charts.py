"""The server-rendered SVG charts: text labels beside colours, escaping, no outside assets."""

from __future__ import annotations

import re
from decimal import Decimal as D

from dashboard.charts import (
    MAP_CODES,
    Band,
    MapRegion,
    Series,
    average_series,
    bar_svg,
    map_svg,
    trend_svg,
)

LEVELS = ["Pratama", "Madya", "Nindya", "Utama", "KLA"]


def regions(**levels: str | None) -> list[MapRegion]:
    names = {
        "19.01": "Kabupaten Bangka",
        "19.02": "Kabupaten Belitung",
        "19.71": "Kota Pangkal Pinang",
    }
    return [
        MapRegion(
            code, names[code], levels.get("_" + code.replace(".", "_")), 2, f"/wilayah/{code}/"
        )
        for code in names
    ]


def test_the_map_draws_every_region_of_the_province():
    svg = map_svg(regions(), LEVELS, title="Peta", none_label="belum", out_of_scope_label="di luar")

    assert svg.count("<polygon") == len(MAP_CODES) == 7


def test_the_map_labels_each_region_with_its_name_and_level_in_text():
    svg = map_svg(
        regions(_19_01="Madya", _19_02=None),
        LEVELS,
        title="Peta",
        none_label="belum ada predikat",
        out_of_scope_label="di luar cakupan",
    )

    assert ">Bangka</tspan>" in svg
    assert ">Madya</tspan>" in svg
    assert ">Belitung</tspan>" in svg
    assert ">belum ada predikat</tspan>" in svg  # the region without a level says so in text
    assert svg.count(">di luar cakupan</tspan>") == 4  # the four regions not given
    for level in LEVELS:  # the legend names every colour
        assert f">{level}</text>" in svg


def test_the_map_links_regions_only_when_given_a_url():
    linked = map_svg(regions(), LEVELS, title="t", none_label="n", out_of_scope_label="o")
    public = map_svg(
        [MapRegion("19.01", "Kabupaten Bangka", "Madya", 2, None)],
        LEVELS,
        title="t",
        none_label="n",
        out_of_scope_label="o",
    )

    assert '<a href="/wilayah/19.01/">' in linked
    assert "<a " not in public


def test_the_map_is_empty_for_regions_outside_the_province():
    svg = map_svg(
        [MapRegion("31.71", "Kota Jakarta Pusat", "KLA", 5)],
        LEVELS,
        title="t",
        none_label="n",
        out_of_scope_label="o",
    )

    assert svg == ""


def test_chart_text_is_escaped():
    svg = trend_svg(
        [Series("<script>alert(1)</script>", {2024: D(10), 2025: D(20)})],
        [2024, 2025],
        D(100),
        title="A & B",
    )

    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
    assert "A &amp; B" in svg


def test_the_trend_draws_a_line_and_a_legend_entry_per_series():
    series = [
        Series("Kabupaten Bangka", {2023: D(500), 2024: D(600), 2025: D(700)}),
        Series("Kabupaten Belitung", {2023: None, 2024: D(450), 2025: D(480)}),
        Series("Kota Pangkal Pinang", {2025: D(610)}),
    ]

    svg = trend_svg(series, [2023, 2024, 2025], D(1000), title="KLA", bands=[Band("Madya", D(601))])

    assert svg.count("<polyline") == 2  # a single point draws no line
    assert svg.count("<circle") == 6
    assert ">Bangka</text>" in svg and ">Belitung</text>" in svg and ">Pangkal Pinang</text>" in svg
    assert ">Madya ≥ 601</text>" in svg
    assert "http" not in svg.replace("http://www.w3.org/2000/svg", "")  # nothing from outside


def test_the_trend_places_higher_values_higher():
    svg = trend_svg([Series("X", {2024: D(0), 2025: D(1000)})], [2024, 2025], D(1000), title="t")

    ys = [float(y) for y in re.findall(r'<circle cx="[\d.]+" cy="([\d.]+)"', svg)]
    assert ys[0] > ys[1]


def test_the_average_series_ignores_missing_values():
    average = average_series(
        [Series("a", {2024: D(10), 2025: None}), Series("b", {2024: D(20), 2025: D(40)})],
        [2024, 2025],
        "rata-rata",
    )

    assert average.values == {2024: D("15.00"), 2025: D("40.00")}


def test_bars_are_proportional_and_capped():
    assert 'class="bar-fg" width="50.0"' in bar_svg(D(60), D(120))
    assert 'class="bar-fg" width="100.0"' in bar_svg(D(130), D(120))
    assert 'class="bar-fg" width="0.0"' in bar_svg(None, D(120))


def test_regions_outside_the_scope_are_named_on_the_map_not_coded():
    svg = map_svg(
        regions(_19_01="Madya"),
        LEVELS,
        title="Peta",
        none_label="belum ada predikat",
        out_of_scope_label="di luar cakupan",
    )
    assert ">Bangka Barat</tspan>" in svg
    assert ">19.05</tspan>" not in svg
    assert "Kabupaten Bangka Barat (19.05) — di luar cakupan" in svg
