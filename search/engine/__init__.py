"""One small interface to the search engine, with a module per client library.

Request bodies are built with elasticsearch-dsl and are the same for every engine; a transport only sends
them. elasticsearch-py refuses to talk to OpenSearch, so OpenSearch goes through opensearch-py.
"""

from functools import lru_cache

from search.conf import search_settings

from .base import EngineError, EngineUnavailable, QueryTooComplex, SearchEngine

__all__ = ["EngineError", "EngineUnavailable", "QueryTooComplex", "SearchEngine", "get_engine", "engine_for"]


def get_engine() -> SearchEngine | None:
    """The configured engine, or ``None`` when no ``SEARCH_URL`` is set (database search only)."""
    config = search_settings()
    return engine_for(config.engine, config.url, config.timeout) if config.url else None


@lru_cache(maxsize=8)
def engine_for(engine: str, url: str, timeout: float) -> SearchEngine:
    """One client per engine, URL and timeout, kept for the process (clients pool their connections)."""
    if engine == "opensearch":
        from .opensearch import OpenSearchEngine

        return OpenSearchEngine(url, timeout=timeout)
    if engine == "elasticsearch":
        from .elasticsearch import ElasticsearchEngine

        return ElasticsearchEngine(url, timeout=timeout)
    raise ValueError(f"SEARCH_ENGINE must be 'opensearch' or 'elasticsearch', not {engine!r}")
