from django.contrib import messages as django_messages
from django.db.models import Q
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.models import WorkflowState

from kb.admin_views import (
    ActionPlanListing,
    ActionPlansReport,
    CityListing,
    LessonListing,
    ReportsIndex,
    ReviewDueReport,
    choose_page,
    editable_page_ids,
    markdown_preview,
)
from kb.editorial import can_publish_anywhere


class KnowledgeBaseGroup(ViewSetGroup):
    menu_label = _("Knowledge base")
    menu_icon = "folder-open-inverse"
    items = (CityListing, LessonListing, ActionPlanListing)


@hooks.register("register_admin_viewset")
def register_listings():
    return KnowledgeBaseGroup()


@hooks.register("register_admin_urls")
def register_report_urls():
    return [
        path("reports/", ReportsIndex.as_view(), name="kb_reports"),
        path("kb/markdown-preview/", markdown_preview, name="kb_markdown_preview"),
        path("kb/choose-page/", choose_page, name="kb_choose_page"),
        path("kb/choose-page/<int:parent_page_id>/", choose_page, name="kb_choose_page_child"),
        path("reports/review-due/", ReviewDueReport.as_view(), name="kb_review_due"),
        path("reports/review-due/results/", ReviewDueReport.as_view(results_only=True), name="kb_review_due_results"),
        path("reports/action-plans/", ActionPlansReport.as_view(), name="kb_action_plans_report"),
        path(
            "reports/action-plans/results/",
            ActionPlansReport.as_view(results_only=True),
            name="kb_action_plans_report_results",
        ),
    ]


@hooks.register("register_reports_menu_item")
def review_due_menu_item():
    return MenuItem(_("Due for review"), reverse("kb_review_due"), icon_name="time", order=700)


@hooks.register("register_reports_menu_item")
def action_plans_menu_item():
    return MenuItem(_("Action Plans per city"), reverse("kb_action_plans_report"), icon_name="tasks", order=710)


@hooks.register("construct_page_chooser_queryset")
def choosable_pages(pages, request):
    """A city editor chooses among published pages and their own city's pages: other cities' drafts stay private."""
    if can_publish_anywhere(request.user):
        return pages
    return pages.filter(Q(live=True) | Q(pk__in=editable_page_ids(request.user)))


def _by_name(menu_items, name: str):
    return next((item for item in menu_items if item.name == name), None)


@hooks.register("construct_page_action_menu")
def review_actions_first(menu_items, request, context):
    """Put the step that moves a page on as the footer's main button (Wagtail makes the first item the button).

    A city editor, who cannot publish, would otherwise find "Submit to Network review" inside the "Save draft"
    menu. A reviewer gets one approval (Wagtail offers it with and without a comment; the dialog's comment is
    optional), then "Request changes": no Publish beside them, since approving is what publishes.
    """
    approvals = [item for item in menu_items if item.name == "approve"]
    if approvals:
        approval = next((item for item in approvals if item.launch_modal), approvals[0])
        state = context["page"].current_workflow_state
        approval.label = _("Approve and publish") if state and state.is_at_final_task else _("Approve")
        first = [approval, _by_name(menu_items, "reject")]
        dropped = [*approvals, _by_name(menu_items, "action-publish")]
    elif _by_name(menu_items, "action-publish") is None:
        first, dropped = [_by_name(menu_items, "action-submit")], []
    else:
        return
    first = [item for item in first if item is not None]
    rest = [item for item in menu_items if item not in first and item not in dropped]
    menu_items[:] = first + rest


@hooks.register("before_edit_page")
def show_requested_changes(request, page):
    """Tell the author, on the page itself, what the reviewer asked for (Wagtail only emails the comment)."""
    state = page.current_workflow_state
    if request.method != "GET" or state is None or state.status != WorkflowState.STATUS_NEEDS_CHANGES:
        return
    task_state = state.current_task_state
    reviewer = task_state.finished_by
    details = {
        "reviewer": (reviewer.get_full_name() or reviewer.get_username()) if reviewer else gettext("a reviewer"),
        "date": date_format(timezone.localtime(task_state.finished_at or state.created_at), "DATE_FORMAT"),
        "comment": task_state.comment,
    }
    if task_state.comment:
        message = gettext("Changes requested by %(reviewer)s on %(date)s: “%(comment)s”") % details
    else:
        message = gettext("Changes requested by %(reviewer)s on %(date)s.") % details
    messages.warning(request, message)


@hooks.register("after_edit_page")
def say_an_approval_published(request, page):
    """Wagtail confirms an approval made from the edit form as "updated"; the approval published the page."""
    if request.POST.get("workflow-action-name") != "approve":
        return
    latest = WorkflowState.objects.for_instance(page).order_by("-created_at").first()
    if latest is None or latest.status != WorkflowState.STATUS_APPROVED:
        return
    title = {"page_title": page.get_admin_display_title()}
    # Wagtail's message is queued HTML; reading the queue consumes it, so the others are queued again.
    updated = escape(gettext("Page '%(page_title)s' has been updated.") % title)
    others = [message for message in django_messages.get_messages(request) if updated not in message.message]
    for message in others:
        django_messages.add_message(request, message.level, message.message, extra_tags=message.extra_tags)
    messages.success(request, gettext("Page '%(page_title)s' has been approved and published.") % title)
