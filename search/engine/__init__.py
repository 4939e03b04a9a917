"""One small interface to the search engine, with a module per client library.

Request bodies are built with elasticsearch-dsl and are the same for every engine; a transport only sends
them. elasticsearch-py refuses to talk to OpenSearch, so OpenSearch goes through opensearch-py.
"""

from functools import lru_cache

from search.conf import SearchSettings, search_settings

from .base import EngineError, EngineUnavailable, SearchEngine

__all__ = ["EngineError", "EngineUnavailable", "SearchEngine", "get_engine", "engine_for"]


def get_engine() -> SearchEngine | None:
    """The configured engine, or ``None`` when no ``SEARCH_URL`` is set (database search only)."""
    config = search_settings()
    return engine_for(config) if config.url else None


@lru_cache(maxsize=8)
def engine_for(config: SearchSettings) -> SearchEngine:
    if config.engine == "opensearch":
        from .opensearch import OpenSearchEngine

        return OpenSearchEngine(config.url, timeout=config.timeout)
    if config.engine == "elasticsearch":
        from .elasticsearch import ElasticsearchEngine

        return ElasticsearchEngine(config.url, timeout=config.timeout)
    raise ValueError(f"SEARCH_ENGINE must be 'opensearch' or 'elasticsearch', not {config.engine!r}")
