"""Server-rendered, accessible SVG charts for Action Plan tracking.

Each chart is one ``<svg>`` element plus a :class:`Table` with the same data, for readers who cannot see the chart or
want the numbers. There is no JavaScript and nothing from a CDN. The SVG is sized by its ``viewBox`` only, so the
site's CSS (``.chart { width: 100%; height: auto }``) scales it down to a phone.

Colours are presentation attributes (defaults with at least 3:1 contrast on white) on elements that also carry CSS
classes, so the site stylesheet can restyle them. There is no ``style`` attribute and no ``<style>`` element, because
the CSP only allows stylesheets served by the site. Anything a user typed (titles, units, city names, status labels)
is escaped when the markup is built, in :func:`_tag`.
"""

import hashlib
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from itertools import pairwise

from django.utils.formats import date_format, number_format
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


@dataclass(frozen=True)
class Point:
    date: date | None  # None only for a goal with no deadline
    value: Decimal | float


@dataclass(frozen=True)
class Line:
    label: str  # e.g. "Cologne"
    values: list[Point]
    highlighted: bool = False  # the city being looked at: drawn thicker and darker; the others are muted


@dataclass(frozen=True)
class Table:
    caption: str
    columns: list[str]  # header cells
    rows: list[list[str]]  # cells already formatted for the active language


@dataclass(frozen=True)
class Chart:
    svg: SafeString  # a complete <svg> element
    table: Table  # the same data as a table alternative


# --- geometry and look -----------------------------------------------------------------------------------------------

WIDTH, HEIGHT = 640, 320  # viewBox units
FONT = 18  # on a 360 px wide phone the chart is drawn at ~0.56 scale, and 18 units come out at ~10 px
CHAR = 0.58 * FONT  # rough average glyph width; used to keep labels from overlapping (no font metrics on the server)
PAD = 10
TOP = FONT + 2 * PAD  # room above the plot for the unit
BOTTOM = FONT + 2 * PAD  # room below the plot for the date labels
SVG_NS = "http://www.w3.org/2000/svg"

INK = "#1f2937"  # text and axes
GRID = "#d1d5db"  # gridlines are only a reading aid, so they may be faint
SERIES = "#1d4ed8"
BASELINE = "#4b5563"
GOAL = "#b45309"
MUTED = "#6b7280"
STATUS_COLOURS = {
    "planned": "#6b7280",
    "in_progress": "#1d4ed8",
    "completed": "#15803d",
    "delayed": "#b45309",
    "cancelled": "#7f1d1d",
}
OTHER_COLOURS = ["#6d28d9", "#0f766e", "#be185d"]  # for status keys this module does not know

# A white texture drawn over each status colour, so statuses can be told apart without seeing colour (and in print).
# It is a separate overlay so a stylesheet can recolour `.status-…` without losing the texture.
TEXTURES = {
    "dots": '<circle cx="4" cy="4" r="1.6" fill="#fff"/>',
    "diagonal": '<path d="M-2,2 l4,-4 M0,8 l8,-8 M6,10 l4,-4" stroke="#fff" stroke-width="2"/>',
    "cross": '<path d="M-2,2 l4,-4 M0,8 l8,-8 M6,10 l4,-4 M-2,6 l4,4 M0,0 l8,8 M6,-2 l4,4" stroke="#fff"/>',
    "horizontal": '<path d="M0,4 h8" stroke="#fff" stroke-width="2"/>',
    "vertical": '<path d="M4,0 v8" stroke="#fff" stroke-width="2"/>',
}
STATUS_TEXTURES = {"planned": "dots", "in_progress": "diagonal", "completed": None, "delayed": "cross",
                   "cancelled": "horizontal"}
OTHER_TEXTURES = ["vertical", "dots", "diagonal"]


# --- numbers ---------------------------------------------------------------------------------------------------------

def _decimal(value) -> Decimal:
    # Through str() so that 0.1 becomes Decimal("0.1"), not the float's 55 binary digits.
    return value if isinstance(value, Decimal) else Decimal(str(value))


def format_number(value, max_places: int = 3) -> str:
    """``value`` as the active language writes numbers (1,234.5 / 1.234,5), without trailing zeros."""
    number = _decimal(value)
    if number.as_tuple().exponent < -max_places:
        number = number.quantize(Decimal(1).scaleb(-max_places))  # number_format would truncate, not round
    number = number.normalize()
    if number == 0:
        number = Decimal(0)  # not "-0"
    places = max(0, -number.as_tuple().exponent)
    return number_format(number, decimal_pos=places, use_l10n=True, force_grouping=True)


