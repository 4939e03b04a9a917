"""The answer of a search, the same whichever backend produced it."""

import datetime
from dataclasses import asdict, dataclass, field

import nh3

from kb.content_types import DOCUMENT_KINDS
from plans.models import ActionStatus

from .facets import FACETS
from .query import SearchRequest


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool = False


@dataclass
class SearchHit:
    id: int  # the page's id; for a record (an action), the record's own id: its page is ``plan``
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
    by_meaning: bool = False  # found by meaning alone: it shares no word with the query
    plan: dict | None = None  # an action's plan: {"id", "title", "url"}
    status: str | None = None  # an action's status (``plans.models.ActionStatus``)
    key: str = ""  # the document's id, unique across types: "123", "action-123-2"

    @property
    def type_label(self) -> str:
        kind = DOCUMENT_KINDS.get(self.type)
        return str(kind.label) if kind else self.type

    @property
    def status_label(self) -> str:
        return str(dict(ActionStatus.choices).get(self.status, self.status or ""))

    @property
    def day(self) -> datetime.date | None:
        """The date as a date, for templates to format in the reader's language."""
        return datetime.date.fromisoformat(self.date) if self.date else None


@dataclass
class Suggestion:
    id: int
    title: str
    url: str
    type: str


@dataclass
class SearchResponse:
    request: SearchRequest
    total: int
    engine: str
    results: list[SearchHit]
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    suggestion: str | None = None  # a corrected spelling of the query, when it would find more
    corrected_from: str | None = None  # the query as typed, when these are the results of its correction
    dropped_terms: list[str] = field(default_factory=list)  # words left out because no document has them
    notice: str | None = None

    def as_json(self) -> dict:
        return {
            "query": self.request.query,
            "total": self.total,
            "page": self.request.page,
            "page_size": self.request.page_size,
            "engine": self.engine,
            "suggestion": self.suggestion,
            "corrected_from": self.corrected_from,
            "dropped_terms": self.dropped_terms,
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


def hit_id(document_id: str, display: dict) -> int:
    """What a result calls its id: the page's, or for a record (an action), the record's own."""
    return int(document_id) if document_id.isdigit() else int(display.get("record") or 0)


def sanitise_highlight(fragment: str) -> str:
    """Snippets are escaped by the engine; this keeps ``<mark>`` and nothing else, whatever happens upstream."""
    return nh3.clean(fragment, tags={"mark"}, attributes={})


def facet_values(request: SearchRequest, counts: dict[str, dict[str, int]]) -> dict[str, list[FacetValue]]:
    """Labelled facet values, largest first; a selected value is listed even when it counts zero."""
    facets = {}
    for facet in FACETS:
        found = dict(counts.get(facet.name, {}))
        selected = request.filters.get(facet.name, ())
        for value in selected:
            found.setdefault(value, 0)
        labels = facet.value_labels(found)
        values = [
            FacetValue(value, labels.get(value, value), count, value in selected) for value, count in found.items()
        ]
        if facet.newest_first:
            values.sort(key=lambda v: v.value, reverse=True)
        else:
            values.sort(key=lambda v: (-v.count, v.label.lower()))
        facets[facet.name] = values
    return facets
