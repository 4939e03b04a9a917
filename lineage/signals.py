"""A source's search documents say who reused it ("reused", "proven"): they change when an adopting lesson or plan
is published, unpublished or deleted, not only when the source itself is."""

from django.db.models.signals import post_delete, pre_delete
from django.dispatch import receiver
from wagtail.models import Page
from wagtail.signals import page_published, page_unpublished

from kb.models import ActionPlanPage, LessonPage
from search.models import SearchDocument
from search.signals import pages_changed

from .models import ActionAdoption, LessonAdoption

AFFECTED = "_sources_to_reindex"


def sources_of(page_id: int) -> list[int]:
    """The pages whose documents say, or should say, that this page adapted them: the sources its records name
    now, and those whose documents still list it (a record removed since)."""
    named = set(LessonAdoption.objects.filter(lesson=page_id).values_list("source_page_id", flat=True))
    named |= set(ActionAdoption.objects.filter(action__plan=page_id).values_list("source_page_id", flat=True))
    listed = {
        document.page_id
        for document in SearchDocument.objects.exclude(reuse=[]).only("page_id", "display")
        if page_id in document.display.get("reused_by", [])
    }
    return sorted((named | listed) - {None, page_id})


def adopts(page) -> bool:
    """Only lessons and Action Plans hold adoption records: other pages' publishing costs nothing here."""
    return issubclass(page.specific_class or Page, (LessonPage, ActionPlanPage))


@receiver([page_published, page_unpublished])
def on_adopter_change(sender, instance, **kwargs):
    if adopts(instance):
        pages_changed(sources_of(instance.pk))


@receiver(pre_delete)
def before_adopter_delete(sender, instance, **kwargs):
    if isinstance(instance, Page) and adopts(instance):
        setattr(instance, AFFECTED, sources_of(instance.pk))  # its records go with it


@receiver(post_delete)
def on_adopter_delete(sender, instance, **kwargs):
    if isinstance(instance, Page):
        pages_changed(getattr(instance, AFFECTED, []))
