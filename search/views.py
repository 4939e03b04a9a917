"""The network search page: server-rendered, usable without JavaScript."""

from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from . import service
from .embeddings import get_embedder
from .facets import NAMES as FACET_NAMES
from .query import InvalidSearch, build_request

PAGE_SIZE = 20
SORT_LABELS = {"relevance": _("Relevance"), "newest": _("Newest")}


def search(request):
    params = request.GET
    try:
        page = int(params.get("page") or 1)
    except ValueError:
        return _error(request, "page", "page must be a whole number")
    try:
        search_request = build_request(
            params.get("q", ""),
            sort=params.get("sort") or "relevance",
            page=page,
            page_size=PAGE_SIZE,
            correct=params.get("exact") != "1",
            **{name: params.getlist(name) for name in FACET_NAMES},
        )
        response = service.search(search_request)
    except InvalidSearch as error:
        return _error(request, error.parameter, error.message)
    return render(
        request,
        "search/search.html",
        {
            "query": search_request.query,
            "response": response,
            "sort": search_request.sort,
            "sorts": SORT_LABELS,
            "has_filters": bool(search_request.filters),
            "semantic": get_embedder() is not None,
            "page_numbers": _page_window(search_request.page, response.pages),
        },
    )


def _error(request, parameter: str, message: str):
    return render(
        request,
        "search/search.html",
        {"query": request.GET.get("q", ""), "error": message, "error_parameter": parameter},
        status=400,
    )


def _page_window(current: int, last: int, width: int = 2) -> list[int]:
    return list(range(max(1, current - width), min(last, current + width) + 1))
