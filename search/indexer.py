"""Writing to the index: applying queued changes, rebuilding behind the alias, verifying against the database."""

import json
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import islice

from django.utils import timezone
from wagtail.models import Page, PageLogEntry

from . import queue
from .conf import search_settings
from .documents import DOCUMENT_TYPES, DocumentBuilder, indexable
from .engine import EngineError, EngineUnavailable, SearchEngine, get_engine
from .mapping import knowledge_index
from .models import IndexState

logger = logging.getLogger(__name__)
BULK_SIZE = 500


class SearchNotConfigured(Exception):
    pass


def require_engine() -> SearchEngine:
    engine = get_engine()
    if engine is None:
        raise SearchNotConfigured("SEARCH_URL is not set: the network search answers from the database")
    return engine


def write_targets(engine: SearchEngine) -> list[str]:
    """The alias, plus the index a running rebuild is filling, so that no change misses either."""
    alias = search_settings().alias
    state = IndexState.objects.filter(alias=alias).first()
    building = state.building_index if state and state.building_index else None
    return [alias] + ([building] if building else [])


def current_documents(page_ids: Iterable[int]) -> dict[int, dict]:
    """Documents for those of ``page_ids`` that belong in the index now."""
    page_ids = list(page_ids)
    builder = DocumentBuilder()
    documents = {}
    for model in DOCUMENT_TYPES:
        for page in indexable(model).filter(pk__in=page_ids):
            documents[page.pk] = builder.build(page)
    return documents


@dataclass(frozen=True)
class Operation:
    page_id: int
    payload: bytes


def encode(action: str, index: str, page_id: int, document: dict | None = None, **meta) -> bytes:
    """One bulk operation as NDJSON lines, encoded once: its size decides how requests are split."""
    header = json.dumps({action: {"_index": index, "_id": str(page_id), **meta}}, separators=(",", ":"))
    if document is None:
        return f"{header}\n".encode()
    return f"{header}\n{json.dumps(document, separators=(',', ':'), ensure_ascii=False)}\n".encode()


def bulk_operations(index: str, documents: dict[int, dict], removed: Iterable[int]) -> list[Operation]:
    """Deletions first, so that no document the engine refuses can hold back a page leaving the index."""
    # Writing through the alias must never create an index of that name with a guessed mapping.
    through_alias = {"require_alias": True} if index == search_settings().alias else {}
    operations = [Operation(page_id, encode("delete", index, page_id)) for page_id in removed]
    operations += [
        Operation(page_id, encode("index", index, page_id, document, **through_alias))
        for page_id, document in documents.items()
    ]
    return operations


def send(engine: SearchEngine, operations: list[Operation], *, refresh: bool | str = False) -> dict[int, str]:
    """Send operations in requests of bounded size; return the engine's reason for each page it refused.

    A request the engine refuses as a whole (413 for a body over its limit, say) is split in halves and the
    halves sent again, down to the single operation at fault: one bad document fails alone, with the
    engine's own words recorded against it. An unreachable engine is not any document's fault and is raised.
    """
    failures: dict[int, str] = {}
    for chunk in _chunks(operations, search_settings().bulk_max_bytes):
        failures.update(_send_chunk(engine, chunk, refresh))
    return failures


def _chunks(operations: list[Operation], max_bytes: int) -> Iterator[list[Operation]]:
    chunk: list[Operation] = []
    size = 0
    for operation in operations:
        if chunk and (size + len(operation.payload) > max_bytes or len(chunk) >= BULK_SIZE):
            yield chunk
            chunk, size = [], 0
        chunk.append(operation)
        size += len(operation.payload)
    if chunk:
        yield chunk


def _send_chunk(engine: SearchEngine, chunk: list[Operation], refresh) -> dict[int, str]:
    try:
        response = engine.bulk(b"".join(operation.payload for operation in chunk), refresh=refresh)
    except EngineUnavailable:
        raise
    except EngineError as error:
        if len(chunk) == 1:
            return {chunk[0].page_id: str(error)}
        middle = len(chunk) // 2
        return {**_send_chunk(engine, chunk[:middle], refresh), **_send_chunk(engine, chunk[middle:], refresh)}
    return failed_ids(response)


def failed_ids(response: dict) -> dict[int, str]:
    """Page ids whose bulk item failed (a delete of a missing document is a success)."""
    failures = {}
    for item in response.get("items", []):
        ((action, result),) = item.items()
        if result.get("status", 500) >= 300 and not (action == "delete" and result.get("status") == 404):
            failures[int(result["_id"])] = str(result.get("error", result.get("status")))
    return failures


def apply_updates(engine: SearchEngine, page_ids: list[int], *, refresh: bool | str = False) -> dict[int, str]:
    """Bring the documents of ``page_ids`` up to date in every write target; return failures by page id."""
    documents = current_documents(page_ids)
    removed = [page_id for page_id in page_ids if page_id not in documents]
    failures: dict[int, str] = {}
    for target in write_targets(engine):
        failures.update(send(engine, bulk_operations(target, documents, removed), refresh=refresh))
    return failures


@dataclass
class BatchResult:
    indexed: int = 0
    failed: int = 0
    engine_down: bool = False


