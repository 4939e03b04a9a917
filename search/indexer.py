"""Keeping every backend's documents in step with the pages: the outbox, rebuilds, and verification.

The database backend is written in the transaction that changes a page (``refresh_database``), so it is
never behind. The engine is written from the outbox (``search.IndexQueueEntry``) after the commit, inline
and by ``search_worker``, with retries: an engine may be down, the database may not.

The outbox names pages; a page's entry stands for all of its documents, its own and its records' (an Action
Plan's actions, ``search/documents.py``), which are built, written and removed together.
"""

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.utils import timezone
from wagtail.models import Page, PageLogEntry

from kb.content_types import KINDS, RECORDS_OF

from . import embeddings, queue, semantics
from .backends import SearchNotConfigured, database_backend, engine_backend
from .backends.base import BULK_SIZE, RebuildResult, SearchBackend
from .backends.columns import changed
from .documents import DocumentBuilder, indexable
from .embeddings import embedding_text, get_embedder
from .engine import EngineUnavailable

logger = logging.getLogger(__name__)

__all__ = ["BULK_SIZE", "SearchNotConfigured", "drain", "process_queue", "rebuild", "verify"]


def current_documents(page_ids: Iterable[int]) -> dict[int, list[dict]]:
    """The documents (the page's own, then its records') of those of ``page_ids`` that belong in the index now."""
    page_ids = list(page_ids)
    builder = DocumentBuilder()
    documents = {}
    for kind in KINDS:
        for page in indexable(kind).filter(pk__in=page_ids):
            documents[page.pk] = builder.documents(page)
    return documents


def write(backend: SearchBackend, page_ids: Iterable[int]) -> dict[int, str]:
    """Bring ``backend``'s documents of ``page_ids`` up to date; return failures by page id."""
    page_ids = list(page_ids)
    documents = current_documents(page_ids)
    return backend.write(documents, [page_id for page_id in page_ids if page_id not in documents])


def refresh_database(page_ids: Iterable[int]) -> None:
    """The database backend's documents of these pages, now, in the caller's transaction."""
    write(database_backend(), page_ids)


@dataclass
class BatchResult:
    indexed: int = 0
    failed: int = 0
    engine_down: bool = False


def queue_needed() -> bool:
    """The outbox has work when an engine is to be kept in step or embeddings are to be computed."""
    return engine_backend() is not None or get_embedder() is not None


def process_queue(limit: int = BULK_SIZE, page_ids: Iterable[int] | None = None, *, embed: bool = True) -> BatchResult:
    """Claim a batch of due entries: compute the embeddings they lack, and write their documents to the engine.

    ``embed=False`` (right after an editor's commit) leaves the embedding to the worker: documents whose
    vector is missing are written without it and their entries stay queued for the worker, which computes the
    vector and writes them again. Failures are retried later with backoff.
    """
    if not queue_needed():
        raise SearchNotConfigured("neither SEARCH_URL nor SEARCH_EMBEDDER is set: there is no queue to process")
    entries = queue.claim(limit, page_ids)
    if not entries:
        return BatchResult()
    page_ids = [entry.page_id for entry in entries]
    documents = current_documents(page_ids)
    waiting = set()
    if get_embedder() is not None:
        every = [doc for page_documents in documents.values() for doc in page_documents]
        if embed:
            embed_documents(every)
        stored = embeddings.stored_keys(doc["embedding_key"] for doc in every)
        waiting = {page for page, docs in documents.items() if any(d["embedding_key"] not in stored for d in docs)}
    failures: dict[int, str] = {}
    engine = engine_backend()
    if engine is not None:
        try:
            failures = engine.write(documents, [page_id for page_id in page_ids if page_id not in documents])
        except EngineUnavailable as error:
            queue.retry_later(entries, str(error), engine_down=True)
            return BatchResult(failed=len(entries), engine_down=True)
    failed = [entry for entry in entries if entry.page_id in failures]
    for entry in failed:
        queue.retry_later([entry], failures[entry.page_id])
    queue.release(entry for entry in entries if entry.page_id in waiting and entry.page_id not in failures)
    done = [entry for entry in entries if entry.page_id not in failures and entry.page_id not in waiting]
    queue.complete(done)
    return BatchResult(indexed=len(done), failed=len(failed))