SCALES = [  # largest first: a number takes the first scale it reaches
    (Decimal(10**9), gettext_lazy("%(number)s bn")),
    (Decimal(10**6), gettext_lazy("%(number)s M")),
    (Decimal(10**3), gettext_lazy("%(number)s k")),
]


def _scale(biggest: Decimal):
    # Below 10,000 the plain number is short enough for an axis label.
    if biggest < 10_000:
        return None
    return next((size, template) for size, template in SCALES if biggest >= size)


def compact_number(value, max_places: int = 1) -> str:
    """A large number in few characters (1.5 M, 1,5 M in German) for labels where space is short."""
    number = _decimal(value)
    scale = _scale(abs(number))
    if scale is None:
        return format_number(number, max_places)
    size, template = scale
    return str(template) % {"number": format_number(number / size, max_places)}


def nice_ticks(low: float, high: float, *, integer: bool = False, most: int = 5) -> list[Decimal]:
    """Evenly spaced ticks covering ``low``–``high`` in steps of 1, 2, 2.5 or 5 × 10ⁿ, at most ``most`` intervals.

    Decimals keep the ticks exact (0.3, not 0.30000000000000004); ``integer`` is for counts, which have no 0.5.
    """
    if high <= low:
        low, high = (low - 1, high + 1) if low else (0, 1)  # one value, or all equal: give the line room
    exponent = math.floor(math.log10((high - low) / most))
    for power in (exponent, exponent + 1):
        for mantissa in ("1", "2", "2.5", "5"):
            step = Decimal(mantissa).scaleb(power)
            if integer and (step < 1 or step != step.to_integral_value()):
                continue
            first, last = math.floor(_decimal(low) / step), math.ceil(_decimal(high) / step)
            if last - first <= most:
                return [step * k for k in range(first, last + 1)]
    raise AssertionError("unreachable: ten times the step always fits")


def _tick_labels(ticks: list[Decimal]) -> list[str]:
    # One scale for the whole axis, so it does not read "5,000 / 10 k".
    scale = _scale(max(abs(tick) for tick in ticks))
    if scale is None:
        return [format_number(tick) for tick in ticks]
    size, template = scale
    return [str(template) % {"number": format_number(tick / size)} if tick else "0" for tick in ticks]


def _quantity(value, unit: str) -> str:
    return f"{format_number(value)} {unit}".strip()


def _long_date(day: date) -> str:
    return date_format(day, "DATE_FORMAT")


def _width(text: str) -> float:
    return len(text) * CHAR


# --- markup ----------------------------------------------------------------------------------------------------------

def _tag(name: str, *children, **attributes) -> SafeString:
    """One element. Attribute values and text children are escaped here; markup from ``_tag`` is kept as it is.

    ``class_`` becomes ``class`` and ``stroke_width`` becomes ``stroke-width``; None leaves the attribute out.
    """
    parts = [name]
    for key, value in attributes.items():
        if value is None:
            continue
        if isinstance(value, float):
            value = f"{value:.1f}".removesuffix(".0")  # fixed point, never localised: this is SVG syntax
        parts.append(f'{key.rstrip("_").replace("_", "-")}="{escape(value)}"')
    start = " ".join(parts)
    if not children:
        return mark_safe(f"<{start}/>")
    inner = "".join(conditional_escape(child) for child in children)
    return mark_safe(f"<{start}>{inner}</{name}>")


def _chart_id(*data) -> str:
    # A hash rather than a counter keeps the output deterministic (and cacheable); two charts of different data on a
    # page get different ids. The same chart twice on one page would share ids.
    return "chart-" + hashlib.sha1(repr(data).encode()).hexdigest()[:10]


def _svg(chart_id: str, title: str, desc: str, body: list[str], height: float = HEIGHT) -> SafeString:
    return _tag(
        "svg",
        _tag("title", title, id=f"{chart_id}-title"),
        _tag("desc", desc, id=f"{chart_id}-desc"),
        *body,
        xmlns=SVG_NS,
        role="img",
        aria_labelledby=f"{chart_id}-title {chart_id}-desc",
        viewBox=f"0 0 {WIDTH} {height:.0f}",
        class_="chart",
        font_family="system-ui, sans-serif",
        font_size=FONT,
        fill=INK,
    )


