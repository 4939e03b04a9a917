"""The network search service: the configured backend answers, and the database when the engine cannot.

This is the one place that decides; everything else asks the service.
"""

import logging
from collections.abc import Callable
from dataclasses import replace

from django.utils.translation import gettext as _

from . import spelling
from .backends import SearchBackend, database_backend, engine_backend
from .engine import EngineError, QueryTooComplex
from .query import InvalidSearch, SearchRequest
from .results import SearchHit, SearchResponse, Suggestion

logger = logging.getLogger(__name__)


def _answer(operation: Callable[[SearchBackend], object], what: str):
    """``operation`` on the engine, or on the database when there is no engine or it fails; and who answered."""
    engine = engine_backend()
    if engine is not None:
        try:
            return operation(engine), engine.name, False
        except QueryTooComplex as error:
            raise InvalidSearch("q", _("The query is too complex for the search engine; use fewer words.")) from error
        except EngineError as error:
            logger.warning("%s fell back to the database: %s", what, error)
    database = database_backend()
    return operation(database), database.name, engine is not None


FEW_RESULTS = 3  # below this, a better spelling of the query is offered
ALSO_MAX_WORDS = 8  # longer queries are not searched twice over (the engine's clause limit; questions)


def search(request: SearchRequest) -> SearchResponse:
    fell_back = False

    def answer(request: SearchRequest) -> SearchResponse:
        nonlocal fell_back
        response, _name, fell_back = _answer(lambda backend: backend.search(request), "search")
        return response

    response = with_second_chance(request, answer)
    if fell_back:
        response.notice = _(
            "The search engine is not available right now; these results come from a simpler database search."
        )
    return response


def with_second_chance(request: SearchRequest, answer: Callable[[SearchRequest], SearchResponse]) -> SearchResponse:
    """``answer(request)``, and when it finds nothing, a second chance: the query spelled as the documents spell
    it, then any of its words instead of most of them (saying which words the results lack); and when it finds
    fewer than a few, what is less clearly related by meaning as well (``widened``)."""
    request, correction = prepared(request)
    response = answer(request)
    if request.also and response.total:
        response.suggestion = request.also  # its results are among these: say what was searched as well
    if not request.query or response.total >= FEW_RESULTS:
        return response
    if response.total or not request.correct:
        response = widened(request, response, answer)
        response.suggestion = correction or (spelling.corrected(request.query) if request.query else None)
        return response
    if correction:
        corrected = answer(replace(request, query=correction, also=""))
        if corrected.total:
            corrected.corrected_from = request.query
            return corrected
    words = [word for group in request.parsed.groups for word in group.words]
    if words and request.parsed.words > 1:
        relaxed = answer(replace(request, relaxed=True))
        if relaxed.total:
            relaxed.dropped_terms = database_backend().missing_words(words, [hit.key for hit in relaxed.results])
            return relaxed
    response = widened(request, response, answer)
    response.suggestion = correction
    return response


def prepared(request: SearchRequest) -> tuple[SearchRequest, str | None]:
    """The request as it is sent, and the query spelled as the documents spell it (``None`` when every word is
    spelled so): the correction is matched as well, and only then are passages highlighted where a word matched
    with a typo."""
    correction = spelling.corrected(request.query) if request.query and request.correct else None
    if correction and not request.also and request.parsed.words <= ALSO_MAX_WORDS:
        request = replace(request, also=correction)
    return replace(request, misspelt=correction is not None), correction


def widened(request: SearchRequest, response: SearchResponse, answer) -> SearchResponse:
    """The same search with meaning's threshold lowered (``SearchRequest.widened``), when that finds more: a
    narrow filter or a rare subject leaves few documents that stand out by meaning among all of them."""
    if not request.uses_meaning or request.widened:
        return response
    wider = answer(replace(request, widened=True))
    return wider if wider.total > response.total else response


def suggest(text: str, limit: int = 8) -> tuple[list[Suggestion], str]:
    suggestions, name, _fell_back = _answer(lambda backend: backend.suggest(text, limit), "suggestions")
    return suggestions, name


def related(page, limit: int = 5) -> tuple[list[SearchHit], str]:
    hits, name, _fell_back = _answer(lambda backend: backend.related(page, limit), "related content")
    return hits, name
