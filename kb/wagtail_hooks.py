from django.db.models import Q
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.base import ViewSetGroup

from kb.admin_views import (
    ActionPlanListing,
    ActionPlansReport,
    CityListing,
    LessonListing,
    ReviewDueReport,
    editable_page_ids,
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