def _no_values(chart_id: str, title: str, desc: str) -> SafeString:
    # A short strip rather than an empty 640 × 320 box, which would fill a phone's screen with nothing.
    height = 3 * FONT
    return _svg(chart_id, title, desc, [_no_values_text(WIDTH / 2, height / 2 + FONT * 0.35)], height=height)


def _no_values_text(x: float, y: float) -> SafeString:
    return _tag("text", _("No values yet"), x=x, y=y, text_anchor="middle", class_="empty")


@dataclass(frozen=True)
class _Plot:
    """The plot area in viewBox units, and the y axis that maps values onto it."""

    left: float
    right: float
    top: float
    bottom: float
    ticks: list[Decimal]

    def y(self, value) -> float:
        low, high = float(self.ticks[0]), float(self.ticks[-1])
        return self.bottom - (float(value) - low) / (high - low) * (self.bottom - self.top)

    def y_axis(self, unit: str) -> list[SafeString]:
        body = [_tag("text", unit, x=PAD, y=FONT + 2.0, class_="unit")] if unit else []
        for tick, label in zip(self.ticks, _tick_labels(self.ticks), strict=True):
            y = self.y(tick)
            # Zero is the reference readers compare against, so its line is as dark as the axis.
            is_zero = tick == 0 and tick != self.ticks[0]
            body.append(_tag("line", x1=self.left, x2=self.right, y1=y, y2=y, class_="axis" if is_zero else "grid",
                             stroke=INK if is_zero else GRID))
            body.append(_tag("text", label, x=self.left - PAD, y=y + FONT * 0.35, text_anchor="end", class_="tick"))
        body.append(_tag("line", x1=self.left, x2=self.right, y1=self.bottom, y2=self.bottom, class_="axis",
                         stroke=INK))
        return body


def _plot(values, *, right: float = PAD * 2, integer: bool = False) -> _Plot:
    # The range always includes zero: a chart that starts at 400 makes 462 look five times as big.
    numbers = [float(value) for value in values]
    ticks = nice_ticks(min([0.0, *numbers]), max([0.0, *numbers]), integer=integer)
    left = max(_width(label) for label in _tick_labels(ticks)) + 2 * PAD
    return _Plot(left=left, right=WIDTH - right, top=TOP, bottom=HEIGHT - BOTTOM, ticks=ticks)


def _time_scale(plot: _Plot, first: date, last: date) -> Callable[[date], float]:
    span = last.toordinal() - first.toordinal()
    if not span:  # a single day sits in the middle
        return lambda day: (plot.left + plot.right) / 2
    return lambda day: plot.left + (day.toordinal() - first.toordinal()) / span * (plot.right - plot.left)


def _month_starts(first: date, last: date):
    year, month = first.year, first.month
    while (day := date(year, month, 1)) <= last:
        if day >= first:
            yield day
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def _fits(positions: list[tuple[float, str]]) -> bool:
    return all(b[0] - a[0] >= (_width(a[1]) + _width(b[1])) / 2 + PAD for a, b in pairwise(positions))


def _date_axis(plot: _Plot, first: date, last: date, x: Callable[[date], float]) -> list[SafeString]:
    """Ticks on month starts (every 1, 2, 3 or 6 months) or on years, the densest whose labels do not overlap."""
    candidates = []
    for step in (1, 2, 3, 6):
        days = [day for day in _month_starts(first, last) if (day.month - 1) % step == 0]
        candidates.append([(day, date_format(day, "YEAR_MONTH_FORMAT")) for day in days])
    for step in (1, 2, 5, 10, 20, 50, 100):
        days = [date(year, 1, 1) for year in range(first.year, last.year + 1) if year % step == 0]
        candidates.append([(day, date_format(day, "Y")) for day in days if first <= day <= last])
    fitting = [ticks for ticks in candidates if _fits([(x(day), label) for day, label in ticks])]
    # Two labels say which way time runs; one is better than none; a span inside one month gets that month.
    ticks = next((t for t in fitting if len(t) >= 2), None) or next((t for t in fitting if t), None)
    ticks = ticks or [(first, date_format(first, "YEAR_MONTH_FORMAT"))]
    body = []
    for day, label in ticks:
        at = x(day)
        half = _width(label) / 2
        body.append(_tag("line", x1=at, x2=at, y1=plot.bottom, y2=plot.bottom + 6, class_="axis", stroke=INK))
        body.append(_tag("text", label, x=min(max(at, half + 2), WIDTH - half - 2), y=plot.bottom + PAD + FONT,
                         text_anchor="middle", class_="tick", data_date=day.isoformat()))
    return body


