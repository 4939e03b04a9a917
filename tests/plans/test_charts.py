"""The plan charts: the structure of the SVG (parsed as XML), its words, and its table alternative. No pixels."""

import xml.etree.ElementTree as ET
from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation
from django.utils.safestring import SafeString

from plans.charts import (
    FONT,
    Line,
    Point,
    _spread,
    compact_number,
    comparison_chart,
    format_number,
    nice_ticks,
    status_chart,
    trajectory_chart,
)

SVG = "{http://www.w3.org/2000/svg}"

VALUES = [  # out of order on purpose: the chart sorts by date
    Point(date(2025, 4, 30), Decimal("462")),
    Point(date(2024, 9, 1), Decimal("0")),
    Point(date(2025, 1, 31), Decimal("300")),
]
BASELINE = Point(date(2024, 6, 1), Decimal("50"))
GOAL = Point(date(2026, 12, 31), Decimal("400"))


def parse(chart) -> ET.Element:
    return ET.fromstring(str(chart.svg))  # raises if the markup is not well-formed XML


def elements(root, tag, css=None):
    return [el for el in root.iter(SVG + tag) if css is None or css in el.get("class", "").split()]


def ticks(root, *, axis):
    """The tick labels of the y axis (anchored at their end) or the x axis (those with a date)."""
    texts = [el for el in elements(root, "text", "tick")]
    if axis == "x":
        return [el.text for el in texts if el.get("data-date")]
    return [el.text for el in texts if not el.get("data-date")]


def centre_y(el) -> float:
    if el.tag == SVG + "circle":
        return float(el.get("cy"))
    return float(el.get("y")) + float(el.get("height")) / 2


def trajectory(**overrides):
    arguments = dict(title="CO₂ emissions", unit="t", values=VALUES, baseline=BASELINE, goals=[GOAL])
    return trajectory_chart(**arguments | overrides)


STATUS = dict(
    title="Actions of the plan",
    days=[date(2025, 1, 31), date(2025, 2, 28), date(2025, 3, 31)],
    counts={"planned": [4, 3, 1], "in_progress": [0, 1, 2], "completed": [0, 0, 1], "delayed": [1, 1, 0],
            "cancelled": [0, 0, 1]},
    labels={"planned": "Planned", "in_progress": "In progress", "completed": "Completed", "delayed": "Delayed",
            "cancelled": "Cancelled"},
)


# --- the svg element -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("chart", [
    pytest.param(lambda: trajectory(), id="trajectory"),
    pytest.param(lambda: status_chart(**STATUS), id="status"),
    pytest.param(lambda: comparison_chart(title="C", unit="t", lines=[Line("Cologne", VALUES, True)]), id="comparison"),
    pytest.param(lambda: trajectory(values=[], baseline=None, goals=[]), id="empty"),
])
def test_svg_is_labelled_scalable_and_has_no_style_or_script(chart):
    chart = chart()
    assert isinstance(chart.svg, SafeString)
    root = parse(chart)
    assert root.tag == SVG + "svg"
    assert root.get("role") == "img" and root.get("class") == "chart"
    assert root.get("width") is None and root.get("height") is None  # the viewBox alone, so CSS can scale it
    x, y, width, height = map(float, root.get("viewBox").split())
    assert (x, y) == (0, 0) and 600 <= width <= 700 and (280 <= height <= 420 or "empty" in chart.svg)
    title_id, desc_id = root.get("aria-labelledby").split()
    assert root.find(SVG + "title").get("id") == title_id and root.find(SVG + "desc").get("id") == desc_id
    assert root.find(SVG + "desc").text.strip()
    ids = [el.get("id") for el in root.iter() if el.get("id")]
    assert len(ids) == len(set(ids))
    assert not list(root.iter(SVG + "style")) and not list(root.iter(SVG + "script"))
    assert all(el.get("style") is None for el in root.iter())
    assert float(root.get("font-size")) >= 16
    assert all(float(el.get("font-size", FONT)) >= 16 for el in root.iter(SVG + "text"))


def test_ids_differ_between_charts_and_output_is_deterministic():
    first, second = parse(trajectory()), parse(trajectory(title="Renewable energy"))
    assert first.get("aria-labelledby") != second.get("aria-labelledby")
    assert {el.get("id") for el in first.iter() if el.get("id")}.isdisjoint(
        {el.get("id") for el in second.iter() if el.get("id")})
    assert str(trajectory().svg) == str(trajectory().svg)


