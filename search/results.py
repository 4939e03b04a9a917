"""The answer of a search, the same whichever engine produced it."""

import time
from dataclasses import asdict, dataclass, field

import nh3

from kb.models import CityPage, Theme

from .documents import TYPE_LABELS
from .query import COUNTRY_NAMES, FACETS, LANGUAGE_NAMES, ROLE_NAMES, SearchRequest


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool = False


@dataclass
class SearchHit:
    id: int
    slug: str
    type: str
    title: str
    url: str
    summary: str
    highlight: str
    city: dict | None
    themes: list[dict]
    language: str
    date: str | None

    @property
    def type_label(self) -> str:
        return TYPE_LABELS.get(self.type, self.type)


@dataclass
class SearchResponse:
    request: SearchRequest
    total: int
    engine: str
    results: list[SearchHit]
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    suggestion: str | None = None
    notice: str | None = None

    def as_json(self) -> dict:
        return {
            "query": self.request.query,
            "total": self.total,
            "page": self.request.page,
            "page_size": self.request.page_size,
            "engine": self.engine,
            "suggestion": self.suggestion,
            "ignored_terms": self.request.parsed.ignored,
            "results": [asdict(hit) for hit in self.results],
            "facets": {
                name: [{"value": v.value, "label": v.label, "count": v.count} for v in values]
                for name, values in self.facets.items()
            },
        }

    @property
    def pages(self) -> int:
        return -(-self.total // self.request.page_size) if self.total else 0


def sanitise_highlight(fragment: str) -> str:
    """Snippets are escaped by the engine; this keeps ``<mark>`` and nothing else, whatever happens upstream."""
    return nh3.clean(fragment, tags={"mark"}, attributes={})


def facet_values(request: SearchRequest, counts: dict[str, dict[str, int]]) -> dict[str, list[FacetValue]]:
    """Labelled facet values, largest first; a selected value is listed even when it counts zero."""
    labels = _labels(counts)
    facets = {}
    for name in FACETS:
        found = dict(counts.get(name, {}))
        for value in request.filters.get(name, ()):
            found.setdefault(value, 0)
        values = [
            FacetValue(value, str(labels[name].get(value, value)), count, value in request.filters.get(name, ()))
            for value, count in found.items()
        ]
        if name == "year":
            values.sort(key=lambda v: v.value, reverse=True)
        else:
            values.sort(key=lambda v: (-v.count, v.label.lower()))
        facets[name] = values
    return facets


def _labels(counts: dict[str, dict[str, int]]) -> dict[str, dict[str, str]]:
    return {
        "type": TYPE_LABELS,
        "country": COUNTRY_NAMES,
        "city": _names("city"),
        "role": ROLE_NAMES,
        "cohort": {value: f"Cohort {value}" for value in counts.get("cohort", {})},
        "theme": _names("theme"),
        "language": LANGUAGE_NAMES,
        "year": {value: value for value in counts.get("year", {})},
    }


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
