"""How each kind of content is written as a Markdown file with front matter, and read back.

A codec per kind (the kinds themselves are in ``kb/content_types.py``): its front-matter fields, how its body
splits into sections, where its pages live, and the two directions between a page and a document. Export is
import's inverse: ``document_for(page)`` of an imported page equals the document it was imported from.
"""

from decimal import Decimal
from pathlib import Path

from wagtail.models import Page

from kb.models import (
    DEFAULT_UPDATE_INTERVAL_DAYS,
    CaseStudyItem,
    CityRole,
    PlanStatus,
    ProgrammeModule,
    Theme,
    Twinning,
    VisitReportOutput,
)
from kb.slugs import slug_for
from lineage.models import ActionAdoption, LessonAdoption
from plans.models import Action, CommonIndicator, Indicator, IndicatorGoal, IndicatorValue, StatusUpdate

from .document import CASE_STUDY_OWNER, ContentDocument, ContentFileError, join_sections, split_sections
from .schema import (
    ACTION,
    ADOPTION,
    INDICATOR,
    TWIN,
    Field,
    NamedFieldError,
    Vocabulary,
    boolean,
    case_study_item,
    choice,
    city_label,
    city_name,
    country,
    date,
    decimal,
    integer,
    language,
    list_of,
    mapping,
    parse_fields,
    reference,
    slug,
    text,
    text_of,
    theme,
    url,
)


class Codec:
    kind = ""
    fields: dict[str, Field] = {}
    simple: tuple[str, ...] = ()  # fields copied between front matter and the model as they are
    sections: tuple[tuple[str, str], ...] = ()  # (model field, heading) of the body's level-2 sections
    body_field = "body"  # where the body (before any section) goes

    # --- file → page ------------------------------------------------------------------------------------

    def parent(self, document: ContentDocument, writer) -> Page:
        raise NotImplementedError

    def fill_fields(self, page, document: ContentDocument, writer) -> None:
        """The page's own fields: everything but references to other pages (which may not exist yet)."""
        page.title, page.draft_title, page.slug = document.title, document.title, document.slug
        for name in self.simple:
            setattr(page, name, document.meta.get(name, _cleared(page, name)))
        if self.sections:
            headings = {heading.lower(): name for name, heading in self.sections}
            intro, found = split_sections(document.body, headings)
            setattr(page, self.body_field, intro)
            for name, _heading in self.sections:
                setattr(page, name, found.get(name, ""))
        else:
            setattr(page, self.body_field, document.body)

    def check(self, meta: dict) -> None:
        """Rules across fields of one file (each field is already valid on its own); raise ``NamedFieldError``."""

    def fill_relations(self, page, document: ContentDocument, writer) -> None:
        page.themes = list(Theme.objects.filter(name__in=document.meta.get("themes", [])))

    # --- page → file ------------------------------------------------------------------------------------

    def document(self, page) -> ContentDocument:
        meta = {name: _plain(value) for name, value in self.meta(page).items()}
        meta = {name: meta[name] for name in self.fields if meta.get(name) not in (None, "", [])}
        return ContentDocument(type=self.kind, title=page.title, slug=page.slug, meta=meta, body=self.body(page))

    def meta(self, page) -> dict:
        return {
            **{name: getattr(page, name) for name in self.simple},
            "themes": sorted(theme.name for theme in page.themes.all()),
        }

    def body(self, page) -> str:
        intro = getattr(page, self.body_field)
        if not self.sections:
            return intro.strip()
        return join_sections(intro, [(heading, getattr(page, name)) for name, heading in self.sections]).strip()

    def folder(self, page) -> str:
        """The folder of the page's file in an export."""
        raise NotImplementedError


def _cleared(record, name: str):
    """The value of a field that a file leaves out (``record``: a page, a record or their model)."""
    model_field = record._meta.get_field(name)
    return None if model_field.null else model_field.get_default()


def _plain(value):
    """Model values in the front matter's canonical form (the form the schema parses values into)."""
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items() if item not in (None, "", [])}
    if hasattr(value, "code") and not isinstance(value, str):  # a django-countries Country
        return value.code
    return value