def embed_documents(documents: Iterable[dict], progress=None) -> int:
    """Compute and store the vectors these documents lack; the database search sees them at once."""
    computed = embeddings.ensure(
        ((doc["embedding_key"], embedding_text(doc)) for doc in documents if doc.get("embedding_key")),
        progress=progress,
    )
    semantics.ensure_glossary_vectors()
    if computed:
        vectors_arrived()
    return computed


def vectors_arrived() -> None:
    """After documents gained vectors: the database search reloads its columns and the statistics of meaning."""
    changed()
    semantics.forget_statistics()


def drain(*, max_batches: int | None = None) -> BatchResult:
    """Apply every due entry now (tests and the `search_index` command); stops when the engine is down."""
    total = BatchResult()
    batches = 0
    while max_batches is None or batches < max_batches:
        result = process_queue()
        total.indexed += result.indexed
        total.failed += result.failed
        batches += 1
        if result.engine_down or result.indexed + result.failed == 0:
            total.engine_down = result.engine_down
            return total
    return total


# --- rebuild and verify -----------------------------------------------------------------------------------


def all_documents() -> Iterable[dict]:
    builder = DocumentBuilder()
    for kind in KINDS:
        yield from builder.build_many(indexable(kind).order_by("pk").iterator(chunk_size=BULK_SIZE))


def stored_documents() -> Iterable[dict]:
    """The documents as the database backend holds them: what an engine rebuild sends, without building anew."""
    from .models import SearchDocument

    for row in SearchDocument.objects.order_by("page_id", "key").iterator(chunk_size=BULK_SIZE):
        yield row.as_document()


def count_indexable() -> int:
    """How many documents belong in the index: published pages', and their records'."""
    pages = sum(indexable(kind).count() for kind in KINDS)
    records = sum(
        record.model.objects.filter(**{f"{record.parent_field}__in": indexable(kind).values("pk")}).count()
        for kind in KINDS
        for record in RECORDS_OF[kind.key]
    )
    return pages + records


def backends() -> list[SearchBackend]:
    """Every backend that keeps documents: the database, and the engine when one is configured."""
    engine = engine_backend()
    return [database_backend()] + ([engine] if engine else [])


def rebuild(backend: SearchBackend | None = None, progress: Callable[[int], None] | None = None) -> RebuildResult:
    """Replace every document of ``backend`` (the engine, or the database without one).

    The database's documents are built from the pages; the engine's are read from the database's (which are
    written with every change, so they are current), which spares building every document twice.
    Documents the backend refuses do not stop the rebuild: they are left out, reported by page id, and queued
    with the backend's reason so that ``search_index status`` shows them and the worker tries them again.
    """
    backend = backend or backends()[-1]
    since = timezone.now()
    source = all_documents() if backend is database_backend() else stored_documents()

    def touched():
        page_ids = set(PageLogEntry.objects.filter(timestamp__gte=since).values_list("page_id", flat=True))
        documents = current_documents(page_ids)
        return documents, page_ids - documents.keys()

    result = backend.rebuild(source, progress, touched)
    queue.record_failures(result.failures)
    return result


@dataclass
class Drift:  # document ids: "123" for a page's, "action-123-2" for a record's
    missing: list[str]
    stale: list[str]
    extra: list[str]

    @property
    def clean(self) -> bool:
        return not (self.missing or self.stale or self.extra)


def verify(backend: SearchBackend | None = None) -> Drift:
    """Compare what should be indexed (published, public pages) with what ``backend`` holds."""
    backend = backend or backends()[-1]
    indexed = backend.fingerprints()
    expected = {document["id"]: document["fingerprint"] for document in all_documents()}
    return Drift(
        missing=sorted(expected.keys() - indexed.keys(), key=_natural),
        stale=sorted((key for key in expected.keys() & indexed.keys() if expected[key] != indexed[key]), key=_natural),
        extra=sorted(indexed.keys() - expected.keys(), key=_natural),
    )


def _natural(document_id: str) -> tuple:
    """Pages' ids in numeric order, then records' ids."""
    return (0, int(document_id), "") if document_id.isdigit() else (1, 0, document_id)


def descendants_and_self(page: Page) -> list[int]:
    return list(Page.objects.filter(path__startswith=page.path).values_list("pk", flat=True))