# --- one indicator over time -----------------------------------------------------------------------------------------

def _diamond(x: float, y: float, r: float = 8) -> str:
    return f"M{x:.1f},{y - r:.1f} L{x + r:.1f},{y:.1f} L{x:.1f},{y + r:.1f} L{x - r:.1f},{y:.1f} Z"


def _trajectory_desc(unit, values, baseline, dated_goals, target_goals, higher_is_better) -> str:
    if not values:
        sentences = [_("No values yet.")]
    elif len(values) == 1:
        sentences = [_("One value: %(value)s on %(date)s.")
                     % {"value": _quantity(values[0].value, unit), "date": _long_date(values[0].date)}]
    else:
        first, last = values[0], values[-1]
        sentences = [_("From %(first)s on %(first_date)s to %(last)s on %(last_date)s.") % {
            "first": _quantity(first.value, unit), "first_date": _long_date(first.date),
            "last": _quantity(last.value, unit), "last_date": _long_date(last.date)}]
    if baseline is not None:
        sentences.append(_("Baseline: %(value)s on %(date)s.")
                         % {"value": _quantity(baseline.value, unit), "date": _long_date(baseline.date)})
    for goal in dated_goals:
        sentences.append(_("Goal: %(value)s by %(date)s.")
                         % {"value": _quantity(goal.value, unit), "date": _long_date(goal.date)})
    for goal in target_goals:
        sentences.append(_("Goal: %(value)s.") % {"value": _quantity(goal.value, unit)})
    sentences.append(_("Higher values are better.") if higher_is_better else _("Lower values are better."))
    return " ".join(sentences)


def _trajectory_table(title, unit, values, baseline, dated_goals, target_goals) -> Table:
    # On the same day: baseline, then measured, then goal.
    kinds = [(_("Baseline"), [baseline] if baseline else []), (_("Measured"), values), (_("Goal"), dated_goals)]
    dated = sorted(((point.date, order, kind, point) for order, (kind, points) in enumerate(kinds) for point in points),
                   key=lambda row: row[:2])
    rows = [[_long_date(day), format_number(point.value), kind] for day, _order, kind, point in dated]
    rows += [[_("No date"), format_number(goal.value), _("Goal")] for goal in target_goals]
    value = _("Value (%(unit)s)") % {"unit": unit} if unit else _("Value")
    return Table(caption=title, columns=[_("Date"), value, _("Kind")], rows=rows)


