"""Every change that alters what the index should hold puts the affected pages in the outbox."""

import logging

from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_delete
from django.dispatch import receiver
from wagtail.models import Page, PageViewRestriction
from wagtail.signals import page_published, page_unpublished, post_page_move

from kb.models import CaseStudyItem, CityPage, Theme

from . import queue
from .conf import search_settings
from .documents import DOCUMENT_TYPES
from .indexer import descendants_and_self, process_queue

logger = logging.getLogger(__name__)


def pages_changed(page_ids) -> None:
    config = search_settings()
    if not config.url:
        return  # database search only: nothing to keep in step (`search_index rebuild` once an engine is set)
    page_ids = sorted(set(page_ids))
    queue.enqueue(page_ids)
    if config.index_inline:
        transaction.on_commit(lambda: _index_now(page_ids))


def _index_now(page_ids: list[int]) -> None:
    """Index right away so that a publish is searchable at once; anything that fails stays queued."""
    try:
        process_queue(limit=len(page_ids), page_ids=page_ids)
    except Exception:  # noqa: BLE001 — a publish must never fail because of the index; the worker retries
        logger.warning("inline indexing of %d pages failed; the worker will retry", len(page_ids), exc_info=True)


@receiver(page_published)
def on_publish(sender, instance, **kwargs):
    # A city's name, country and role are part of every document below it.
    pages_changed(descendants_and_self(instance) if isinstance(instance, CityPage) else [instance.pk])


@receiver(page_unpublished)
def on_unpublish(sender, instance, **kwargs):
    pages_changed([instance.pk])


@receiver(post_delete)
def on_delete(sender, instance, **kwargs):
    if isinstance(instance, Page):
        pages_changed([instance.pk])


@receiver(pre_delete)
def before_delete(sender, instance, **kwargs):
    # Case studies show their items' notes; deleting an item's page removes its note with it.
    if isinstance(instance, Page):
        pages_changed(CaseStudyItem.objects.filter(target_id=instance.pk).values_list("case_study_id", flat=True))


@receiver(post_page_move)
def on_move(sender, instance, **kwargs):
    pages_changed(descendants_and_self(instance))


@receiver([post_save, post_delete], sender=PageViewRestriction)
def on_view_restriction(sender, instance, **kwargs):
    page = Page.objects.filter(pk=instance.page_id).first()  # gone already if the page itself was deleted
    if page is not None:
        pages_changed(descendants_and_self(page))


@receiver([post_save, pre_delete], sender=Theme)
def on_theme_change(sender, instance, **kwargs):
    page_ids = []
    for model in DOCUMENT_TYPES:
        page_ids += model.objects.filter(themes=instance).values_list("pk", flat=True)
    pages_changed(page_ids)
