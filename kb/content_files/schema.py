"""Front-matter fields of each content type, validated into canonical Python values.

Canonical means: the form the exporter writes back. Empty optional fields are left out, defaults are filled
in, themes carry their vocabulary name and references are ``type:city-slug/slug``; so a document parsed from
an exported file equals the document it was exported from.
"""

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.text import slugify
from django_countries import countries

from kb.models import CONTENT_LANGUAGES
from kb.names import name_problem
from lineage.models import Outcome
from plans.models import ActionStatus, Direction, Phase

LANGUAGE_CODES = {code for code, _name in CONTENT_LANGUAGES}
CITY_LABEL = re.compile(r"^(?P<name>[^()]+?)\s*\((?P<country>[A-Za-z]{2})\)$")
REFERENCE = re.compile(r"^(?P<type>[a-z_]+):(?P<owner>[a-z0-9-]+)/(?P<slug>[a-z0-9-]+)$")


class FieldError(ValueError):
    """A value that does not fit its field; the caller adds the file and field name."""


@dataclass(frozen=True)
class Field:
    parse: Callable[[Any, "Vocabulary"], Any]
    required: bool = False
    default: Any = None


@dataclass
class Vocabulary:
    """Names and slugs of the themes, so that parsing does not query the database per value."""

    themes: dict[str, str]  # lower-case name or slug → canonical name
    common_indicators: frozenset[str] = frozenset()  # slugs of the network's common indicators

    @classmethod
    def load(cls):
        from kb.models import Theme
        from plans.models import CommonIndicator

        themes = {}
        for name, slug in Theme.objects.values_list("name", "slug"):
            themes[name.lower()] = name
            themes[slug] = name
        return cls(themes, frozenset(CommonIndicator.objects.values_list("slug", flat=True)))


def scalar(value) -> None:
    """Lists and mappings are refused before any conversion looks at them (``str()`` of a nested list is huge)."""
    if isinstance(value, (list, dict)):
        raise FieldError(f"must be a single value, not a {'list' if isinstance(value, list) else 'mapping'}")


# Control characters other than tab and line breaks: PostgreSQL refuses NUL in text, and none is ever meant.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def text(value, _vocabulary=None) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise FieldError(f"must be text, not {type(value).__name__}")
    value = str(value).strip()
    if found := CONTROL_CHARACTERS.search(value):
        raise FieldError(f"contains the control character U+{ord(found.group()):04X}")
    return value


def text_of(max_length: int) -> Callable:
    """Text that fits a model field of ``max_length`` characters."""

    def parse(value, _vocabulary=None) -> str:
        value = text(value)
        if len(value) > max_length:
            raise FieldError(f"is {len(value)} characters long; at most {max_length} fit")
        return value

    return parse


def city_name(value, _vocabulary=None) -> str:
    value = text(value)
    if problem := name_problem(value):
        if CITY_LABEL.match(value):
            problem += "; give the name alone, the country goes in 'country'"
        raise FieldError(problem)
    return value


def date(value, _vocabulary=None) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    scalar(value)
    try:
        return datetime.date.fromisoformat(str(value).strip())
    except ValueError:
        raise FieldError(f"'{value}' is not a valid date (YYYY-MM-DD)") from None


def integer(value, _vocabulary=None) -> int:
    scalar(value)
    if isinstance(value, bool):
        raise FieldError("must be a whole number")
    try:
        number = int(str(value).strip())
    except ValueError:
        raise FieldError(f"'{value}' is not a whole number") from None
    if number < 0:
        raise FieldError("must not be negative")
    return number


def decimal(value, _vocabulary=None) -> Decimal:
    scalar(value)
    if isinstance(value, bool):
        raise FieldError("must be a number")
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise FieldError(f"'{value}' is not a number") from None
    if not number.is_finite():
        raise FieldError("must be a finite number")
    return number


def boolean(value, _vocabulary=None) -> bool:
    if not isinstance(value, bool):
        raise FieldError("must be true or false")
    return value