def trajectory_chart(*, title: str, unit: str, values: list[Point], baseline: Point | None = None,
                     goals: Sequence[Point] = (), higher_is_better: bool = True) -> Chart:
    """One indicator over time: measured values, the baseline, and each goal with a dashed path to it."""
    title, unit = str(title), str(unit)
    values = sorted(values, key=lambda point: point.date)
    dated_goals = sorted((goal for goal in goals if goal.date is not None), key=lambda goal: goal.date)
    target_goals = [goal for goal in goals if goal.date is None]
    chart_id = _chart_id("trajectory", title, unit, values, baseline, list(goals), higher_is_better)
    desc = _trajectory_desc(unit, values, baseline, dated_goals, target_goals, higher_is_better)
    table = _trajectory_table(title, unit, values, baseline, dated_goals, target_goals)

    placed = values + ([baseline] if baseline else []) + dated_goals
    if not placed:  # without a date there is no time axis to draw even an undated goal against
        return Chart(_no_values(chart_id, title, desc), table)
    plot = _plot([point.value for point in placed + target_goals])
    first, last = min(point.date for point in placed), max(point.date for point in placed)
    x = _time_scale(plot, first, last)
    body = plot.y_axis(unit) + _date_axis(plot, first, last, x)

    # Lines first, markers on top of them.
    start = baseline or (values[0] if values else None)
    for goal in dated_goals if start else []:
        body.append(_tag("line", x1=x(start.date), y1=plot.y(start.value), x2=x(goal.date), y2=plot.y(goal.value),
                         class_="goal path-to-goal", stroke=GOAL, stroke_width=2, stroke_dasharray="6 4"))
    for goal in target_goals:
        y = plot.y(goal.value)
        label = _("Goal: %(value)s") % {"value": _quantity(goal.value, unit)}
        body.append(_tag("line", x1=plot.left, x2=plot.right, y1=y, y2=y, class_="goal target", stroke=GOAL,
                         stroke_width=2, stroke_dasharray="6 4"))
        body.append(_tag("text", label, x=plot.right, y=y - 6, text_anchor="end", class_="goal-label", fill=GOAL))
    if len(values) > 1:
        points = " ".join(f"{x(point.date):.1f},{plot.y(point.value):.1f}" for point in values)
        body.append(_tag("polyline", points=points, class_="series", fill="none", stroke=SERIES, stroke_width=3,
                         stroke_linejoin="round"))

    # Three shapes, not just three colours: filled circles, a hollow square, diamonds.
    for point in values:
        tip = _tag("title", f"{_quantity(point.value, unit)}, {_long_date(point.date)}")
        body.append(_tag("circle", tip, cx=x(point.date), cy=plot.y(point.value), r=5, class_="marker measured",
                         fill=SERIES, stroke="#fff", stroke_width=1.5, data_date=point.date.isoformat()))
    if baseline is not None:
        bx, by = x(baseline.date), plot.y(baseline.value)
        tip = _tag("title", _("Baseline: %(value)s on %(date)s.")
                   % {"value": _quantity(baseline.value, unit), "date": _long_date(baseline.date)})
        body.append(_tag("rect", tip, x=bx - 6, y=by - 6, width=12, height=12, class_="marker baseline", fill="#fff",
                         stroke=BASELINE, stroke_width=3, data_date=baseline.date.isoformat()))
    for goal in dated_goals:
        tip = _tag("title", _("Goal: %(value)s by %(date)s.")
                   % {"value": _quantity(goal.value, unit), "date": _long_date(goal.date)})
        body.append(_tag("path", tip, d=_diamond(x(goal.date), plot.y(goal.value)), class_="marker goal", fill=GOAL,
                         stroke="#fff", stroke_width=1.5, data_date=goal.date.isoformat()))
    if not values:
        body.append(_no_values_text((plot.left + plot.right) / 2, plot.top + FONT))
    return Chart(_svg(chart_id, title, desc, body), table)


# --- a plan's actions by status over time ----------------------------------------------------------------------------

def _looks(keys) -> dict[str, tuple[str, str, str | None]]:
    """Each status key: its CSS class, its default colour and its texture."""
    others, looks = 0, {}
    for key in keys:
        if key in STATUS_COLOURS:
            looks[key] = (STATUS_COLOURS[key], STATUS_TEXTURES[key])
        else:
            looks[key] = (OTHER_COLOURS[others % len(OTHER_COLOURS)], OTHER_TEXTURES[others % len(OTHER_TEXTURES)])
            others += 1
    # Keys come from code, but a class name must not break out of its attribute or into another class.
    return {key: ("status-" + re.sub(r"[^\w-]", "-", key), colour, texture) for key, (colour, texture) in looks.items()}


def _swatch(chart_id, key, look, x, y, width, height, tip=None) -> list[SafeString]:
    css, colour, texture = look
    children = [tip] if tip else []
    shapes = [_tag("rect", *children, x=x, y=y, width=width, height=height, class_=f"band {css}", fill=colour,
                   stroke="#fff", stroke_width=1, data_status=key)]
    if texture:
        shapes.append(_tag("rect", x=x, y=y, width=width, height=height, class_="texture",
                           fill=f"url(#{chart_id}-texture-{texture})"))
    return shapes


