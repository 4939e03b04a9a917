"""What every search backend does: answer searches, suggestions and related content, and keep its documents.

The engine and the database implement the same methods and return the same types; ``search/service.py``
decides which one answers, and ``search/indexer.py`` keeps each one's documents in step.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from ..query import SearchRequest
from ..results import SearchHit, SearchResponse, Suggestion

BULK_SIZE = 500  # documents per batch when writing


@dataclass
class RebuildResult:
    backend: str
    index: str
    documents: int
    seconds: float
    removed_indices: list[str] = field(default_factory=list)
    failures: dict[int, str] = field(default_factory=dict)  # page id → the backend's reason

    @property
    def docs_per_second(self) -> float:
        return self.documents / self.seconds if self.seconds else 0.0


class SearchBackend:
    name = ""  # what responses report as their "engine": opensearch, elasticsearch or database

    def search(self, request: SearchRequest) -> SearchResponse:
        raise NotImplementedError

    def suggest(self, text: str, limit: int = 8) -> list[Suggestion]:
        raise NotImplementedError

    def related(self, page, limit: int = 5) -> list[SearchHit]:
        raise NotImplementedError

    def write(self, documents: dict[int, list[dict]], removed: Iterable[int]) -> dict[int, str]:
        """Store each page's ``documents`` (its own and its records', by page id) and remove the pages ``removed``
        with theirs; return failures by page id."""
        raise NotImplementedError

    def rebuild(self, documents: Iterable[dict], progress: Callable | None, touched: Callable) -> RebuildResult:
        """Replace every document with ``documents`` (then ``touched()``: what changed meanwhile)."""
        raise NotImplementedError

    def fingerprints(self) -> dict[str, str]:
        """Document id (a page's, or a record's ``action-…``) → fingerprint of every stored document, for
        ``verify``."""
        raise NotImplementedError
