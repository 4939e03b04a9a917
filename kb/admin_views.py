"""Admin listings with filters, the editorial reports (content due for review, Action Plans per city) and their
index, the Markdown preview and where the page chooser opens."""

from datetime import timedelta

import django_filters
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView
from wagtail.admin.menu import reports_menu
from wagtail.admin.ui.tables import Column, DateColumn, TitleColumn
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.pages.listing import PageFilterSet
from wagtail.admin.views.reports import ReportView
from wagtail.admin.viewsets.pages import PageListingViewSet
from wagtail.permission_policies.pages import PagePermissionPolicy

from kb.content_types import KINDS
from kb.editorial import own_city
from kb.filters import CityFilters, KnowledgeFilters
from kb.markdown import render_markdown
from kb.models import ActionPlanPage, CityPage, LessonPage, PlanStatus
from kb.templatetags.kb_tags import euros

DUE_SOON = timedelta(days=30)


def city_choices(request):
    return CityPage.objects.order_by("title")


class CityFilter(django_filters.ModelChoiceFilter):
    """Content published under one city's page."""

    def filter(self, queryset, value):
        return queryset.descendant_of(value) if value else queryset


class CityListingFilterSet(CityFilters, PageFilterSet):
    """The public city filters, with Wagtail's own page filters."""

    class Meta:
        model = CityPage
        fields = []


class EditorsKnowledgeFilters(KnowledgeFilters):
    """The public filters of lessons and plans, and what editors filter by besides."""

    city = CityFilter(queryset=city_choices, label=_("City"))
    editors_pick = django_filters.BooleanFilter(label=_("Editor's pick"))


LessonFilterSet = EditorsKnowledgeFilters.for_model(LessonPage, PageFilterSet)


class ActionPlanFilterSet(EditorsKnowledgeFilters.for_model(ActionPlanPage, PageFilterSet)):
    status = django_filters.ChoiceFilter(choices=PlanStatus.choices)

    class Meta:
        model = ActionPlanPage
        fields = []


def owning_city(page) -> str:
    city = getattr(page, "city", None)
    return city.title if city else ""


class CityListing(PageListingViewSet):
    model = CityPage
    icon = "site"
    menu_label = _("Cities")
    add_to_admin_menu = False
    name = "cities"
    filterset_class = CityListingFilterSet
    columns = PageListingViewSet.columns + [
        Column("country", accessor="country.name", label=_("Country")),
        Column("role", accessor="get_role_display", label=_("Role")),
    ]


class LessonListing(PageListingViewSet):
    model = LessonPage
    icon = "doc-full"
    menu_label = _("Lessons")
    name = "lessons"
    filterset_class = LessonFilterSet
    columns = PageListingViewSet.columns + [
        Column("city", accessor=owning_city, label=_("City")),
        Column("language", label=_("Language")),
    ]


class ActionPlanListing(PageListingViewSet):
    model = ActionPlanPage
    icon = "tasks"
    menu_label = _("Action Plans")
    name = "action_plans"
    filterset_class = ActionPlanFilterSet
    columns = PageListingViewSet.columns + [
        Column("city", accessor=owning_city, label=_("City")),
        Column("status", accessor="get_status_display", label=_("Status")),
    ]


def editable_page_ids(user):
    """Ids of the pages this user may edit (a subquery): a city editor's city, a network editor's everything."""
    return PagePermissionPolicy().instances_user_has_permission_for(user, "change").values("pk")


def editable(user, model):
    """Pages of ``model`` this user may edit."""
    return model.objects.filter(pk__in=editable_page_ids(user))


def edit_url(page) -> str:
    return reverse("wagtailadmin_pages:edit", args=[page.pk])