def test_user_text_is_escaped():
    hostile = '<script>alert("x")</script> & "quotes"'
    chart = trajectory(title=hostile, unit="<b>t</b>")
    assert "<script" not in chart.svg and "<b>" not in chart.svg
    root = parse(chart)
    assert root.find(SVG + "title").text == hostile
    assert "<b>t</b>" in root.find(SVG + "desc").text
    assert chart.table.caption == hostile and not isinstance(chart.table.caption, SafeString)  # templates escape it
    comparison = comparison_chart(title="C", unit="t", lines=[Line(hostile, VALUES)])
    assert "<script" not in comparison.svg
    # Status keys come from code, but they end up in attributes: a quote must not end one.
    key = 'x" onload="alert(1)'
    root = parse(status_chart(title="T", days=[date(2025, 1, 31)], counts={key: [1]}, labels={}))
    assert not [el for el in root.iter() if el.get("onload")]
    assert {band.get("data-status") for band in elements(root, "rect", "band")} == {key}
    status = status_chart(**STATUS | {"labels": {"planned": hostile}})
    assert "<script" not in status.svg
    assert hostile in [el.text for el in parse(status).iter(SVG + "text")]


# --- trajectory ------------------------------------------------------------------------------------------------------

def test_trajectory_draws_measured_values_left_to_right_and_higher_values_higher():
    root = parse(trajectory())
    markers = elements(root, "circle", "measured")
    assert [m.get("data-date") for m in markers] == ["2024-09-01", "2025-01-31", "2025-04-30"]
    xs = [float(m.get("cx")) for m in markers]
    assert xs == sorted(xs) and len(set(xs)) == 3
    ys = [float(m.get("cy")) for m in markers]  # 0 < 300 < 462
    assert ys[0] > ys[1] > ys[2]
    (line,) = elements(root, "polyline", "series")
    assert len(line.get("points").split()) == 3


def test_baseline_and_goals_have_their_own_shapes_and_dashed_paths():
    undated = Point(None, Decimal("450"))
    root = parse(trajectory(goals=[GOAL, Point(date(2030, 12, 31), Decimal("600")), undated]))
    (baseline,) = elements(root, "rect", "baseline")
    goals = elements(root, "path", "goal")
    assert [goal.get("data-date") for goal in goals] == ["2026-12-31", "2030-12-31"]
    assert not elements(root, "circle", "goal") and not elements(root, "circle", "baseline")
    paths = elements(root, "line", "path-to-goal")
    assert len(paths) == 2 and all(path.get("stroke-dasharray") for path in paths)
    # Each path starts at the baseline.
    assert {float(path.get("y1")) for path in paths} == {centre_y(baseline)}
    (target,) = elements(root, "line", "target")
    assert target.get("y1") == target.get("y2") and target.get("stroke-dasharray")
    # 450 is above 400 on the chart.
    assert float(target.get("y1")) < float(paths[0].get("y2"))


def test_path_to_goal_starts_at_first_value_without_baseline():
    root = parse(trajectory(baseline=None))
    (path,) = elements(root, "line", "path-to-goal")
    first = elements(root, "circle", "measured")[0]
    assert (path.get("x1"), path.get("y1")) == (first.get("cx"), first.get("cy"))


def test_trajectory_desc_summarises_in_words():
    desc = parse(trajectory()).find(SVG + "desc").text
    assert "From 0 t on 1 September 2024 to 462 t on 30 April 2025." in desc
    assert "Baseline: 50 t on 1 June 2024." in desc
    assert "Goal: 400 t by 31 December 2026." in desc
    assert "Higher values are better." in desc
    assert "Lower values are better." in parse(trajectory(higher_is_better=False)).find(SVG + "desc").text


def test_trajectory_table_lists_every_point_in_date_order():
    table = trajectory(goals=[GOAL, Point(None, 450)]).table
    assert table.caption == "CO₂ emissions"
    assert table.columns == ["Date", "Value (t)", "Kind"]
    assert table.rows == [
        ["1 June 2024", "50", "Baseline"],
        ["1 September 2024", "0", "Measured"],
        ["31 January 2025", "300", "Measured"],
        ["30 April 2025", "462", "Measured"],
        ["31 December 2026", "400", "Goal"],
        ["No date", "450", "Goal"],
    ]


def test_no_values_says_so():
    chart = trajectory(values=[], baseline=None, goals=[])
    root = parse(chart)
    assert "No values yet" in root.find(SVG + "desc").text
    assert "No values yet" in [el.text for el in root.iter(SVG + "text")]
    assert not elements(root, "circle") and chart.table.rows == []


