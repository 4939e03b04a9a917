"""The Action Plans in the JSON API: plans, their actions and indicators, and the network's common indicators.

A router of the one API in ``search.api`` (which imports this module): the same throttle, the same JSON errors
(``{"detail", "parameter"}``, 400 for a bad parameter, 404 for what does not exist or readers may not see) and the
same OpenAPI document. Only published plans are shown; the records are those of the open data files
(``plans.open_data``), built by the same functions.
"""

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from django.db.models import Q
from django.http import HttpRequest
from django_countries import countries
from ninja import Field, Query, Router, Schema, Status
from pydantic import PlainSerializer, WithJsonSchema

from kb.models import ActionPlanPage, CityPage, Theme
from plans import open_data
from plans.models import Action
from plans.progress import Timeliness, plan_progress
from search.api import ErrorOut, ThemeOut, api
from search.query import InvalidSearch  # its handler answers 400 {detail, parameter}

MAX_PAGE_SIZE = 100
MAX_PAGE = 10_000
MAX_ID = 2**31 - 1  # page ids are 32-bit integers
SLUG = re.compile(r"[-a-zA-Z0-9_]{1,255}")

NUMBERS = (
    "Quantities are JSON numbers written from the stored decimals: euros have at most 2 decimal places, indicator "
    "values at most 4, values per 1,000 inhabitants are rounded to 6; whole numbers have no fraction."
)
TIMELINESS = "Derived from the reported status and dates: " + ", ".join(Timeliness.values)


def _number(description: str):
    return Annotated[
        Decimal,
        PlainSerializer(open_data.as_number, return_type=int | float),
        WithJsonSchema({"type": "number", "description": description}),
    ]


Euros = _number("Euros. " + NUMBERS)
Quantity = _number("In the indicator's unit. " + NUMBERS)
PerThousand = _number("Per 1,000 inhabitants. " + NUMBERS)


class PlanCityOut(Schema):
    name: str
    slug: str
    country: str = Field(description="ISO 3166-1 alpha-2")
    population: int | None


class PlanReferenceOut(Schema):
    id: int
    title: str
    url: str | None = Field(description="The plan's page")


class PlanSummaryOut(PlanReferenceOut):
    slug: str
    language: str
    summary: str
    city: PlanCityOut | None
    status: str = Field(description="draft, adopted, in_progress or completed (as the city reports it)")
    adopted_on: date | None
    update_interval_days: int = Field(description="An action not heard of for this long is stale")
    themes: list[ThemeOut]
    timeliness: str | None = Field(description=f"The worst of its actions'. {TIMELINESS}; null without actions")
    counts: dict[str, int] = Field(description="Number of actions per timeliness")
    actions_total: int
    indicators_total: int
    budget_planned_eur: Euros
    budget_spent_eur: Euros
    last_published_at: datetime | None


class PlanListOut(Schema):
    total: int
    page: int
    page_size: int
    results: list[PlanSummaryOut]


class LessonReferenceOut(Schema):
    id: int
    title: str
    url: str | None


class PlanActionOut(Schema):
    identifier: str
    title: str
    url: str | None
    theme: ThemeOut | None
    phase: str | None = Field(description="design, procurement, implementation or evaluation")
    status: str = Field(description="planned, in_progress, completed, delayed or cancelled (as the city reports it)")
    status_reason: str
    timeliness: str = Field(description=TIMELINESS)
    last_update: date | None = Field(description="Date of the latest status update")
    last_heard: date | None = Field(description="Latest status update or value of an indicator it moves")
    planned_start: date | None
    planned_end: date | None
    actual_start: date | None
    actual_end: date | None
    budget_planned_eur: Euros | None
    budget_spent_eur: Euros | None
    lead_department: str
    partners: list[str]
    indicators: list[str] = Field(description="Identifiers of the plan's indicators it moves")
    lessons: list[LessonReferenceOut] = Field(description="Published lessons that informed it")


class StatusUpdateOut(Schema):
    date: date
    author: str
    status: str | None
    text: str


class PlanActionDetailOut(PlanActionOut):
    plan: PlanReferenceOut
    city: PlanCityOut | None
    description: str = Field(description="Markdown")
    updates: list[StatusUpdateOut] = Field(description="Newest first")


class IndicatorBaselineOut(Schema):
    date: date | None
    value: Quantity | None


class IndicatorGoalOut(Schema):
    date: date | None
    value: Quantity


class IndicatorValueOut(Schema):
    date: date
    value: Quantity
    per_1000_inhabitants: PerThousand | None = Field(
        description="When its common indicator is compared per inhabitants and the city's population is known"
    )
    source: str


class IndicatorOut(Schema):
    identifier: str
    name: str
    unit: str
    direction: str = Field(description="increase or decrease: which way is better")
    common: str | None = Field(description="Slug of the common indicator it reports")
    baseline: IndicatorBaselineOut | None
    goals: list[IndicatorGoalOut]
    values: list[IndicatorValueOut] = Field(description="In date order")


class PlanDetailOut(PlanSummaryOut):
    body: str = Field(description="Markdown")
    actions: list[PlanActionOut]
    indicators: list[IndicatorOut]


class CommonIndicatorOut(Schema):
    slug: str
    name: str
    unit: str
    direction: str
    per_inhabitants: bool = Field(description="Cities are compared per 1,000 inhabitants")
    description: str
    plans: int = Field(description="Published plans that report it")


class IndicatorReferenceOut(Schema):
    identifier: str
    name: str
    unit: str


