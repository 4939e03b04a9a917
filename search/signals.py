"""Every change that alters what the index should hold puts the affected pages in the outbox.

A page's records (an Action Plan's actions) are indexed with their page: they change only when a revision of the
page is published, whose signal re-indexes the page and all of its records, or remove them when it goes.
"""

import logging

from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_delete
from django.dispatch import receiver
from wagtail.models import Page, PageViewRestriction
from wagtail.signals import page_published, page_unpublished, post_page_move

from kb.content_types import KINDS, RECORD_KINDS
from kb.models import CaseStudyItem, CityPage, Theme

from . import queue
from .conf import search_settings
from .indexer import descendants_and_self, process_queue, queue_needed, refresh_database

logger = logging.getLogger(__name__)


def pages_changed(page_ids) -> None:
    """The database's documents now, in this transaction; the engine's through the outbox, after the commit."""
    page_ids = sorted(set(page_ids))
    if not page_ids:
        return
    refresh_database(page_ids)
    if not queue_needed():
        return  # no engine to keep in step and no embeddings to compute
    queue.enqueue(page_ids)
    if search_settings().index_inline:
        transaction.on_commit(lambda: _index_now(page_ids))


def _index_now(page_ids: list[int]) -> None:
    """Index right away so that a publish is searchable at once; anything that fails stays queued."""
    try:
        process_queue(limit=len(page_ids), page_ids=page_ids, embed=False)  # the worker embeds, not the editor
    except Exception:  # noqa: BLE001 — a publish must never fail because of the index; the worker retries
        logger.warning("inline indexing of %d pages failed; the worker will retry", len(page_ids), exc_info=True)


@receiver(page_published)
def on_publish(sender, instance, **kwargs):
    # A city's name, country and role are part of every document below it.
    pages_changed(descendants_and_self(instance) if isinstance(instance, CityPage) else [instance.pk])


@receiver(page_unpublished)
def on_unpublish(sender, instance, **kwargs):
    pages_changed([instance.pk])


# Deletions: what a deleted row affects is known only before it goes, and documents must be rebuilt after.
AFFECTED = "_pages_to_reindex"


@receiver(pre_delete)
def before_delete(sender, instance, **kwargs):
    if isinstance(instance, Page):
        # Case studies show their items' notes; deleting an item's page removes its note with it.
        setattr(instance, AFFECTED, list(CaseStudyItem.objects.filter(target_id=instance.pk).values_list(
            "case_study_id", flat=True)))  # fmt: skip
    elif isinstance(instance, Theme):
        setattr(instance, AFFECTED, pages_with_theme(instance))


@receiver(post_delete)
def on_delete(sender, instance, **kwargs):
    if isinstance(instance, Page):
        pages_changed([instance.pk, *getattr(instance, AFFECTED, [])])
    elif isinstance(instance, Theme):
        pages_changed(getattr(instance, AFFECTED, []))


@receiver(post_page_move)
def on_move(sender, instance, **kwargs):
    pages_changed(descendants_and_self(instance))


@receiver([post_save, post_delete], sender=PageViewRestriction)
def on_view_restriction(sender, instance, **kwargs):
    page = Page.objects.filter(pk=instance.page_id).first()  # gone already if the page itself was deleted
    if page is not None:
        pages_changed(descendants_and_self(page))


@receiver(post_save, sender=Theme)
def on_theme_change(sender, instance, **kwargs):
    pages_changed(pages_with_theme(instance))


def pages_with_theme(theme) -> list[int]:
    """Pages with the theme, and pages holding a record with it (an action's own theme)."""
    pages = [pk for kind in KINDS for pk in kind.model.objects.filter(themes=theme).values_list("pk", flat=True)]
    for record in RECORD_KINDS:
        if any(field.name == "theme" for field in record.model._meta.get_fields()):
            pages += record.model.objects.filter(theme=theme).values_list(f"{record.parent_field}_id", flat=True)
    return pages