def status_chart(*, title: str, days: list[date], counts: dict[str, list[int]], labels: dict[str, str]) -> Chart:
    """Stacked bars, one per day, one band per status (bottom to top in the order of ``counts``), with a legend."""
    title = str(title)
    labels = {key: str(labels.get(key, key)) for key in counts}
    if any(len(column) != len(days) for column in counts.values()):
        raise ValueError("every status needs one count per day")
    order = sorted(range(len(days)), key=lambda i: days[i])
    days = [days[i] for i in order]
    counts = {key: [column[i] for i in order] for key, column in counts.items()}
    chart_id = _chart_id("status", title, days, counts, labels)
    table = Table(caption=title, columns=[_("Date"), *labels.values()],
                  rows=[[_long_date(day), *(format_number(counts[key][i]) for key in counts)]
                        for i, day in enumerate(days)])
    if not days:
        return Chart(_no_values(chart_id, title, _("No values yet.")), table)

    latest = ", ".join(_("%(count)s %(status)s") % {"count": format_number(column[-1]), "status": labels[key]}
                       for key, column in counts.items())
    desc = _("On %(date)s: %(counts)s.") % {"date": _long_date(days[-1]), "counts": latest}
    if len(days) > 1:
        desc = _("Actions by status on %(count)s dates from %(first)s to %(last)s.") % {
            "count": len(days), "first": _long_date(days[0]), "last": _long_date(days[-1])} + " " + desc

    totals = [sum(column[i] for column in counts.values()) for i in range(len(days))]
    plot = _plot(totals, integer=True)
    looks = _looks(counts)
    used = sorted({look[2] for look in looks.values() if look[2]})
    body = [_tag("defs", *(_tag("pattern", mark_safe(TEXTURES[name]), id=f"{chart_id}-texture-{name}",
                                patternUnits="userSpaceOnUse", width=8, height=8) for name in used))] if used else []
    body += plot.y_axis("")

    slot = (plot.right - plot.left) / len(days)
    width = max(slot * 0.7, 1.0)
    # Label every k-th bar, counting back from the latest, which is the one readers look for.
    widest = max(_width(date_format(day, "YEAR_MONTH_FORMAT")) for day in days)
    every = next((k for k in (1, 2, 3, 4, 6, 12, 24, 48) if k * slot >= widest + PAD), len(days))
    for i, day in enumerate(days):
        centre = plot.left + (i + 0.5) * slot
        top = plot.bottom
        bars = []
        for key, column in counts.items():
            if not column[i]:
                continue
            height = plot.bottom - plot.y(column[i])
            top -= height
            tip = _tag("title", f"{labels[key]}: {format_number(column[i])}, {_long_date(day)}")
            bars += _swatch(chart_id, key, looks[key], centre - width / 2, top, width, height, tip)
        body.append(_tag("g", *bars, class_="bar", data_date=day.isoformat()))
        if (len(days) - 1 - i) % every == 0:
            label = date_format(day, "YEAR_MONTH_FORMAT")
            half = _width(label) / 2
            body.append(_tag("text", label, x=min(max(centre, half + 2), WIDTH - half - 2),
                             y=plot.bottom + PAD + FONT, text_anchor="middle", class_="tick",
                             data_date=day.isoformat()))

    # The legend flows into as many rows as the labels need, below the plot; the viewBox grows to hold them.
    x, y, legend = PAD, HEIGHT, []
    for key in counts:
        item = FONT + 6 + _width(labels[key]) + 2 * PAD
        if x + item > WIDTH and x > PAD:
            x, y = PAD, y + FONT + PAD
        swatch = _swatch(chart_id, key, looks[key], x, y, FONT, FONT)
        legend.append(_tag("g", *swatch, _tag("text", labels[key], x=x + FONT + 6, y=y + FONT * 0.85),
                           class_="legend-item"))
        x += item
    body.append(_tag("g", *legend, class_="legend"))
    return Chart(_svg(chart_id, title, desc, body, height=y + FONT + PAD), table)


# --- one indicator across the network --------------------------------------------------------------------------------

def _spread(wanted: list[float], gap: float, low: float, high: float) -> list[float]:
    """Positions at least ``gap`` apart, in the same order: the lower of two close labels moves down.

    Simple rather than optimal (it does not centre a cluster on its points). Positions stay within ``low``–``high``
    when there is room; when there is not, the gap wins over the bounds.
    """
    order = sorted(range(len(wanted)), key=lambda i: wanted[i])
    placed = [wanted[i] for i in order]
    for n in range(len(placed)):  # push down from the top
        placed[n] = max(placed[n], low if n == 0 else placed[n - 1] + gap)
    for n in reversed(range(len(placed))):  # then back up from the bottom
        placed[n] = min(placed[n], high if n == len(placed) - 1 else placed[n + 1] - gap)
    result = [0.0] * len(wanted)
    for n, i in enumerate(order):
        result[i] = placed[n]
    return result


