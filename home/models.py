from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel, PageChooserPanel
from wagtail.models import Orderable, Page

from kb.content_types import KINDS, LISTED
from kb.models import CityPage, LessonPage, MarkdownField, attach_cities, pages


class HomePage(Page):
    intro = MarkdownField(blank=True, help_text=_("What the network and this platform are."))

    content_panels = Page.content_panels + [
        FieldPanel("intro"),
        InlinePanel("featured_items", heading=_("Featured on the home page"), label=_("Featured item")),
    ]
    subpage_types = ["kb.CityIndexPage", "kb.CaseStudyIndexPage", "kb.ListingPage"]
    parent_page_types = ["wagtailcore.Page"]
    max_count = 1

    LATEST = 6  # lessons in "Latest lessons"

    def network_figures(self) -> list[tuple[str, int]]:
        """The cities, then every kind with a network-wide listing, with how many readers can see."""
        figures = [(_("Cities"), CityPage.objects.published().count())]
        return figures + [(kind.plural, kind.model.objects.published().count()) for kind in LISTED]

    def featured(self) -> list:
        """The editors' choice, in their order, as far as readers may see it."""
        chosen = [item.page_id for item in self.featured_items.all()]
        visible = {page.pk: page for page in pages().published().filter(pk__in=chosen).specific()}
        featured = [visible[pk] for pk in chosen if pk in visible]
        attach_cities(featured)
        return featured

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["featured"] = featured = self.featured()
        latest = LessonPage.objects.published().with_city().exclude(pk__in=[page.pk for page in featured])
        context["latest_lessons"] = latest.order_by("-date", "-first_published_at")[: self.LATEST]
        context["figures"] = self.network_figures()
        return context


class HomeFeaturedItem(Orderable):
    """An editor's choice for the home page, in the editor's order."""

    home = ParentalKey(HomePage, on_delete=models.CASCADE, related_name="featured_items")
    page = models.ForeignKey(Page, on_delete=models.CASCADE, related_name="+")

    panels = [PageChooserPanel("page", [kind.model._meta.label for kind in KINDS if kind.featurable])]