def test_no_values_still_shows_baseline_and_goal():
    root = parse(trajectory(values=[]))
    assert "No values yet" in [el.text for el in root.iter(SVG + "text")]
    assert len(elements(root, "rect", "baseline")) == 1 and len(elements(root, "path", "goal")) == 1
    assert len(elements(root, "line", "path-to-goal")) == 1


@pytest.mark.parametrize("values", [
    pytest.param([Point(date(2025, 5, 1), 7.5)], id="single"),
    pytest.param([Point(date(2025, m, 1), 12) for m in (1, 2, 3)], id="all-equal"),
    pytest.param([Point(date(2025, m, 1), 0) for m in (1, 2, 3)], id="all-zero"),
    pytest.param([Point(date(2025, 1, 1), 3), Point(date(2025, 1, 1), 5)], id="same-day"),
])
def test_degenerate_series_are_drawn(values):
    root = parse(trajectory(values=values, baseline=None, goals=[]))
    markers = elements(root, "circle", "measured")
    assert len(markers) == len(values)
    assert all(0 < float(m.get("cx")) < 640 and 0 < float(m.get("cy")) < 320 for m in markers)
    labels = ticks(root, axis="y")
    assert "0" in labels and 3 <= len(labels) <= 6
    assert ticks(root, axis="x")


def test_negative_values_go_below_zero():
    values = [Point(date(2025, 1, 1), -30), Point(date(2025, 6, 1), 20)]
    root = parse(trajectory(values=values, baseline=None, goals=[]))
    # Two horizontal axis lines: zero, and the bottom of the plot below it.
    zero = min((el for el in elements(root, "line", "axis") if el.get("y1") == el.get("y2")),
               key=lambda el: float(el.get("y1")))
    low, high = (float(m.get("cy")) for m in elements(root, "circle", "measured"))
    assert high < float(zero.get("y1")) < low
    labels = ticks(root, axis="y")
    assert labels[0].startswith("-") and "0" in labels


def test_large_numbers_have_compact_ticks():
    values = [Point(date(2025, 1, 1), 250_000), Point(date(2025, 6, 1), 1_480_000)]
    labels = ticks(parse(trajectory(values=values, baseline=None, goals=[])), axis="y")
    assert labels == ["0", "0.5 M", "1 M", "1.5 M"]
    with translation.override("de"):
        labels = ticks(parse(trajectory(values=values, baseline=None, goals=[])), axis="y")
    assert labels == ["0", "0,5 Mio.", "1 Mio.", "1,5 Mio."]  # German says Mio.


def test_month_and_year_ticks_follow_the_language():
    values = [Point(date(2025, 4, 1), 1), Point(date(2025, 6, 30), 2)]
    english = ticks(parse(trajectory(values=values, baseline=None, goals=[])), axis="x")
    assert english == ["April 2025", "May 2025", "June 2025"]
    with translation.override("de"):
        german = ticks(parse(trajectory(values=values, baseline=None, goals=[])), axis="x")
    assert german == ["April 2025", "Mai 2025", "Juni 2025"]
    decade = [Point(date(2015, 3, 1), 1), Point(date(2025, 3, 1), 2)]
    years = ticks(parse(trajectory(values=decade, baseline=None, goals=[])), axis="x")
    assert years == [str(year) for year in range(2016, 2026)]
    two_decades = [Point(date(2005, 3, 1), 1), Point(date(2025, 3, 1), 2)]
    years = ticks(parse(trajectory(values=two_decades, baseline=None, goals=[])), axis="x")
    assert years == [str(year) for year in range(2006, 2026, 2)]


def test_date_tick_labels_do_not_overlap():
    for last in (date(2025, 3, 1), date(2025, 9, 1), date(2026, 6, 1), date(2028, 1, 1), date(2060, 1, 1)):
        values = [Point(date(2024, 11, 15), 1), Point(last, 2)]
        root = parse(trajectory(values=values, baseline=None, goals=[]))
        labels = [el for el in elements(root, "text", "tick") if el.get("data-date")]
        assert labels
        for a, b in zip(labels, labels[1:], strict=False):
            assert float(b.get("x")) - float(a.get("x")) >= (len(a.text) + len(b.text)) / 2 * 0.5 * FONT


# --- numbers ---------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("low", "high", "expected"), [
    (0, 462, ["0", "100", "200", "300", "400", "500"]),
    (0, 1, ["0", "0.2", "0.4", "0.6", "0.8", "1"]),
    (-30, 20, ["-30", "-20", "-10", "0", "10", "20"]),
    (0, 0.3, ["0", "0.1", "0.2", "0.3"]),
    (0, 7, ["0", "2", "4", "6", "8"]),
    (0, 11, ["0", "2.5", "5", "7.5", "10", "12.5"]),
])
def test_nice_ticks(low, high, expected):
    assert [format_number(tick) for tick in nice_ticks(low, high)] == expected


