"""The backends that answer searches: the engine when one is configured, the database always.

Callers never ask which one answers: ``search/service.py`` picks the engine and falls back to the database.
"""

from ..engine import get_engine
from .base import SearchBackend
from .database import DatabaseBackend
from .engine import EngineBackend


class SearchNotConfigured(Exception):
    pass


_database = DatabaseBackend()


def database_backend() -> DatabaseBackend:
    return _database


def engine_backend() -> EngineBackend | None:
    """The engine, or ``None`` when no ``SEARCH_URL`` is set (the database answers alone)."""
    engine = get_engine()
    return EngineBackend(engine) if engine else None


def require_engine_backend() -> EngineBackend:
    backend = engine_backend()
    if backend is None:
        raise SearchNotConfigured("SEARCH_URL is not set: the network search answers from the database")
    return backend


__all__ = ["SearchBackend", "SearchNotConfigured", "database_backend", "engine_backend", "require_engine_backend"]
