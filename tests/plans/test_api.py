"""The Action Plans in the JSON API: what the endpoints answer, against the database; errors; bounded queries."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import PageViewRestriction

from kb.content_files.pages import find_page
from kb.models import ActionPlanPage
from plans.models import CommonIndicator
from plans.progress import plan_progress
from tests.network import COLOGNE_PLAN, SORIA_PLAN

pytestmark = pytest.mark.django_db

ENDPOINTS = [
    "/api/plans",
    "/api/plans/{plan_id}",
    "/api/plans/{plan_id}/actions/{identifier}",
    "/api/indicators/common",
    "/api/indicators/common/{slug}",
]


@pytest.fixture
def cologne(structure):
    return find_page(structure, COLOGNE_PLAN)


@pytest.fixture
def soria(structure):
    return find_page(structure, SORIA_PLAN)


def number(value: Decimal | None):
    return None if value is None else float(value)


def per_thousand(value: Decimal, population: int) -> float:
    return float(round(value * 1000 / population, 6))


def error(response, status: int, parameter: str | None):
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["detail"] and body["parameter"] == parameter
    return body


# --- the list ---------------------------------------------------------------------------------------------------------


def test_the_list_has_every_published_plan_with_its_city_timeliness_counts_and_budgets(client, cologne):
    body = client.get("/api/plans").json()
    published = ActionPlanPage.objects.published()
    assert body["total"] == published.count() == len(body["results"]) >= 3
    assert [plan["id"] for plan in body["results"]] == list(published.order_by("path").values_list("pk", flat=True))
    plan = next(plan for plan in body["results"] if plan["id"] == cologne.pk)
    assert plan["city"] == {"name": "Cologne", "slug": "cologne", "country": "DE", "population": 1084000}
    assert plan["url"] == f"http://testserver{cologne.url}"
    assert (plan["status"], plan["adopted_on"], plan["update_interval_days"]) == ("adopted", "2025-03-27", 90)
    assert plan["budget_planned_eur"] == number(cologne.total_budget()) == 3_365_000
    assert plan["budget_spent_eur"] == number(cologne.total_spent()) == 1_017_700
    assert isinstance(plan["budget_planned_eur"], int)  # whole euros have no fraction
    progress = plan_progress(cologne)
    assert plan["timeliness"] == progress.timeliness.value
    assert plan["counts"] == {timeliness.value: count for timeliness, count in progress.counts}
    assert sum(plan["counts"].values()) == plan["actions_total"] == cologne.actions.count() == 6
    assert plan["indicators_total"] == cologne.indicators.count()
    assert {theme["slug"] for theme in plan["themes"]} == set(cologne.themes.values_list("slug", flat=True))


def test_filters_by_city_country_and_theme(client, cologne, soria):
    def ids(**params):
        response = client.get("/api/plans", params)
        assert response.status_code == 200, response.content[:300]
        return {plan["id"] for plan in response.json()["results"]}

    assert ids(city="cologne") == {cologne.pk}
    spanish = ids(country="es")
    assert soria.pk in spanish and cologne.pk not in spanish
    assert ids(country="ES") == spanish
    assert ids(country="FR") == set()  # a valid code with no plans: nothing, not an error
    assert ids(city="cologne", country="ES") == set()
    energy = ids(theme="energy")  # Cologne's plan is not classified under energy, but its action 3 is
    assert cologne.pk in energy and not cologne.themes.filter(slug="energy").exists()
    assert ids(theme="finance-and-funding", city="cologne") == {cologne.pk}


def test_pages(client):
    total = client.get("/api/plans").json()["total"]
    first = client.get("/api/plans", {"page_size": 1}).json()
    second = client.get("/api/plans", {"page_size": 1, "page": 2}).json()
    assert (first["total"], first["page_size"], len(first["results"])) == (total, 1, 1)
    assert second["results"][0]["id"] != first["results"][0]["id"]
    beyond = client.get("/api/plans", {"page": total + 1, "page_size": 1}).json()
    assert beyond["results"] == [] and beyond["total"] == total


@pytest.mark.parametrize(
    "params, parameter",
    [
        ({"city": "atlantis"}, "city"),
        ({"city": "cologne/../x"}, "city"),
        ({"city": "\x00"}, "city"),
        ({"country": "XX"}, "country"),
        ({"country": "DEU"}, "country"),
        ({"country": ""}, "country"),
        ({"theme": "no-such-theme"}, "theme"),
        ({"theme": "a" * 300}, "theme"),
        ({"page": "0"}, "page"),
        ({"page": "abc"}, "page"),
        ({"page": "99999999999999999999"}, "page"),
        ({"page_size": "101"}, "page_size"),
    ],
)
def test_bad_filters_are_a_json_400_naming_the_parameter(client, structure, params, parameter):
    error(client.get("/api/plans", params), 400, parameter)


# --- one plan, one action ---------------------------------------------------------------------------------------------


def test_a_plan_has_its_actions_and_indicators_as_in_the_database(client, cologne):
    body = client.get(f"/api/plans/{cologne.pk}").json()
    assert (body["id"], body["title"], body["city"]["slug"]) == (cologne.pk, cologne.title, "cologne")
    assert [action["identifier"] for action in body["actions"]] == ["1", "2", "3", "4", "5", "6"]
    action = next(action for action in body["actions"] if action["identifier"] == "3")
    stored = cologne.actions.get(identifier="3")
    assert action["url"] == f"http://testserver{cologne.url}actions/3/"
    assert (action["status"], action["phase"], action["status_reason"]) == (
        "delayed",
        "procurement",
        stored.status_reason,
    )
    assert action["timeliness"] == plan_progress(cologne).of(stored).timeliness.value == "late"
    assert action["last_update"] == "2026-09-28"
    assert (action["planned_start"], action["planned_end"], action["actual_start"], action["actual_end"]) == (
        "2025-04-01",
        "2026-06-30",
        "2025-09-15",
        None,
    )
    assert (action["budget_planned_eur"], action["budget_spent_eur"]) == (450_000, 96_000)
    assert action["theme"]["slug"] == "energy"
    assert action["indicators"] == ["durchgefuhrte-machbarkeitschecks"]
    assert [lesson["title"] for lesson in action["lessons"]] == [lesson.title for lesson in stored.lessons.all()]
    assert action["lessons"] and all(lesson["url"].startswith("http://testserver/") for lesson in action["lessons"])
    assert "updates" not in action  # the action's own endpoint has them
    planned = next(action for action in body["actions"] if action["identifier"] == "6")
    assert planned["budget_spent_eur"] is None and planned["actual_start"] is None

    indicators = {indicator["identifier"]: indicator for indicator in body["indicators"]}
    assert list(indicators) == list(cologne.indicators.values_list("identifier", flat=True))
    for stored in cologne.indicators.all():
        indicator = indicators[stored.identifier]
        assert indicator["values"] == [
            {
                "date": value.date.isoformat(),
                "value": number(value.value),
                "per_1000_inhabitants": per_thousand(value.value, 1_084_000) if stored.common_id else None,
                "source": value.source,
            }
            for value in stored.values.order_by("date")
        ]
        assert indicator["baseline"] == {"date": "2025-03-27", "value": 0}
        assert indicator["goals"] == [
            {"date": goal.date.isoformat(), "value": number(goal.value)} for goal in stored.goals.order_by("date")
        ]
    assert indicators["beratene-haushalte"]["common"] == "households-advised"
    assert indicators["beratene-haushalte"]["values"][0]["per_1000_inhabitants"] == 0.04059  # 44 / 1,084


def test_an_action_has_its_status_updates_newest_first(client, cologne):
    body = client.get(f"/api/plans/{cologne.pk}/actions/2").json()
    assert (body["identifier"], body["title"]) == ("2", "Zwei weitere Quartiersbüros in Chorweiler und Kalk")
    assert body["plan"] == {"id": cologne.pk, "title": cologne.title, "url": f"http://testserver{cologne.url}"}
    assert body["city"]["name"] == "Cologne"
    assert body["description"].startswith("Übertragung des Mülheimer Modells")
    assert [update["date"] for update in body["updates"]] == ["2026-10-30", "2026-02-16", "2025-07-01"]
    assert body["updates"][-1] == {
        "date": "2025-07-01",
        "author": "Amt für Stadtentwicklung und Statistik",
        "status": "in_progress",
        "text": "Büro Chorweiler eröffnet, Kalk folgt im Herbst.",
    }
    assert body["updates"][0]["status"] is None
    assert body["last_update"] == "2026-10-30"
    assert body["partners"] == ["Bürgerzentrum Chorweiler", "Bürgerhaus Kalk"]
    assert body["indicators"] == ["sanierungsbeschlusse-von-weg", "sanierte-wohneinheiten"]


@pytest.mark.parametrize(
    "url, parameter",
    [
        ("/api/plans/999999999", "plan_id"),
        ("/api/plans/0", "plan_id"),
        ("/api/plans/-4", "plan_id"),
        ("/api/plans/{cologne}/actions/99", "identifier"),
        ("/api/plans/{cologne}/actions/%00", "identifier"),
        ("/api/plans/{cologne}/actions/" + "x" * 300, "identifier"),
        ("/api/plans/999999999/actions/1", "plan_id"),
        ("/api/plans/{lesson}", "plan_id"),  # a published page, but not a plan
        ("/api/indicators/common/no-such-indicator", "slug"),
        ("/api/indicators/common/%C3%A9%00", "slug"),
    ],
)
def test_unknown_ids_are_a_json_404(client, structure, cologne, url, parameter):
    lesson = find_page(structure, "lesson:cologne/proximity-offices")
    error(client.get(url.format(cologne=cologne.pk, lesson=lesson.pk)), 404, parameter)


@pytest.mark.parametrize("url", ["/api/plans/abc", "/api/plans/1.5", "/api/plans/99999999999999999999999999"])
def test_ids_that_are_not_whole_numbers_are_a_json_400_or_404(client, structure, url):
    response = client.get(url)
    assert response.status_code in (400, 404) and response.json()["parameter"] == "plan_id"


def hide(plan, how: str):
    if how == "unpublished":
        plan.unpublish()
    else:
        PageViewRestriction.objects.create(page=plan, restriction_type=PageViewRestriction.LOGIN)


@pytest.mark.parametrize("how", ["unpublished", "private"])
def test_plans_readers_may_not_see_are_nowhere_in_the_api(client, cologne, soria, how):
    hide(cologne, how)
    listed = {plan["id"] for plan in client.get("/api/plans").json()["results"]}
    assert cologne.pk not in listed and soria.pk in listed
    error(client.get(f"/api/plans/{cologne.pk}"), 404, "plan_id")
    error(client.get(f"/api/plans/{cologne.pk}/actions/1"), 404, "plan_id")
    assert client.get("/api/plans", {"city": "cologne"}).json()["results"] == []
    reports = client.get("/api/indicators/common/households-advised").json()["reports"]
    assert soria.pk in {report["plan"]["id"] for report in reports}
    assert cologne.pk not in {report["plan"]["id"] for report in reports}
    common = {item["slug"]: item for item in client.get("/api/indicators/common").json()}
    assert common["households-advised"]["plans"] == len(reports) == 2  # Malmö and Soria


# --- common indicators ------------------------------------------------------------------------------------------------


def test_the_common_indicators_say_how_many_published_plans_report_them(client, structure):
    body = client.get("/api/indicators/common").json()
    assert [item["slug"] for item in body] == list(CommonIndicator.objects.values_list("slug", flat=True))
    by_slug = {item["slug"]: item for item in body}
    assert by_slug["households-advised"]["plans"] == 3  # Cologne, Malmö and Soria
    assert by_slug["households-advised"]["per_inhabitants"] is True
    assert by_slug["public-buildings-renovated"]["per_inhabitants"] is False


def test_a_common_indicator_gives_every_city_series_raw_and_per_1000_inhabitants(client, cologne, soria):
    body = client.get("/api/indicators/common/households-advised").json()
    assert (body["slug"], body["unit"], body["per_inhabitants"]) == ("households-advised", "households", True)
    reports = {report["city"]["slug"]: report for report in body["reports"]}
    assert list(reports) == ["cologne", "malmo", "soria"]  # by city
    for plan, population in ((cologne, 1_084_000), (soria, 40_000)):
        report = reports[plan.city.slug]
        assert report["city"]["population"] == population == plan.city.population
        assert report["plan"]["id"] == plan.pk
        stored = plan.indicators.get(common__slug="households-advised")
        assert report["indicator"] == {"identifier": stored.identifier, "name": stored.name, "unit": stored.unit}
        assert [(value["date"], value["value"], value["per_1000_inhabitants"]) for value in report["values"]] == [
            (value.date.isoformat(), number(value.value), per_thousand(value.value, population))
            for value in stored.values.order_by("date")
        ]
    assert reports["cologne"]["values"][-1]["value"] == 462
    assert reports["cologne"]["values"][-1]["per_1000_inhabitants"] == 0.426199  # 462 / 1,084, rounded


def test_without_a_population_or_per_inhabitants_there_is_no_normalised_value(client, cologne):
    city = cologne.city
    city.population = None
    city.save(update_fields=["population"])
    values = client.get("/api/indicators/common/households-advised").json()["reports"][0]["values"]
    assert values and all(value["per_1000_inhabitants"] is None for value in values)
    CommonIndicator.objects.filter(slug="energy-renovated-dwellings").update(per_inhabitants=False)
    reports = client.get("/api/indicators/common/energy-renovated-dwellings").json()["reports"]
    assert reports and all(value["per_1000_inhabitants"] is None for r in reports for value in r["values"])


# --- the document and the costs ---------------------------------------------------------------------------------------


def test_the_openapi_document_lists_the_plan_endpoints_with_the_search(client):
    schema = client.get("/api/openapi.json").json()
    for path in ENDPOINTS:
        assert "get" in schema["paths"][path], path
        assert set(schema["paths"][path]) == {"get"}
    assert "/api/search" in schema["paths"]
    assert "400" in schema["paths"]["/api/plans"]["get"]["responses"]
    assert "404" in schema["paths"]["/api/plans/{plan_id}"]["get"]["responses"]
    budget = schema["components"]["schemas"]["PlanSummaryOut"]["properties"]["budget_planned_eur"]
    assert budget["type"] == "number" and "JSON numbers" in budget["description"]


def test_no_two_schemas_of_the_api_share_a_name(client):
    """The OpenAPI document keys schemas by class name: a second ``PlanOut`` would silently replace the first."""
    from ninja import Schema

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    names = [cls.__name__ for cls in set(subclasses(Schema)) if cls.__module__ in ("search.api", "plans.api")]
    assert sorted(names) == sorted(set(names))
    components = client.get("/api/openapi.json").json()["components"]["schemas"]
    assert "budget_planned_eur" in components["PlanSummaryOut"]["properties"]
    assert set(components["IndicatorValueOut"]["properties"]) == {"date", "value", "per_1000_inhabitants", "source"}


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_the_plan_endpoints_are_read_only(client, cologne, method):
    assert getattr(client, method)(f"/api/plans/{cologne.pk}").status_code == 405


def queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, params).status_code == 200
    return len(captured)


def test_queries_do_not_grow_with_the_number_of_plans_or_records(client, cologne, django_assert_max_num_queries):
    one, every = queries(client, "/api/plans", {"page_size": 1}), queries(client, "/api/plans")
    assert one == every  # no query per plan, action or indicator
    with django_assert_max_num_queries(16):
        client.get("/api/plans")
    with django_assert_max_num_queries(14):
        client.get(f"/api/plans/{cologne.pk}")
    with django_assert_max_num_queries(14):
        client.get(f"/api/plans/{cologne.pk}/actions/3")
    with django_assert_max_num_queries(9):
        client.get("/api/indicators/common/households-advised")
    with django_assert_max_num_queries(3):
        client.get("/api/indicators/common")