def test_nice_ticks_cover_the_range_with_three_to_six_round_steps():
    for high in [0.003, 0.7, 1, 3, 9.99, 17, 42, 99, 101, 250, 999, 1234, 50_000, 7.5e9]:
        for low in (0, -high / 3):
            found = nice_ticks(low, high)
            assert 3 <= len(found) <= 6 and found[0] <= Decimal(str(low)) and found[-1] >= Decimal(str(high))
            step = found[1] - found[0]
            assert step.normalize().as_tuple().digits in ((1,), (2,), (2, 5), (5,))
            assert all(b - a == step for a, b in zip(found, found[1:], strict=False))


def test_integer_ticks_have_no_fractions():
    assert nice_ticks(0, 2, integer=True) == [0, 1, 2]
    assert all(tick == int(tick) for tick in nice_ticks(0, 7, integer=True))


def test_numbers_are_localised_and_compact():
    assert format_number(Decimal("1234567.50")) == "1,234,567.5"
    assert format_number(0.1 + 0.2) == "0.3"
    assert format_number(-0.0001) == "0"
    assert compact_number(1_500_000) == "1.5 M"
    assert compact_number(2_340_000_000) == "2.3 bn"
    assert compact_number(1500) == "1,500"
    with translation.override("de"):
        assert format_number(Decimal("1234567.5")) == "1.234.567,5"
        assert compact_number(1_500_000) == "1,5 Mio."


# --- status ----------------------------------------------------------------------------------------------------------

def test_status_chart_stacks_one_band_per_nonzero_count():
    root = parse(status_chart(**STATUS))
    bars = elements(root, "g", "bar")
    assert [bar.get("data-date") for bar in bars] == ["2025-01-31", "2025-02-28", "2025-03-31"]
    bands = [[band.get("data-status") for band in bar if "band" in band.get("class", "")] for bar in bars]
    assert bands == [["planned", "delayed"], ["planned", "in_progress", "delayed"],
                     ["planned", "in_progress", "completed", "cancelled"]]
    # Stacked: each band starts where the one below it ends, and height is proportional to the count.
    first = [band for band in bars[0] if "band" in band.get("class", "")]
    planned, delayed = first
    assert float(delayed.get("y")) + float(delayed.get("height")) == pytest.approx(float(planned.get("y")))
    assert float(planned.get("height")) == pytest.approx(4 * float(delayed.get("height")))
    xs = [float(next(iter(bar)).get("x")) for bar in bars]
    assert xs == sorted(xs)


def test_statuses_differ_by_more_than_colour():
    root = parse(status_chart(**STATUS))
    patterns = {pattern.get("id") for pattern in root.iter(SVG + "pattern")}
    textures = {}
    for bar in elements(root, "g", "bar"):
        children = list(bar)
        for band, following in zip(children, children[1:] + [None], strict=True):
            if "band" in band.get("class", "").split():
                is_texture = following is not None and "texture" in following.get("class", "")
                textures[band.get("data-status")] = following.get("fill") if is_texture else None
    assert len(set(textures.values())) == len(textures) == 5  # four textures and one plain
    assert {fill[len("url(#"):-1] for fill in textures.values() if fill} <= patterns
    assert {band.get("class").split()[-1] for band in elements(root, "rect", "band")} == {
        f"status-{key}" for key in STATUS["counts"]}


def test_status_legend_names_every_status():
    root = parse(status_chart(**STATUS))
    (legend,) = elements(root, "g", "legend")
    assert [el.text for el in legend.iter(SVG + "text")] == list(STATUS["labels"].values())
    assert len(elements(legend, "rect", "band")) == 5


def test_status_table_and_desc():
    chart = status_chart(**STATUS)
    assert chart.table.columns == ["Date", "Planned", "In progress", "Completed", "Delayed", "Cancelled"]
    assert chart.table.rows[0] == ["31 January 2025", "4", "0", "0", "1", "0"]
    assert len(chart.table.rows) == 3
    desc = parse(chart).find(SVG + "desc").text
    assert "31 January 2025" in desc and "On 31 March 2025: 1 Planned, 2 In progress, 1 Completed" in desc