def yaml_safe(value):
    """Decimals as the numbers YAML writes (the schema reads them back as Decimals)."""
    if isinstance(value, dict):
        return {key: yaml_safe(item) for key, item in value.items()}
    if isinstance(value, list):
        return [yaml_safe(item) for item in value]
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


# --- the kinds ---------------------------------------------------------------------------------------------

CONTENT = {
    "language": Field(language, required=True),
    "date": Field(date),
    "summary": Field(text),
    "themes": Field(list_of(theme, ordered=False)),
    "editors_pick": Field(boolean, default=False),
}
CONTENT_SIMPLE = ("language", "date", "summary", "editors_pick")


class CityCodec(Codec):
    kind = "city"
    fields = {
        "language": Field(language, required=True),
        "country": Field(country, required=True),
        "role": Field(choice(CityRole.choices), default=CityRole.MEMBER.value),
        "cohort": Field(integer),
        "population": Field(integer),
        "target_year": Field(integer),
        "latitude": Field(decimal),
        "longitude": Field(decimal),
        "website": Field(url),
        "summary": Field(text),
        "themes": Field(list_of(theme, ordered=False)),
        "twins": Field(list_of(mapping(TWIN), unique=False)),
    }
    simple = ("language", "country", "role", "cohort", "population", "target_year", "latitude", "longitude",
              "website", "summary")  # fmt: skip
    body_field = "description"

    def parent(self, document, writer):
        return writer.structure.cities

    def fill_relations(self, page, document, writer):
        super().fill_relations(page, document, writer)
        page.twinnings = [
            Twinning(
                twin=writer.city(twin["city"], "twins"), cohort=twin.get("cohort"), start=twin.get("start"),
                end=twin.get("end"),
            )
            for twin in document.meta.get("twins", [])
        ]

    def meta(self, page):
        twins = [
            {"city": t.twin.label, "cohort": t.cohort, "start": t.start, "end": t.end} for t in page.twinnings.all()
        ]
        return {**super().meta(page), "twins": twins}

    def folder(self, page):
        return "cities"


class CityContentCodec(Codec):
    """Content published under its city's page: the city (and its country) names where it lives."""

    base_fields = {
        "city": Field(city_name, required=True),
        "country": Field(country, required=True),
        **CONTENT,
        "partner_cities": Field(list_of(city_label, ordered=False)),
    }
    simple = CONTENT_SIMPLE

    def parent(self, document, writer):
        return writer.city(f"{document.meta['city']} ({document.meta['country']})", "city")

    def fill_relations(self, page, document, writer):
        super().fill_relations(page, document, writer)
        partners = document.meta.get("partner_cities", [])
        page.partner_cities = [writer.city(label, "partner_cities") for label in partners]

    def meta(self, page):
        city = page.city
        return {
            "city": city.title,
            "country": city.country.code,
            **super().meta(page),
            "partner_cities": sorted(partner.label for partner in page.partner_cities.all()),
        }

    def folder(self, page):
        return page.city.slug


class LessonCodec(CityContentCodec):
    kind = "lesson"
    fields = {
        **CityContentCodec.base_fields,
        "cost_effort": Field(text_of(255)),
        "source": Field(reference("visit_report", "action_plan")),
        "adapted_from": Field(list_of(mapping(ADOPTION), unique=False)),
    }
    simple = (*CONTENT_SIMPLE, "cost_effort")
    sections = (
        ("challenge", "Challenge"),
        ("what_we_did", "What we did"),
        ("results", "Results"),
        ("what_did_not_work", "What did not work"),
        ("transferability", "Transferability"),
    )

    def fill_relations(self, page, document, writer):
        super().fill_relations(page, document, writer)
        source = document.meta.get("source")
        page.source = writer.page(source, "source") if source else None
        page.adaptations = _ordered(
            _adoption(LessonAdoption(), data, writer, "adapted_from") for data in document.meta.get("adapted_from", [])
        )

    def meta(self, page):
        return {
            **super().meta(page),
            "source": page.source_id and reference_for(page.source.specific),
            "adapted_from": [_adoption_meta(adoption) for adoption in page.adaptations.all()],
        }


