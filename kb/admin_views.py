"""Admin listings with filters, and the editorial reports (content due for review, Action Plans per city)."""

from datetime import timedelta

import django_filters
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import Column, DateColumn, TitleColumn
from wagtail.admin.views.pages.listing import PageFilterSet
from wagtail.admin.views.reports import ReportView
from wagtail.admin.viewsets.pages import PageListingViewSet
from wagtail.permission_policies.pages import PagePermissionPolicy

from kb.filters import CityFilters, KnowledgeFilters
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
        for model in (LessonPage, ActionPlanPage):
            due += editable(self.request.user, model).live().filter(review_by__lte=horizon)
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
        Column("actions", accessor=lambda plan: len(plan.actions), label=_("Actions")),
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
