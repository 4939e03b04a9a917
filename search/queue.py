"""The outbox of page ids whose search documents need updating, with leases, retries and backoff."""

from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from config.outbox import lease

from .models import IndexQueueEntry

MAX_BACKOFF_SECONDS = 300
UNAVAILABLE_BACKOFF_SECONDS = 2  # the engine being down is not the entry's fault: retry soon, forever


def enqueue(page_ids: Iterable[int]) -> None:
    """Mark pages as needing an index update (inside the caller's transaction)."""
    page_ids = set(page_ids)
    if not page_ids:
        return
    now = timezone.now()
    IndexQueueEntry.objects.filter(page_id__in=page_ids).update(
        version=F("version") + 1, attempts=0, available_at=now, last_error="", enqueued_at=now
    )
    IndexQueueEntry.objects.bulk_create(
        [IndexQueueEntry(page_id=page_id, available_at=now, enqueued_at=now) for page_id in page_ids],
        ignore_conflicts=True,
    )


def claim(limit: int, page_ids: Iterable[int] | None = None) -> list[IndexQueueEntry]:
    """Lease up to ``limit`` due entries to this worker; other workers skip them until the lease ends."""
    due = IndexQueueEntry.objects.filter(available_at__lte=timezone.now()).order_by("available_at", "id")
    if page_ids is not None:
        due = due.filter(page_id__in=list(page_ids))
    # A claimed entry becomes available again when the lease ends, if its worker died on the way.
    return lease(due, limit, settings.SEARCH["WORKER_LEASE_SECONDS"])


def release(entries: Iterable[IndexQueueEntry]) -> None:
    """Give entries back at once, unchanged: they wait for a step this run left out (the worker's embedding)."""
    IndexQueueEntry.objects.filter(pk__in=[entry.pk for entry in entries]).update(available_at=timezone.now())


def complete(entries: Iterable[IndexQueueEntry]) -> None:
    """Remove entries whose page has not changed again since they were claimed."""
    for entry in entries:
        IndexQueueEntry.objects.filter(pk=entry.pk, version=entry.version).delete()


def retry_later(entries: Iterable[IndexQueueEntry], error: str, *, engine_down: bool = False) -> None:
    now = timezone.now()
    for entry in entries:
        if engine_down:
            delay, attempts = UNAVAILABLE_BACKOFF_SECONDS, entry.attempts
        else:
            attempts = entry.attempts + 1
            delay = min(2**attempts, MAX_BACKOFF_SECONDS)
        IndexQueueEntry.objects.filter(pk=entry.pk, version=entry.version).update(
            attempts=attempts, available_at=now + timedelta(seconds=delay), last_error=error[:2000]
        )


def record_failures(failures: dict[int, str]) -> None:
    """Queue pages the engine refused outside the queue (in a rebuild), with its reason, for a later retry."""
    if not failures:
        return
    enqueue(failures)
    now = timezone.now()
    for page_id, error in failures.items():
        IndexQueueEntry.objects.filter(page_id=page_id).update(
            attempts=1, available_at=now + timedelta(seconds=2), last_error=error[:2000]
        )


def failing(limit: int = 20) -> list[IndexQueueEntry]:
    """Entries that failed for reasons of their own (not an unreachable engine), most attempts first."""
    return list(IndexQueueEntry.objects.filter(attempts__gt=0).order_by("-attempts", "page_id")[:limit])
