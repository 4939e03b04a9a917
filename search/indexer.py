"""Writing to the index: applying queued changes, rebuilding behind the alias, verifying against the database."""

import logging
import time
from collections.abc import Callable, Iterable
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


def bulk_operations(index: str, documents: dict[int, dict], removed: Iterable[int]) -> list[dict]:
    # Writing through the alias must never create an index of that name with a guessed mapping.
    through_alias = {"require_alias": True} if index == search_settings().alias else {}
    operations = []
    for page_id, document in documents.items():
        operations += [{"index": {"_index": index, "_id": str(page_id), **through_alias}}, document]
    operations += [{"delete": {"_index": index, "_id": str(page_id)}} for page_id in removed]
    return operations


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
        failures.update(failed_ids(engine.bulk(bulk_operations(target, documents, removed), refresh=refresh)))
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
    except EngineError as error:
        queue.retry_later(entries, str(error))
        return BatchResult(failed=len(entries))
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

    @property
    def docs_per_second(self) -> float:
        return self.documents / self.seconds if self.seconds else 0.0


def rebuild(progress: Callable[[int], None] | None = None) -> RebuildResult:
    """Fill a new versioned index, then point the alias at it; searches use the old index until then."""
    engine = require_engine()
    alias = search_settings().alias
    name = f"{alias}-{timezone.now():%Y%m%d%H%M%S%f}"
    started = time.perf_counter()
    since = timezone.now()
    engine.create_index(name, knowledge_index(name).to_dict())
    try:
        # From here on the worker writes changes to the new index too.
        IndexState.objects.update_or_create(alias=alias, defaults={"building_index": name, "building_since": since})
        count = _bulk_load(engine, name, all_documents(), progress)
        # Pages touched while loading may have been read before their change: load them once more.
        touched = set(PageLogEntry.objects.filter(timestamp__gte=since).values_list("page_id", flat=True))
        if touched:
            documents = current_documents(touched)
            engine.bulk(bulk_operations(name, documents, touched - documents.keys()))
        engine.refresh(name)
        old = [index for index in engine.indices_for_alias(alias) if index != name]
        engine.point_alias(alias, name)
    except BaseException:
        engine.delete_index(name)
        raise
    finally:
        IndexState.objects.filter(alias=alias).update(building_index="", building_since=None)
    stale = sorted(set(old) | {i for i in engine.indices_matching(f"{alias}-*") if i != name})
    for index in stale:
        engine.delete_index(index)
    return RebuildResult(name, count, time.perf_counter() - started, stale)


def _bulk_load(engine, index: str, documents: Iterable[dict], progress) -> int:
    """Send documents in batches; the engine indexes one batch while the next is being built."""
    count = 0
    documents = iter(documents)
    with ThreadPoolExecutor(max_workers=1) as sender:
        in_flight = None
        while batch := list(islice(documents, BULK_SIZE)):
            operations = []
            for document in batch:
                operations += [{"index": {"_index": index, "_id": document["id"]}}, document]
            if in_flight is not None:
                _check_bulk(in_flight.result())
            in_flight = sender.submit(engine.bulk, operations)
            count += len(batch)
            if progress:
                progress(len(batch))
        if in_flight is not None:
            _check_bulk(in_flight.result())
    return count


def _check_bulk(response: dict) -> None:
    failures = failed_ids(response)
    if failures:
        raise EngineError(f"{len(failures)} documents were refused, e.g. {next(iter(failures.items()))}")


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
