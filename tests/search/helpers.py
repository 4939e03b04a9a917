from search.conf import search_settings
from search.indexer import drain
from search.query import build_request
from search.service import search


def titles(query: str = "", **filters) -> list[str]:
    return [hit.title for hit in search(build_request(query, page_size=50, **filters)).results]


def indexed_ids(engine) -> set[int]:
    engine.refresh(search_settings().alias)
    body = {"query": {"match_all": {}}, "_source": False}
    return {int(hit["_id"]) for hit in engine.scan(search_settings().alias, body)}


def sync(engine) -> None:
    """Apply the outbox the way the worker does, then make the changes visible to searches."""
    result = drain()
    assert not result.engine_down and result.failed == 0
    engine.refresh(search_settings().alias)