class ActionPlanCodec(CityContentCodec):
    """A plan with its indicators (each with baseline, goals and dated values) and its actions (with updates).

    Actions and indicators carry the identifiers that their addresses, the spreadsheets and the actions' links to
    indicators use; records whose identifier is already in the plan keep their database id.
    """

    kind = "action_plan"
    fields = {
        **CityContentCodec.base_fields,
        "status": Field(choice(PlanStatus.choices), default=PlanStatus.DRAFT.value),
        "adopted_on": Field(date),
        "update_interval_days": Field(integer, default=DEFAULT_UPDATE_INTERVAL_DAYS),
        "indicators": Field(list_of(mapping(INDICATOR), unique=False)),
        "actions": Field(list_of(mapping(ACTION), unique=False)),
    }
    simple = (*CONTENT_SIMPLE, "status", "adopted_on", "update_interval_days")

    def check(self, meta):
        indicators = meta.get("indicators", [])
        _unique_ids("indicators", indicators)
        _unique_ids("actions", meta.get("actions", []))
        for position, indicator in enumerate(indicators, start=1):
            dates = [value["date"] for value in indicator.get("values", [])]
            if len(set(dates)) != len(dates):
                repeated = next(day for day in dates if dates.count(day) > 1)
                raise NamedFieldError("indicators", f"item {position}: two values dated {repeated.isoformat()}")
        known = {indicator["id"] for indicator in indicators}
        for position, action in enumerate(meta.get("actions", []), start=1):
            shown_by = [adoption["indicator"] for adoption in action.get("adapted_from", []) if "indicator" in adoption]
            unknown = [key for key in action.get("indicators", []) + shown_by if key not in known]
            if unknown:
                raise NamedFieldError(
                    "actions", f"item {position}: field 'indicators': '{unknown[0]}' is not the id of an indicator"
                )

    def fill_relations(self, page, document, writer):
        super().fill_relations(page, document, writer)
        themes = {theme.name: theme for theme in Theme.objects.all()}
        common = {indicator.slug: indicator for indicator in CommonIndicator.objects.all()}
        indicator_pks = dict(page.indicators.values_list("identifier", "pk")) if page.pk else {}
        action_pks = dict(page.actions.values_list("identifier", "pk")) if page.pk else {}
        page.indicators = _ordered(
            _indicator(data, indicator_pks.get(data["id"]), common) for data in document.meta.get("indicators", [])
        )
        page.actions = _ordered(
            _action(data, action_pks.get(data["id"]), themes, writer) for data in document.meta.get("actions", [])
        )

    def meta(self, page):
        return {
            **super().meta(page),
            "indicators": [_indicator_meta(indicator) for indicator in page.indicators.all()],
            "actions": [_action_meta(action) for action in page.actions.all()],
        }


def _ordered(records) -> list:
    """Inline records in the file's order (the admin's drag order is ``sort_order`` too)."""
    records = list(records)
    for position, record in enumerate(records):
        record.sort_order = position
    return records


def _unique_ids(field_name: str, items: list[dict]) -> None:
    seen = set()
    for position, item in enumerate(items, start=1):
        if item["id"] in seen:
            raise NamedFieldError(field_name, f"item {position}: the id '{item['id']}' is used twice")
        seen.add(item["id"])


ACTION_SIMPLE = ("title", "description", "lead_department", "phase", "status", "status_reason", "planned_start",
                 "planned_end", "actual_start", "actual_end", "budget_planned_eur", "budget_spent_eur")  # fmt: skip


