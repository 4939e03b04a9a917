"""The network search service: the configured backend answers, and the database when the engine cannot.

This is the one place that decides; everything else asks the service.
"""

import logging
from collections.abc import Callable

from django.utils.translation import gettext as _

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


def search(request: SearchRequest) -> SearchResponse:
    response, _name, fell_back = _answer(lambda backend: backend.search(request), "search")
    if fell_back:
        response.notice = _(
            "The search engine is not available right now; these results come from a simpler database search."
        )
    return response


def suggest(text: str, limit: int = 8) -> tuple[list[Suggestion], str]:
    suggestions, name, _fell_back = _answer(lambda backend: backend.suggest(text, limit), "suggestions")
    return suggestions, name


def related(page, limit: int = 5) -> tuple[list[SearchHit], str]:
    hits, name, _fell_back = _answer(lambda backend: backend.related(page, limit), "related content")
    return hits, name
