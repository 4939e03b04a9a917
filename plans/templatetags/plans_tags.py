from django import template

from plans import presentation, progress

register = template.Library()


@register.inclusion_tag("plans/includes/chart.html")
def indicator_chart(indicator):
    return {"chart": presentation.indicator_chart(indicator), "caption": indicator.name}


@register.inclusion_tag("plans/includes/chart.html")
def plan_history_chart(plan):
    chart = presentation.plan_history_chart(plan)
    return {"chart": chart, "caption": chart and chart.table.caption}


@register.simple_tag
def plan_progress(plan):
    """The plan's derived timeliness, for the places that show a plan without its page (cards, listings)."""
    return progress.plan_progress(plan)
