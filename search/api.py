"""The JSON API of the network search (django-ninja; the OpenAPI schema is at /api/openapi.json)."""

from dataclasses import asdict

from django.conf import settings
from django.http import HttpRequest
from ninja import Field, NinjaAPI, Query, Schema, Status
from ninja.errors import ValidationError as NinjaValidationError
from ninja.throttling import AnonRateThrottle
from pydantic import create_model

from config.client import client_address
from kb.content_types import is_content
from kb.models import pages

from . import service
from .facets import FACETS
from .query import MAX_PAGE_SIZE, MAX_QUERY_TERMS, InvalidSearch, build_request, clean_query


class ClientRateThrottle(AnonRateThrottle):
    """Per client address, signed in or not, at ``settings.SEARCH_API_RATE`` (read on each request)."""

    def __init__(self):
        super().__init__(settings.SEARCH_API_RATE)

    def allow_request(self, request: HttpRequest) -> bool:
        self.rate = settings.SEARCH_API_RATE
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request)

    def get_ident(self, request: HttpRequest) -> str:
        return client_address(request)  # never ninja's default, which believes any X-Forwarded-For

    def get_cache_key(self, request: HttpRequest) -> str:
        return self.cache_format % {"scope": "search-api", "ident": self.get_ident(request)}


api = NinjaAPI(
    title="EU Cities Mission knowledge base",
    version="1.0",
    description="Search lessons, Action Plans and their actions, visit reports, case studies and city profiles across "
    "the network. "
    "Requests are limited per client (429 with Retry-After beyond the limit).",
    urls_namespace="api",
    throttle=[ClientRateThrottle()],
)


class ErrorOut(Schema):
    detail: str
    parameter: str | None = None


class CityOut(Schema):
    name: str
    slug: str
    country: str


class ThemeOut(Schema):
    name: str
    slug: str


class ResultPlanOut(Schema):
    id: int
    title: str
    url: str


class ResultOut(Schema):
    id: int = Field(description="The page's id; for an action (type action), the action's own id")
    slug: str = Field(description="The page's slug; for an action, its identifier within its plan")
    type: str
    title: str
    url: str
    summary: str
    highlight: str = Field(description="Snippet with matches in <mark>; all other HTML escaped")
    city: CityOut | None
    themes: list[ThemeOut]
    language: str
    date: str | None
    by_meaning: bool = Field(description="Found by meaning alone: it shares no word with the query")
    plan: ResultPlanOut | None = Field(description="For an action: the Action Plan it belongs to (its city is city)")
    status: str | None = Field(
        description="For an action: planned, in_progress, completed, delayed or cancelled, as its city reports"
    )


class FacetValueOut(Schema):
    value: str
    label: str
    count: int


class SearchOut(Schema):
    query: str
    total: int
    page: int
    page_size: int
    engine: str = Field(description="opensearch, elasticsearch, or database when the engine is unavailable")
    suggestion: str | None = Field(description="The query spelled as the documents spell it, when it may find more")
    corrected_from: str | None = Field(
        description="When the query found nothing and these are the results of its correction: the query as typed"
    )
    dropped_terms: list[str] = Field(
        description="When no document had every word and any word was allowed: the words the results lack"
    )
    ignored_terms: list[str] = Field(description=f"Terms beyond the first {MAX_QUERY_TERMS}, which were not searched")
    results: list[ResultOut]
    facets: dict[str, list[FacetValueOut]]


# The query, one repeatable parameter per facet (from the facet table), then sorting and paging.
SearchParams = create_model(
    "SearchParams",
    __base__=Schema,
    q=(str, Field("", description='Words, "phrases", -exclusions, OR, prefix*')),
    **{facet.name: (list[str], Field([], description=facet.help)) for facet in FACETS},
    sort=(str, Field("relevance", description="relevance or newest")),
    page=(int, Field(1, ge=1)),
    page_size=(int, Field(10, ge=1, le=MAX_PAGE_SIZE)),
    exact=(bool, Field(False, description="Do not search for a corrected spelling when the query finds nothing")),
)


class SuggestionOut(Schema):
    id: int
    title: str
    url: str
    type: str


class SuggestOut(Schema):
    query: str
    engine: str
    suggestions: list[SuggestionOut]


class RelatedOut(Schema):
    engine: str
    results: list[ResultOut]


@api.exception_handler(NinjaValidationError)
def invalid_parameters(request: HttpRequest, error: NinjaValidationError):
    first = error.errors[0] if error.errors else {}
    location = [str(part) for part in first.get("loc", []) if part not in ("query", "path", "filters")]
    parameter = location[0] if location else None
    message = first.get("msg", "invalid parameter")
    return api.create_response(request, {"detail": f"{parameter}: {message}", "parameter": parameter}, status=400)


@api.exception_handler(InvalidSearch)
def invalid_search(request: HttpRequest, error: InvalidSearch):
    return api.create_response(request, {"detail": error.message, "parameter": error.parameter}, status=400)


@api.get("/search", response={200: SearchOut, 400: ErrorOut}, summary="Search the network")
def search(request: HttpRequest, filters: Query[SearchParams]):
    params = filters.dict()
    query = params.pop("q")
    search_request = build_request(
        query,
        sort=params.pop("sort"),
        page=params.pop("page"),
        page_size=params.pop("page_size"),
        correct=not params.pop("exact"),
        **params,
    )
    return service.search(search_request).as_json()


@api.get("/search/suggest", response={200: SuggestOut}, summary="Title suggestions as you type")
def suggest(request: HttpRequest, q: str = ""):
    text = clean_query(q)[:100]
    if len(text) < 2:
        return {"query": text, "engine": "none", "suggestions": []}
    suggestions, engine = service.suggest(text)
    return {"query": text, "engine": engine, "suggestions": [asdict(suggestion) for suggestion in suggestions]}


@api.get("/pages/{page_id}/related", response={200: RelatedOut, 404: ErrorOut}, summary="Related content")
def related(request: HttpRequest, page_id: int):
    page = pages().published().filter(pk=page_id).specific().first()
    if page is None or not is_content(page):
        return Status(404, {"detail": f"no published page {page_id} with related content", "parameter": "page_id"})
    hits, engine = service.related(page)
    return {"engine": engine, "results": [asdict(hit) for hit in hits]}


# The Action Plans' and the lineage's endpoints: plans/api.py and lineage/api.py mount their routers on this API
# (one throttle, one OpenAPI document).
import lineage.api  # noqa: E402, F401
import plans.api  # noqa: E402, F401
