"""The public pages of an action (under its plan's address)."""

from django.http import Http404
from django.template.response import TemplateResponse

from plans.progress import plan_progress


def action_page(request, plan, identifier):
    action = next((action for action in plan.actions.all() if action.identifier == identifier), None)
    if action is None:
        raise Http404("No such action in this plan")
    context = plan.get_context(request)
    context.update(action=action, progress=plan_progress(plan).of(action))
    return TemplateResponse(request, "plans/action_page.html", context)
