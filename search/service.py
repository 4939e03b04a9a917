"""The network search service: the engine when it answers, the database when it does not."""

import logging

from django.utils.translation import gettext as _

from . import database, engine_search
from .engine import EngineError, QueryTooComplex, get_engine
from .query import InvalidSearch, SearchRequest
from .results import SearchHit, SearchResponse

logger = logging.getLogger(__name__)


def _fallback_notice() -> str:
    return _("The search engine is not available right now; these results come from a simpler database search.")


def search(request: SearchRequest) -> SearchResponse:
    engine = get_engine()
    if engine is not None:
        try:
            return engine_search.search_engine(engine, request)
        except QueryTooComplex as error:
            raise InvalidSearch("q", _("The query is too complex for the search engine; use fewer words.")) from error
        except EngineError as error:
            logger.warning("search engine failed, answering from the database: %s", error)
    response = database.search_database(request)
    if engine is not None:
        response.notice = _fallback_notice()
    return response


def suggest(text: str, limit: int = 8) -> tuple[list[dict], str]:
    engine = get_engine()
    if engine is not None:
        try:
            return engine_search.suggest_titles(engine, text, limit), engine.vendor.lower()
        except EngineError as error:
            logger.warning("suggestions fell back to the database: %s", error)
    return database.suggest_database(text, limit), "database"


def related(page, limit: int = 5) -> tuple[list[SearchHit], str]:
    engine = get_engine()
    if engine is not None:
        try:
            return engine_search.related(engine, page.pk, limit), engine.vendor.lower()
        except EngineError as error:
            logger.warning("related content fell back to the database: %s", error)
    return database.related_database(page, limit), "database"