def _indicator(data: dict, pk, common: dict) -> Indicator:
    baseline = data.get("baseline", {})
    indicator = Indicator(
        pk=pk,
        identifier=data["id"],
        name=data["name"],
        unit=data.get("unit", ""),
        direction=data["direction"],
        common=common.get(data.get("common")),
        baseline_date=baseline.get("date"),
        baseline_value=baseline.get("value"),
    )
    indicator.goals = _ordered(
        IndicatorGoal(date=goal.get("date"), value=goal["value"]) for goal in data.get("goals", [])
    )
    indicator.values = _ordered(
        IndicatorValue(date=value["date"], value=value["value"], source=value.get("source", ""))
        for value in data.get("values", [])
    )
    return indicator


def _indicator_meta(indicator: Indicator) -> dict:
    baseline = {"date": indicator.baseline_date, "value": indicator.baseline_value}
    return {
        "id": indicator.identifier,
        "name": indicator.name,
        "unit": indicator.unit,
        "direction": indicator.direction,
        "common": indicator.common.slug if indicator.common else None,
        "baseline": baseline if indicator.baseline_value is not None else None,
        "goals": [{"date": goal.date, "value": goal.value} for goal in indicator.goals.all()],
        "values": [
            {"date": value.date, "value": value.value, "source": value.source} for value in indicator.series()
        ],
    }


def _action(data: dict, pk, themes: dict, writer) -> Action:
    fields = {name: data.get(name, _cleared(Action, name)) for name in ACTION_SIMPLE}
    action = Action(pk=pk, identifier=data["id"], **fields)
    action.theme = themes.get(data.get("theme"))
    action.partners = "; ".join(data.get("partners", []))
    action.indicator_ids = ", ".join(data.get("indicators", []))
    action.lessons = [writer.page(ref, "actions.lessons") for ref in data.get("lessons", [])]
    action.updates = _ordered(
        StatusUpdate(date=update["date"], author=update["author"], status=update.get("status", ""), text=update["text"])
        for update in data.get("updates", [])
    )
    action.adaptations = _ordered(
        _adoption(ActionAdoption(outcome_indicator=item.get("indicator", "")), item, writer, "actions.adapted_from")
        for item in data.get("adapted_from", [])
    )
    return action


def _action_meta(action: Action) -> dict:
    return {
        "id": action.identifier,
        **{name: getattr(action, name) for name in ACTION_SIMPLE},
        "theme": action.theme.name if action.theme else None,
        "partners": action.partner_list(),
        "indicators": action.indicator_identifiers(),
        "lessons": [reference_for(lesson.specific) for lesson in action.lessons.all()],
        "updates": [
            {"date": update.date, "author": update.author, "status": update.status, "text": update.text}
            for update in action.updates.all()
        ],
        "adapted_from": [
            {**_adoption_meta(adoption), "indicator": adoption.outcome_indicator}
            for adoption in action.adaptations.all()
        ],
    }


ADOPTION_SIMPLE = ("changes", "outcome", "outcome_date", "outcome_note")


def _adoption(adoption, data: dict, writer, field_name: str):
    """An adoption record from its front matter: ``from`` names the page, and after ``#`` an action of a plan."""
    page, _separator, action = data["from"].partition("#")
    adoption.source_page = writer.page(page, field_name)
    adoption.source_action = action
    for name in ADOPTION_SIMPLE:
        setattr(adoption, name, data.get(name, _cleared(type(adoption), name)))
    return adoption


def _adoption_meta(adoption) -> dict:
    source = reference_for(adoption.source_page.specific) if adoption.source_page_id else None
    if source and adoption.source_action:
        source = f"{source}#{adoption.source_action}"
    return {"from": source, **{name: getattr(adoption, name) for name in ADOPTION_SIMPLE}}