class CommonReportOut(Schema):
    plan: PlanReferenceOut
    city: PlanCityOut | None
    indicator: IndicatorReferenceOut
    values: list[IndicatorValueOut]


class CommonIndicatorDetailOut(CommonIndicatorOut):
    reports: list[CommonReportOut] = Field(description="Every published plan's indicator that reports it, by city")


class PlanFilters(Schema):
    city: str | None = Field(None, description="A city's slug (cologne)")
    country: str | None = Field(None, description="ISO 3166-1 alpha-2 code (DE)")
    theme: str | None = Field(None, description="A theme's slug: plans classified under it or with an action on it")
    page: int = Field(1, ge=1, le=MAX_PAGE)
    page_size: int = Field(20, ge=1, le=MAX_PAGE_SIZE)


def _filtered(plans, filters: PlanFilters):
    if filters.city is not None:
        city = CityPage.objects.published().filter(slug=filters.city).first() if SLUG.fullmatch(filters.city) else None
        if city is None:
            raise InvalidSearch("city", f"no published city has the slug {filters.city[:60]!r}")
        plans = plans.child_of(city)
    if filters.country is not None:
        code = filters.country.upper()
        if not (len(code) == 2 and code in dict(countries)):
            raise InvalidSearch("country", "country must be an ISO 3166-1 alpha-2 code such as DE")
        plans = plans.under_any(CityPage.objects.published().filter(country=code))
    if filters.theme is not None:
        theme = Theme.objects.filter(slug=filters.theme).first() if SLUG.fullmatch(filters.theme) else None
        if theme is None:
            raise InvalidSearch("theme", f"no theme has the slug {filters.theme[:60]!r}")
        classified = ActionPlanPage.objects.filter(themes=theme).values("pk")
        with_action = Action.objects.filter(theme=theme).values("plan_id")
        plans = plans.filter(Q(pk__in=classified) | Q(pk__in=with_action))
    return plans


def _plan(plan_id: int):
    if not 0 < plan_id <= MAX_ID:  # beyond what the column holds, a database raises instead of finding nothing
        return None
    return open_data.published_plans().filter(pk=plan_id).first()


def _not_found(detail: str, parameter: str):
    return Status(404, {"detail": detail, "parameter": parameter})


router = Router(tags=["Action Plans"])


@router.get(
    "/plans",
    response={200: PlanListOut, 400: ErrorOut},
    summary="Published Action Plans",
    description="Each with its city, status, derived timeliness, actions per timeliness and budget totals. "
    "Filters combine (all must hold); an unknown city, country or theme is a 400. " + NUMBERS,
    url_name="plans",
)
def list_plans(request: HttpRequest, filters: Query[PlanFilters]):
    plans = _filtered(ActionPlanPage.objects.published().order_by("path"), filters)
    total = plans.count()
    start = (filters.page - 1) * filters.page_size
    page = list(open_data.with_records(plans)[start : start + filters.page_size]) if start < total else []
    results = [open_data.plan_record(plan, request, plan_progress(plan)) for plan in page]
    return {"total": total, "page": filters.page, "page_size": filters.page_size, "results": results}


@router.get(
    "/plans/{plan_id}",
    response={200: PlanDetailOut, 404: ErrorOut},
    summary="An Action Plan with its actions and indicators",
    description="Its actions with timeliness, dates, budgets, indicators and lessons, and its indicators with "
    "baseline, goals and every measured value. " + NUMBERS,
    url_name="plan",
)
def plan_detail(request: HttpRequest, plan_id: int):
    plan = _plan(plan_id)
    if plan is None:
        return _not_found(f"no published Action Plan {plan_id}", "plan_id")
    return open_data.plan_document(plan, request)  # the schema leaves out the actions' status updates


@router.get(
    "/plans/{plan_id}/actions/{identifier}",
    response={200: PlanActionDetailOut, 404: ErrorOut},
    summary="One action of a plan, with its status updates",
    url_name="plan_action",
)
def action_detail(request: HttpRequest, plan_id: int, identifier: str):
    plan = _plan(plan_id)
    if plan is None:
        return _not_found(f"no published Action Plan {plan_id}", "plan_id")
    action = next((action for action in plan.actions.all() if action.identifier == identifier), None)
    if action is None:
        return _not_found(f"the plan has no action {identifier[:60]!r}", "identifier")
    record = open_data.action_record(action, request, plan_progress(plan), full=True)
    return {**record, "plan": open_data.plan_reference(plan, request), "city": open_data.city_record(plan.city)}


@router.get(
    "/indicators/common",
    response={200: list[CommonIndicatorOut]},
    summary="The network's common indicators",
    url_name="common_indicators",
)
def list_common_indicators(request: HttpRequest):
    return [open_data.common_record(common) for common in open_data.common_indicators()]


@router.get(
    "/indicators/common/{slug}",
    response={200: CommonIndicatorDetailOut, 404: ErrorOut},
    summary="A common indicator across the network",
    description="Every published plan's indicator that reports it: the city with its population, and the series "
    "as measured and per 1,000 inhabitants (when the indicator is compared that way and the population is "
    "known). " + NUMBERS,
    url_name="common_indicator",
)
def common_indicator_detail(request: HttpRequest, slug: str):
    common = open_data.common_indicators().filter(slug=slug).first() if SLUG.fullmatch(slug) else None
    if common is None:
        return _not_found(f"no common indicator {slug[:60]!r}", "slug")
    return {**open_data.common_record(common), "reports": open_data.common_reports(common, request)}


api.add_router("", router)