def _label_ys(labels: list[tuple[float, float, float]], low: float, high: float) -> list[float]:
    """Heights for labels given as (x, width, wanted y), nudged apart only where they would share some x."""
    result = [y for _x, _width, y in labels]
    by_x = sorted(range(len(labels)), key=lambda i: labels[i][0])
    clusters, reach = [], -math.inf
    for i in by_x:  # labels overlapping horizontally, directly or through each other, form a cluster
        x, width, _y = labels[i]
        if x >= reach:
            clusters.append([])
        clusters[-1].append(i)
        reach = max(reach, x + width) if x < reach else x + width
    for cluster in clusters:
        for i, y in zip(cluster, _spread([labels[i][2] for i in cluster], FONT + 2, low, high), strict=True):
            result[i] = y
    return result


def _short(label: str, most: int = 16) -> str:
    return label if len(label) <= most else label[: most - 1] + "…"


def comparison_chart(*, title: str, unit: str, lines: list[Line]) -> Chart:
    """One indicator in several cities: a line each, labelled at its last point, the highlighted one on top."""
    title, unit = str(title), str(unit)
    lines = [Line(str(line.label), sorted(line.values, key=lambda p: p.date), line.highlighted) for line in lines]
    chart_id = _chart_id("comparison", title, unit, lines)
    # One row per city with its latest value: cities report on different dates, so a column per date would be
    # mostly empty and far too wide for a phone, and the latest value is what the chart's labels point at. Each
    # city's full series is in the table of its own trajectory chart.
    value = _("Latest value (%(unit)s)") % {"unit": unit} if unit else _("Latest value")
    rows = [[line.label, _long_date(line.values[-1].date), format_number(line.values[-1].value)] if line.values
            else [line.label, "—", "—"] for line in lines]
    table = Table(caption=title, columns=[_("City"), _("Latest date"), value], rows=rows)

    drawn = sorted((line for line in lines if line.values), key=lambda line: line.highlighted)  # highlighted last
    if not drawn:
        return Chart(_no_values(chart_id, title, _("No values yet.")), table)
    latest = "; ".join(_("%(city)s: %(value)s on %(date)s") % {
        "city": line.label, "value": _quantity(line.values[-1].value, unit), "date": _long_date(line.values[-1].date)}
        for line in lines if line.values)
    desc = _("Latest values: %(values)s.") % {"values": latest}
    highlighted = [line.label for line in lines if line.highlighted]
    if highlighted:
        desc += " " + _("Highlighted: %(cities)s.") % {"cities": ", ".join(highlighted)}

    names = [_short(line.label) for line in drawn]
    plot = _plot([point.value for line in drawn for point in line.values],
                 right=min(max(_width(name) for name in names), 200) + 2 * PAD)
    dates = [point.date for line in drawn for point in line.values]
    x = _time_scale(plot, min(dates), max(dates))
    body = plot.y_axis(unit) + _date_axis(plot, min(dates), max(dates), x)
    label_ys = _label_ys([(x(line.values[-1].date) + PAD, _width(name), plot.y(line.values[-1].value))
                          for line, name in zip(drawn, names, strict=True)], plot.top, plot.bottom)

    for line, name, label_y in zip(drawn, names, label_ys, strict=True):
        css = "highlighted" if line.highlighted else "muted"
        colour, width = (SERIES, 4) if line.highlighted else (MUTED, 2)
        end = line.values[-1]
        group = []
        if len(line.values) > 1:
            points = " ".join(f"{x(point.date):.1f},{plot.y(point.value):.1f}" for point in line.values)
            group.append(_tag("polyline", points=points, class_=f"line {css}", fill="none", stroke=colour,
                              stroke_width=width, stroke_linejoin="round"))
        tip = _tag("title", f"{line.label}: {_quantity(end.value, unit)}, {_long_date(end.date)}")
        group.append(_tag("circle", tip, cx=x(end.date), cy=plot.y(end.value), r=width + 1, class_=f"end {css}",
                          fill=colour, data_date=end.date.isoformat()))
        group.append(_tag("text", name, x=x(end.date) + PAD, y=label_y + FONT * 0.35, class_=f"line-label {css}",
                          fill=INK if line.highlighted else MUTED, font_weight="bold" if line.highlighted else None))
        body.append(_tag("g", *group, class_=f"city {css}"))
    return Chart(_svg(chart_id, title, desc, body), table)