def test_status_chart_edge_cases():
    empty = status_chart(**STATUS | {"days": [], "counts": {key: [] for key in STATUS["counts"]}})
    assert "No values yet" in parse(empty).find(SVG + "desc").text
    zeros = parse(status_chart(**STATUS | {"counts": {"planned": [0, 0, 0]}}))
    assert [len(bar) for bar in elements(zeros, "g", "bar")] == [0, 0, 0]
    with pytest.raises(ValueError):
        status_chart(**STATUS | {"counts": {"planned": [1, 2]}})
    many = [date(2020 + i // 12, i % 12 + 1, 28) for i in range(60)]
    root = parse(status_chart(title="Five years", days=many, counts={"planned": list(range(60))}, labels={}))
    assert len(elements(root, "g", "bar")) == 60
    labels = ticks(root, axis="x")
    assert 2 <= len(labels) <= 6 and labels[-1] == "December 2024"


def test_status_months_in_german():
    with translation.override("de"):
        chart = status_chart(**STATUS | {"labels": {"planned": "Geplant"}})
    assert "März 2025" in ticks(parse(chart), axis="x")
    assert chart.table.rows[2][0] == "31. März 2025"


# --- comparison ------------------------------------------------------------------------------------------------------

CITIES = [
    Line("Cologne", [Point(date(2023, 1, 1), 10), Point(date(2025, 1, 1), 40)], highlighted=True),
    Line("Bonn", [Point(date(2023, 6, 1), 12), Point(date(2025, 1, 1), 40)]),
    Line("Aachen", [Point(date(2024, 1, 1), 20), Point(date(2025, 1, 1), 41)]),
    Line("Düren", []),
]


def test_comparison_draws_one_line_per_city_with_the_highlighted_on_top():
    root = parse(comparison_chart(title="Emissions", unit="t", lines=CITIES))
    lines = elements(root, "polyline", "line")
    assert len(lines) == 3
    assert "highlighted" in lines[-1].get("class") and all("muted" in line.get("class") for line in lines[:-1])
    assert float(lines[-1].get("stroke-width")) > float(lines[0].get("stroke-width"))
    labels = elements(root, "text", "line-label")
    assert [label.text for label in labels] == ["Bonn", "Aachen", "Cologne"]


def test_comparison_labels_sit_at_the_last_point_and_do_not_collide():
    root = parse(comparison_chart(title="Emissions", unit="t", lines=CITIES))
    ends = elements(root, "circle", "end")
    labels = elements(root, "text", "line-label")
    for end, label in zip(ends, labels, strict=True):
        assert float(label.get("x")) > float(end.get("cx"))
        assert abs(float(label.get("y")) - float(end.get("cy"))) < 3 * FONT
    ys = sorted(float(label.get("y")) for label in labels)
    assert all(b - a >= FONT for a, b in zip(ys, ys[1:], strict=False))


def test_comparison_labels_stay_put_when_they_do_not_share_space():
    apart = [Line("Early", [Point(date(2020, 1, 1), 40)]), Line("Late", [Point(date(2025, 1, 1), 40)])]
    root = parse(comparison_chart(title="T", unit="", lines=apart))
    assert len({label.get("y") for label in elements(root, "text", "line-label")}) == 1


def test_spread_keeps_order_gap_and_bounds():
    assert _spread([0, 0, 0], 10, 0, 100) == [0, 10, 20]
    assert _spread([100, 100], 10, 0, 100) == [90, 100]
    assert _spread([50, 20, 52], 10, 0, 100) == [50, 20, 60]  # the lower one moves
    assert _spread([5, 5, 5], 10, 0, 15) == [-5, 5, 15]  # no room: the gap wins over the bounds


def test_comparison_table_and_edge_cases():
    chart = comparison_chart(title="Emissions", unit="t", lines=CITIES)
    assert chart.table.columns == ["City", "Latest date", "Latest value (t)"]
    assert chart.table.rows == [["Cologne", "1 January 2025", "40"], ["Bonn", "1 January 2025", "40"],
                                ["Aachen", "1 January 2025", "41"], ["Düren", "—", "—"]]
    assert "Cologne: 40 t on 1 January 2025" in parse(chart).find(SVG + "desc").text
    empty = comparison_chart(title="Nothing", unit="t", lines=[Line("Düren", [])])
    assert "No values yet" in parse(empty).find(SVG + "desc").text
    single = parse(comparison_chart(title="One", unit="t", lines=[Line("Bonn", [Point(date(2025, 1, 1), -5)])]))
    assert len(elements(single, "circle", "end")) == 1 and not elements(single, "polyline")
    long = "Reggio nell'Emilia, Municipality of the Province"
    root = parse(comparison_chart(title="Long", unit="t", lines=[Line(long, VALUES)]))
    (label,) = elements(root, "text", "line-label")
    assert label.text.endswith("…") and float(label.get("x")) + len(label.text) * 0.58 * FONT <= 640