class ReviewDueReport(ReportView):
    """Lessons and Action Plans whose review date has passed or falls within the next 30 days, by city."""

    page_title = _("Content due for review")
    header_icon = "time"
    index_url_name = "kb_review_due"
    index_results_url_name = "kb_review_due_results"
    columns = [
        TitleColumn("title", label=_("Title"), get_url=edit_url),
        Column("city", accessor=owning_city, label=_("City")),
        Column("type", accessor=lambda page: page._meta.verbose_name, label=_("Type")),
        DateColumn("review_by", label=_("Review by")),
        DateColumn("reviewed_on", label=_("Last reviewed")),
        Column(
            "overdue", accessor=lambda page: _("overdue") if page.review_overdue else _("due soon"), label=_("State")
        ),
    ]
    list_export = ["title", "review_by", "last_reviewed"]

    def get_queryset(self):
        horizon = timezone.localdate() + DUE_SOON
        due = []
        for kind in (kind for kind in KINDS if kind.reviewable):
            due += editable(self.request.user, kind.model).live().filter(review_by__lte=horizon)
        return sorted(due, key=lambda page: (owning_city(page), page.review_by))


class ActionPlansReport(ReportView):
    page_title = _("Action Plans per city")
    header_icon = "tasks"
    index_url_name = "kb_action_plans_report"
    index_results_url_name = "kb_action_plans_report_results"
    columns = [
        Column("city", accessor=owning_city, label=_("City")),
        TitleColumn("title", label=_("Action Plan"), get_url=edit_url),
        Column("status", accessor="get_status_display", label=_("Status")),
        Column("actions", accessor=lambda plan: plan.actions.count(), label=_("Actions")),
        Column(
            "done",
            accessor=lambda plan: dict((v, n) for v, _l, n in plan.actions_by_status())["completed"],
            label=_("Completed"),
        ),
        Column("budget", accessor=lambda plan: euros(plan.total_budget()), label=_("Budget")),
        DateColumn("adopted_on", label=_("Adopted on")),
    ]
    list_export = ["title", "status", "adopted_on"]

    def get_queryset(self):
        plans = list(editable(self.request.user, ActionPlanPage))
        return sorted(plans, key=lambda plan: (owning_city(plan), plan.title))


class ReportsIndex(WagtailAdminTemplateMixin, TemplateView):
    """``/admin/reports/``: the reports of the Reports menu (Wagtail's and ours) that this editor may open."""

    page_title = _("Reports")
    header_icon = "site"
    template_name = "kb/admin/reports_index.html"

    def get_context_data(self, **kwargs):
        items = sorted(reports_menu.menu_items_for_request(self.request), key=lambda item: item.order)
        return super().get_context_data(reports=items, **kwargs)


# A page's longest Markdown field is a few thousand characters; anything far beyond is not an edit in progress.
MAX_PREVIEW_LENGTH = 200_000


@require_POST
def markdown_preview(request):
    """A Markdown field's text as readers will see it (sanitised HTML), for the widget's Preview button."""
    text = request.POST.get("text", "")
    if len(text) > MAX_PREVIEW_LENGTH:
        return HttpResponseBadRequest(gettext("The text is too long to preview."))
    # Uncached: drafts in progress would push the published pages' renderings out of the cache.
    return HttpResponse(render_markdown.__wrapped__(text))


CITY_CONTENT_TYPES = {kind.model._meta.label_lower for kind in KINDS if kind.under_city}


def choose_page(request, parent_page_id=None):
    """Open Wagtail's page chooser, for a city editor choosing city content at their own city.

    Wagtail opens a chooser with nothing chosen at the site root (or the common ancestor of the page types,
    ``/cities/``), among cities a city editor mostly cannot use; it has no hook for where to start.
    """
    if parent_page_id is None:
        wanted = set(request.GET.get("page_type", "").lower().split(","))
        city = own_city(request.user) if wanted <= CITY_CONTENT_TYPES else None
        parent_page_id = city.pk if city else None
    if parent_page_id is None:
        url = reverse("wagtailadmin_choose_page")
    else:
        url = reverse("wagtailadmin_choose_page_child", args=[parent_page_id])
    query = request.GET.urlencode()
    return redirect(f"{url}?{query}" if query else url)
