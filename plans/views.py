"""Public pages of the plan records: an action (under its plan's address) and the common indicators."""

from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse

from kb.models import ActionPlanPage
from plans.models import CommonIndicator
from plans.presentation import network_chart


def action_page(request, plan, identifier):
    context = plan.get_context(request)  # loads the plan's records once
    action = next((action for action in plan.actions.all() if action.identifier == identifier), None)
    if action is None:
        raise Http404("No such action in this plan")
    context.update(action=action, progress=context["progress"].of(action))
    return TemplateResponse(request, "plans/action_page.html", context)


def common_indicators(request):
    """The network's common indicators, with how many cities report each."""
    reported = Q(indicators__plan__in=ActionPlanPage.objects.published())
    cities = Count("indicators__plan", filter=reported, distinct=True)
    indicators = CommonIndicator.objects.annotate(cities=cities).order_by("name")  # GROUP BY drops Meta.ordering
    return TemplateResponse(request, "plans/common_indicators.html", {"indicators": indicators})


def common_indicator(request, slug):
    """One common indicator across the network; ``?city=<slug>`` draws that city's line on top."""
    common = get_object_or_404(CommonIndicator, slug=slug)
    highlight = request.GET.get("city", "")[:100]
    chart, cities = network_chart(common, highlight=highlight)
    context = {"common": common, "chart": chart, "cities": cities, "highlight": highlight}
    return TemplateResponse(request, "plans/common_indicator.html", context)
