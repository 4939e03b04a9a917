"""The facets of the network search, defined once.

Each facet names its URL/API parameter, the document field that holds it (the same name in the engine's index
and in the database backend's table), its translated label, how its values are checked and how they are
labelled. The request parser, both backends, the API schema, the templates and the results all read this table.
"""

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from kb.content_types import DOCUMENT_KINDS
from kb.models import CONTENT_LANGUAGES, CityPage, CityRole, Theme
from kb.themes import theme_name

MAX_NUMBER_DIGITS = 4  # numeric values are cohorts and years


@dataclass(frozen=True)
class Facet:
    name: str  # the URL and API parameter, and the key in responses
    field: str  # the document field it filters and counts
    label: Promise
    value_labels: Callable[[Iterable[str]], dict[str, str]]  # value → label in the active language
    help: str = ""  # the API's description of the values
    numeric: bool = False  # whole numbers only (they meet integer columns in the database)
    case: str = "lower"  # how values are normalised: "lower", "upper" or "" (as given)
    newest_first: bool = False  # list values in descending order instead of by count

    def normalise(self, value: str) -> str:
        if self.case == "lower":
            return value.lower()
        if self.case == "upper":
            return value.upper()
        return value

    def valid(self, value: str) -> bool:
        return not self.numeric or (value.isascii() and value.isdigit() and len(value) <= MAX_NUMBER_DIGITS)


def _kinds(values):
    """A kind's plural: the filter offers "Lessons", "Action Plans", "Actions"."""
    return {value: str(DOCUMENT_KINDS[value].plural) for value in values if value in DOCUMENT_KINDS}


def _countries(values):
    return {value: str(countries.name(value)) or value for value in values}


def _roles(values):
    return {str(value): str(label) for value, label in CityRole.choices}


def _cohorts(values):
    return {value: gettext("Cohort %(number)s") % {"number": value} for value in values}


def _themes(values):
    return {slug: theme_name(name) for slug, name in _names("theme").items()}


def _cities(values):
    return _names("city")


def _languages(values):
    return {code: gettext(name) for code, name in CONTENT_LANGUAGES}


REUSE_LABELS = {"reused": _("Reused by other cities"), "proven": _("Worked in another city")}


def _reuse(values):
    return {value: str(REUSE_LABELS[value]) for value in values if value in REUSE_LABELS}


def _as_given(values):
    return {value: value for value in values}


FACETS: tuple[Facet, ...] = (
    Facet("type", "type", _("Type"), _kinds, ", ".join(DOCUMENT_KINDS)),
    Facet("country", "country", _("Country"), _countries, "ISO 3166-1 alpha-2 codes", case="upper"),
    Facet("city", "city", _("City"), _cities, "City slugs"),
    Facet("role", "role", _("Role in the Mission"), _roles, "pilot, twin, mission, member"),
    Facet("cohort", "cohort", _("Cohort"), _cohorts, "Programme cohort numbers", numeric=True),
    Facet("theme", "themes", _("Theme"), _themes, "Theme slugs"),
    Facet("language", "language", _("Language"), _languages, "ISO 639-1 codes"),
    Facet("year", "year", _("Year"), _as_given, "Years", numeric=True, newest_first=True),
    Facet("reuse", "reuse", _("Reused elsewhere"), _reuse, "reused (adapted by another city), proven (worked there)"),
)
BY_NAME: dict[str, Facet] = {facet.name: facet for facet in FACETS}
NAMES: tuple[str, ...] = tuple(BY_NAME)


NAMES_TTL = 60.0  # seconds city and theme names are reused between searches
_names_cache: dict[str, tuple[float, dict[str, str]]] = {}


def _names(kind: str) -> dict[str, str]:
    """Slug → name of every city or theme, kept briefly: a search must not wait for the database to label facets."""
    cached = _names_cache.get(kind)
    if cached and time.monotonic() - cached[0] < NAMES_TTL:
        return cached[1]
    model = CityPage if kind == "city" else Theme
    names = dict(model.objects.values_list("slug", "title" if kind == "city" else "name"))
    _names_cache[kind] = (time.monotonic(), names)
    return names


def describe_search(query: str, filters: dict[str, list[str]]) -> str:
    """A search in words, in the active language: “heat pumps” · Theme: Energy, Mobility · Country: Germany."""
    parts = [f"“{query}”"] if query else [gettext("Everything")]
    for name, values in filters.items():
        if facet := BY_NAME.get(name):
            labels = facet.value_labels(values)
            parts.append(f"{facet.label}: {', '.join(labels.get(value, value) for value in values)}")
    return " · ".join(parts)