def process_queue(limit: int = BULK_SIZE, page_ids: Iterable[int] | None = None) -> BatchResult:
    """Claim a batch of due entries and apply it; failures are retried later with backoff."""
    engine = require_engine()
    entries = queue.claim(limit, page_ids)
    if not entries:
        return BatchResult()
    try:
        failures = apply_updates(engine, [entry.page_id for entry in entries])
    except EngineUnavailable as error:
        queue.retry_later(entries, str(error), engine_down=True)
        return BatchResult(failed=len(entries), engine_down=True)
    failed = [entry for entry in entries if entry.page_id in failures]
    for entry in failed:
        queue.retry_later([entry], failures[entry.page_id])
    queue.complete(entry for entry in entries if entry.page_id not in failures)
    return BatchResult(indexed=len(entries) - len(failed), failed=len(failed))


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


# --- rebuild ------------------------------------------------------------------------------------------


def all_documents() -> Iterable[dict]:
    builder = DocumentBuilder()
    for model in DOCUMENT_TYPES:
        yield from builder.build_many(indexable(model).order_by("pk").iterator(chunk_size=BULK_SIZE))


def count_indexable() -> int:
    return sum(indexable(model).count() for model in DOCUMENT_TYPES)


@dataclass
class RebuildResult:
    index: str
    documents: int
    seconds: float
    removed_indices: list[str] = field(default_factory=list)
    failures: dict[int, str] = field(default_factory=dict)  # page id → the engine's reason

    @property
    def docs_per_second(self) -> float:
        return self.documents / self.seconds if self.seconds else 0.0


def rebuild(progress: Callable[[int], None] | None = None) -> RebuildResult:
    """Fill a new versioned index, then point the alias at it; searches use the old index until then.

    Documents the engine refuses do not stop the rebuild: they are left out, reported by page id, and queued
    with the engine's reason so that ``search_index status`` shows them and the worker tries them again.
    """
    engine = require_engine()
    alias = search_settings().alias
    name = f"{alias}-{timezone.now():%Y%m%d%H%M%S%f}"
    started = time.perf_counter()
    since = timezone.now()
    engine.create_index(name, knowledge_index(name).to_dict())
    try:
        # From here on the worker writes changes to the new index too.
        IndexState.objects.update_or_create(alias=alias, defaults={"building_index": name, "building_since": since})
        count, failures = _bulk_load(engine, name, all_documents(), progress)
        # Pages touched while loading may have been read before their change: load them once more.
        touched = set(PageLogEntry.objects.filter(timestamp__gte=since).values_list("page_id", flat=True))
        if touched:
            documents = current_documents(touched)
            failures.update(send(engine, bulk_operations(name, documents, touched - documents.keys())))
        engine.refresh(name)
        old = [index for index in engine.indices_for_alias(alias) if index != name]
        engine.point_alias(alias, name)
    except BaseException:
        engine.delete_index(name)
        raise
    finally:
        IndexState.objects.filter(alias=alias).update(building_index="", building_since=None)
    queue.record_failures(failures)
    stale = sorted(set(old) | {i for i in engine.indices_matching(f"{alias}-*") if i != name})
    for index in stale:
        engine.delete_index(index)
    return RebuildResult(name, count, time.perf_counter() - started, stale, failures)


def _bulk_load(engine, index: str, documents: Iterable[dict], progress) -> tuple[int, dict[int, str]]:
    """Send documents in batches; the engine indexes one batch while the next is being built and encoded."""
    count = 0
    failures: dict[int, str] = {}
    documents = iter(documents)
    with ThreadPoolExecutor(max_workers=1) as sender:
        in_flight = None
        while batch := list(islice(documents, BULK_SIZE)):
            operations = [Operation(int(doc["id"]), encode("index", index, int(doc["id"]), doc)) for doc in batch]
            if in_flight is not None:
                failures.update(in_flight.result())
            in_flight = sender.submit(send, engine, operations)
            count += len(batch)
            if progress:
                progress(len(batch))
        if in_flight is not None:
            failures.update(in_flight.result())
    return count - len(failures), failures


# --- verify -------------------------------------------------------------------------------------------


@dataclass
class Drift:
    missing: list[int]
    stale: list[int]
    extra: list[int]

    @property
    def clean(self) -> bool:
        return not (self.missing or self.stale or self.extra)


def verify() -> Drift:
    """Compare what should be indexed (published, public pages) with what the index holds."""
    engine = require_engine()
    alias = search_settings().alias
    engine.refresh(alias)  # compare with every write made so far, not with the last periodic refresh
    expected = {int(document["id"]): document["fingerprint"] for document in all_documents()}
    indexed = {
        int(hit["_id"]): hit["_source"].get("fingerprint")
        for hit in engine.scan(alias, {"query": {"match_all": {}}, "_source": ["fingerprint"]})
    }
    return Drift(
        missing=sorted(expected.keys() - indexed.keys()),
        stale=sorted(pid for pid in expected.keys() & indexed.keys() if expected[pid] != indexed[pid]),
        extra=sorted(indexed.keys() - expected.keys()),
    )


def descendants_and_self(page: Page) -> list[int]:
    return list(Page.objects.filter(path__startswith=page.path).values_list("pk", flat=True))
