"""From plan records to the charts readers see: which points, which months, which cities, per how many people."""

import calendar
from datetime import date
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from plans import charts
from plans.models import ActionStatus, CommonIndicator, Direction, Indicator
from plans.progress import status_over_time

MAX_MONTHS = 36  # a plan's history chart shows at most three years: more bars would not fit a phone


def indicator_chart(indicator: Indicator) -> charts.Chart:
    baseline = None
    if indicator.baseline_value is not None:
        baseline = charts.Point(indicator.baseline_date, indicator.baseline_value)
    return charts.trajectory_chart(
        title=indicator.name,
        unit=indicator.unit,
        values=[charts.Point(value.date, value.value) for value in indicator.series()],
        baseline=baseline if baseline and baseline.date else None,
        goals=[charts.Point(goal.date, goal.value) for goal in indicator.goals.all()],
        higher_is_better=indicator.direction == Direction.INCREASE,
    )


def month_ends(first: date, last: date) -> list[date]:
    """The last day of every month from ``first``'s month to ``last``'s, at most ``MAX_MONTHS`` (the latest)."""
    months = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append(date(year, month, calendar.monthrange(year, month)[1]))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months[-MAX_MONTHS:]


def plan_history_chart(plan) -> charts.Chart | None:
    """Actions per status at the end of each month since the plan was adopted (or its first action started)."""
    actions = list(plan.actions.all())
    starts = [day for action in actions for day in (action.actual_start, action.planned_start) if day]
    first = plan.adopted_on or min(starts, default=None)
    today = timezone.localdate()
    if not actions or first is None or first > today:
        return None
    days = month_ends(first, today)
    days[-1] = min(days[-1], today)
    return charts.status_chart(
        title=_("Actions by status, month by month"),
        days=days,
        counts=status_over_time(plan, days),
        labels=dict(ActionStatus.choices),
    )


def per_thousand(value: Decimal, population: int | None) -> Decimal | None:
    if not population:
        return None
    return value / (Decimal(population) / 1000)


def network_chart(common: CommonIndicator, highlight: str | None = None) -> tuple[charts.Chart, list[dict]]:
    """One line per city reporting ``common`` in a published plan, per 1,000 inhabitants when it says so.

    Returns the chart and, per city, what the page lists: the city, its plan, population and latest value.
    Cities without a known population cannot be normalised and are listed but not drawn.
    """
    from kb.models import ActionPlanPage

    plans = ActionPlanPage.objects.published().filter(indicators__common=common).distinct().with_city()
    lines, cities = [], []
    for plan in plans:
        city = plan.city
        for indicator in plan.indicators.filter(common=common).prefetch_related("values"):
            population = city.population if city else None
            points = []
            for value in indicator.series():
                shown = per_thousand(value.value, population) if common.per_inhabitants else value.value
                if shown is not None:
                    points.append(charts.Point(value.date, shown))
            label = city.title if city else plan.title
            latest = indicator.latest()
            cities.append({"city": city, "plan": plan, "indicator": indicator, "latest": latest, "drawn": bool(points)})
            if points:
                lines.append(charts.Line(label, points, highlighted=bool(city and city.slug == highlight)))
    unit = _("%(unit)s per 1,000 inhabitants") % {"unit": common.unit} if common.per_inhabitants else common.unit
    return charts.comparison_chart(title=common.name, unit=unit, lines=lines), cities