class VisitReportCodec(CityContentCodec):
    kind = "visit_report"
    fields = {
        **CityContentCodec.base_fields,
        "host_city": Field(city_label, required=True),
        "visiting_cities": Field(list_of(city_label, ordered=False)),
        "start_date": Field(date, required=True),
        "end_date": Field(date, required=True),
        "module": Field(choice(ProgrammeModule.choices), required=True),
        "participants": Field(integer),
        "outputs": Field(list_of(reference("lesson", "action_plan"))),
    }
    simple = (*CONTENT_SIMPLE, "start_date", "end_date", "module", "participants")
    sections = (("agenda", "Agenda"), ("findings", "Findings"))

    def fill_fields(self, page, document, writer):
        super().fill_fields(page, document, writer)
        page.host_city = writer.city(document.meta["host_city"], "host_city")  # required before the first save

    def fill_relations(self, page, document, writer):
        super().fill_relations(page, document, writer)
        meta = document.meta
        page.visiting_cities = [writer.city(label, "visiting_cities") for label in meta.get("visiting_cities", [])]
        page.outputs = [VisitReportOutput(target=writer.page(ref, "outputs")) for ref in meta.get("outputs", [])]

    def meta(self, page):
        return {
            **super().meta(page),
            "host_city": page.host_city.label,
            "visiting_cities": sorted(city.label for city in page.visiting_cities.all()),
            "outputs": [reference_for(output.target.specific) for output in page.outputs.all()],
        }


class CaseStudyCodec(Codec):
    kind = "case_study"
    fields = {
        **CONTENT,
        "items": Field(list_of(case_study_item, unique=False)),
    }
    simple = CONTENT_SIMPLE

    def parent(self, document, writer):
        return writer.structure.case_studies

    def fill_relations(self, page, document, writer):
        super().fill_relations(page, document, writer)
        page.items = [
            CaseStudyItem(target=writer.page(item["ref"], "items"), note=item.get("note", ""))
            for item in document.meta.get("items", [])
        ]

    def meta(self, page):
        items = [{"ref": reference_for(item.target.specific), "note": item.note} for item in page.items.all()]
        return {**super().meta(page), "items": items}

    def folder(self, page):
        return CASE_STUDY_OWNER


CODECS: dict[str, Codec] = {
    codec.kind: codec
    for codec in (CityCodec(), LessonCodec(), ActionPlanCodec(), VisitReportCodec(), CaseStudyCodec())
}
# Front-matter fields of each kind, validated by ``schema.parse_document``.
TYPES: dict[str, dict[str, Field]] = {kind: codec.fields for kind, codec in CODECS.items()}


def codec_of(page) -> Codec:
    from kb.content_types import kind_of

    return CODECS[kind_of(page).key]


def reference_for(page) -> str:
    """``type:owner/slug`` — how files refer to a page."""
    codec = codec_of(page)
    return f"{codec.kind}:{codec.folder(page)}/{page.slug}"


def relative_path(page) -> Path:
    return Path(codec_of(page).folder(page)) / f"{page.slug}.md"


HEADER = {"type": Field(text, required=True), "title": Field(text_of(255), required=True), "slug": Field(slug)}
CITY_HEADER = {**HEADER, "title": Field(city_name, required=True)}  # a city's title is its name


def parse_document(raw: dict, body: str, path, vocabulary: Vocabulary) -> ContentDocument:
    """Validate a file's front matter; raise ``ContentFileError`` naming the first bad field."""
    kind = raw.get("type")
    if not isinstance(kind, str) or kind not in TYPES:
        field_name, message = "type", f"'{str(kind)[:50]}' is not one of: {', '.join(TYPES)}"
        if kind is None:
            message = "is required"
        raise ContentFileError(path, field_name, message)
    try:
        header = parse_fields({k: raw.get(k) for k in HEADER}, CITY_HEADER if kind == "city" else HEADER, vocabulary)
        meta = parse_fields({k: v for k, v in raw.items() if k not in HEADER}, TYPES[kind], vocabulary)
        CODECS[kind].check(meta)
    except NamedFieldError as error:
        raise ContentFileError(path, error.name, str(error)) from None
    return ContentDocument(
        type=kind,
        title=header["title"],
        slug=header.get("slug") or _slug_from_title(header["title"], path),
        meta=meta,
        body=body.strip(),
        path=path,
    )


def _slug_from_title(title: str, path) -> str:
    generated = slug_for(title)
    if not generated:
        raise ContentFileError(path, "slug", f"cannot derive a slug from the title '{title}'; give one")
    return generated[:255]
