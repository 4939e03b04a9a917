"""A search's request bodies sent raw with opensearch-py, as ``EngineBackend.search`` sends them: the hits and
the facets' counts in one ``_msearch``, then the passages of the page shown. What the service adds on top of this
is its own cost (the ratio BENCHMARKS.md reports)."""

from search.backends.engine import SearchBodies

PAGE_SIZE = 10  # every query of the benchmark's mix shows ten results


def raw_search(client, alias: str, bodies: SearchBodies, *, facets: bool = True, highlights: bool = True) -> dict:
    """The hits' reply. The raw engine does not diversify the first results: the passages of its own first page
    are asked, the same work on nearly the same documents. ``facets``/``highlights`` ``False`` leave a step out."""
    searches = [bodies.hits, bodies.facets] if facets else [bodies.hits]
    found = client.msearch(index=alias, body=[line for body in searches for line in ({}, body)])["responses"][0]
    shown = [hit["_id"] for hit in found["hits"]["hits"][:PAGE_SIZE]]
    if highlights and bodies.highlight and shown:
        client.search(index=alias, body=bodies.highlighting(shown))
    return found