def choice(choices) -> Callable:
    values = [value for value, _label in choices]

    def parse(value, _vocabulary=None) -> str:
        value = text(value).lower()
        if value not in values:
            raise FieldError(f"'{value}' is not one of: {', '.join(values)}")
        return value

    return parse


def country(value, _vocabulary=None) -> str:
    code = text(value).upper()
    if code not in dict(countries):
        raise FieldError(f"'{value}' is not an ISO 3166-1 alpha-2 country code")
    return code


def language(value, _vocabulary=None) -> str:
    code = text(value).lower()
    if code not in LANGUAGE_CODES:
        raise FieldError(f"'{value}' is not an ISO 639-1 language code")
    return code


def url(value, _vocabulary=None) -> str:
    value = text(value)
    try:
        URLValidator(schemes=["http", "https"])(value)
    except ValidationError:
        raise FieldError(f"'{value}' is not an http(s) URL") from None
    return value


def slug(value, _vocabulary=None) -> str:
    value = text_of(255)(value)
    if not value or slugify(value) != value:
        raise FieldError(f"'{value}' is not a slug (lower-case letters, digits and hyphens)")
    return value


def city_label(value, _vocabulary=None) -> str:
    match = CITY_LABEL.match(text(value))
    if not match:
        raise FieldError(f"'{value}' is not a city as 'Name (CC)'")
    return f"{city_name(match['name'].strip())} ({country(match['country'])})"


def theme(value, vocabulary: "Vocabulary") -> str:
    key = text(value)
    name = vocabulary.themes.get(key.lower()) or vocabulary.themes.get(slugify(key))
    if not name:
        raise FieldError(f"unknown theme '{key}' (known: {', '.join(sorted(set(vocabulary.themes.values())))})")
    return name


def common_indicator(value, vocabulary: "Vocabulary") -> str:
    key = slug(value)
    if key not in vocabulary.common_indicators:
        known = ", ".join(sorted(vocabulary.common_indicators)) or "none defined"
        raise FieldError(f"unknown common indicator '{key}' (known: {known})")
    return key


def reference(*types: str) -> Callable:
    def parse(value, _vocabulary=None) -> str:
        value = text(value).lower()
        match = REFERENCE.match(value)
        if not match or match["type"] not in types:
            raise FieldError(
                f"'{value}' is not a reference like '{types[0]}:city-slug/page-slug' to a {' or '.join(types)}"
            )
        return value

    return parse


def list_of(parse_item: Callable, *, unique: bool = True, ordered: bool = True) -> Callable:
    """A list of values; unordered lists (sets in the model, such as themes) are sorted to be canonical."""

    def parse(value, vocabulary=None) -> list:
        if not isinstance(value, list):
            raise FieldError("must be a list")
        items = []
        for position, item in enumerate(value, start=1):
            try:
                parsed = parse_item(item, vocabulary)
            except FieldError as error:
                raise FieldError(f"item {position}: {error}") from None
            if not unique or parsed not in items:
                items.append(parsed)
        return items if ordered else sorted(items)

    return parse


def mapping(fields: dict[str, Field]) -> Callable:
    """A nested mapping (an action, a KPI, a twinning) validated with its own fields."""

    def parse(value, vocabulary=None) -> dict:
        if not isinstance(value, dict):
            raise FieldError("must be a mapping of fields")
        try:
            return parse_fields(value, fields, vocabulary)
        except NamedFieldError as error:
            raise FieldError(f"field '{error.name}': {error}") from None

    return parse


class NamedFieldError(FieldError):
    def __init__(self, name: str, message: str):
        super().__init__(message)
        self.name = name


