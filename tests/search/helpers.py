from search.conf import search_settings
from search.indexer import drain
from search.query import build_request
from search.service import search


def titles(query: str = "", **filters) -> list[str]:
    return [hit.title for hit in search(build_request(query, page_size=50, **filters)).results]


def indexed_ids(engine) -> set[int | str]:
    """The ids of the engine's documents: pages' as numbers, records' as they are ("action-12-3")."""
    engine.refresh(search_settings().alias)
    body = {"query": {"match_all": {}}, "_source": False}
    ids = (hit["_id"] for hit in engine.scan(search_settings().alias, body))
    return {int(document_id) if document_id.isdigit() else document_id for document_id in ids}


def sync(engine) -> None:
    """Apply the outbox the way the worker does, then make the changes visible to searches."""
    result = drain()
    assert not result.engine_down and result.failed == 0
    engine.refresh(search_settings().alias)
