"""Leases on outbox rows (the search index queue, the digests): a worker takes rows that are due, and other
workers skip them until the lease ends, so a worker that dies mid-way only delays its rows."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone


def lease(due, limit: int, seconds: float) -> list:
    """Lease up to ``limit`` rows of the ordered queryset ``due``; each row needs an ``available_at`` field."""
    with transaction.atomic():
        rows = list(due.select_for_update(skip_locked=True)[:limit])
        until = timezone.now() + timedelta(seconds=seconds)
        due.model.objects.filter(pk__in=[row.pk for row in rows]).update(available_at=until)
    return rows