def parse_fields(raw: dict, fields: dict[str, Field], vocabulary) -> dict:
    unknown = sorted(set(map(str, raw)) - set(fields))
    if unknown:
        raise NamedFieldError(unknown[0], f"unknown field (allowed: {', '.join(fields)})")
    values = {}
    for name, spec in fields.items():
        value = raw.get(name)
        if value is None or value == "" or value == []:
            if spec.required:
                raise NamedFieldError(name, "is required")
            if spec.default is not None:
                values[name] = spec.default
            continue
        try:
            values[name] = spec.parse(value, vocabulary)
        except FieldError as error:
            raise NamedFieldError(name, str(error)) from None
    return values


POINT = {"date": Field(date), "value": Field(decimal, required=True)}
MEASURED = {"date": Field(date, required=True), "value": Field(decimal, required=True), "source": Field(text_of(255))}
INDICATOR = {
    "id": Field(slug, required=True),
    "name": Field(text_of(200), required=True),
    "unit": Field(text_of(40)),
    "direction": Field(choice(Direction.choices), default=Direction.INCREASE.value),
    "common": Field(common_indicator),
    "baseline": Field(mapping(POINT)),
    "goals": Field(list_of(mapping(POINT), unique=False)),
    "values": Field(list_of(mapping(MEASURED), unique=False)),
}
STATUS_UPDATE = {
    "date": Field(date, required=True),
    "author": Field(text_of(120), required=True),
    "status": Field(choice(ActionStatus.choices)),
    "text": Field(text_of(2000), required=True),
}
def adoption_source(value, _vocabulary=None) -> str:
    """What was adapted: ``lesson:…``, ``visit_report:…``, ``action_plan:…``, or one action of a plan,
    ``action_plan:city-slug/plan-slug#action-id``."""
    page, separator, action = text(value).lower().partition("#")
    try:
        page = reference("lesson", "visit_report", "action_plan")(page)
    except FieldError:
        raise FieldError(
            f"'{value}' is not a reference like 'lesson:city-slug/page-slug' to a lesson, visit report or action "
            "plan, or like 'action_plan:city-slug/plan-slug#action-id' to an action"
        ) from None
    if separator and not page.startswith("action_plan:"):
        raise FieldError(f"'{value}': only an action plan has actions (#{action})")
    return f"{page}#{slug(action)}" if separator else page


ADOPTION = {
    "from": Field(adoption_source, required=True),
    "changes": Field(text),
    "outcome": Field(choice(Outcome.choices)),
    "outcome_date": Field(date),
    "outcome_note": Field(text),
}
ACTION_ADOPTION = {**ADOPTION, "indicator": Field(slug)}

ACTION = {
    "id": Field(slug, required=True),
    "title": Field(text_of(255), required=True),
    "description": Field(text),
    "theme": Field(theme),
    "lead_department": Field(text_of(200)),
    "partners": Field(list_of(text)),
    "phase": Field(choice(Phase.choices)),
    "status": Field(choice(ActionStatus.choices), default=ActionStatus.PLANNED.value),
    "status_reason": Field(text_of(500)),
    "planned_start": Field(date),
    "planned_end": Field(date),
    "actual_start": Field(date),
    "actual_end": Field(date),
    "budget_planned_eur": Field(decimal),
    "budget_spent_eur": Field(decimal),
    "indicators": Field(list_of(slug)),
    "lessons": Field(list_of(reference("lesson"))),
    "updates": Field(list_of(mapping(STATUS_UPDATE), unique=False)),
    "adapted_from": Field(list_of(mapping(ACTION_ADOPTION), unique=False)),
}
TWIN = {
    "city": Field(city_label, required=True),
    "cohort": Field(integer),
    "start": Field(date),
    "end": Field(date),
}
CASE_STUDY_ITEM = {
    "ref": Field(reference("lesson", "action_plan", "visit_report"), required=True),
    "note": Field(text),
}


def case_study_item(value, vocabulary=None) -> dict:
    """An item is a bare reference or a ``{ref, note}`` mapping; canonically always the mapping."""
    return mapping(CASE_STUDY_ITEM)({"ref": value} if isinstance(value, str) else value, vocabulary)
