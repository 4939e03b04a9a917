from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel, PageChooserPanel
from wagtail.models import Orderable, Page

from kb.models import (
    ActionPlanPage,
    CaseStudyPage,
    CityPage,
    LessonPage,
    MarkdownField,
    VisitReportPage,
    attach_cities,
)


class HomePage(Page):
    intro = MarkdownField(blank=True, help_text=_("What the network and this platform are."))

    content_panels = Page.content_panels + [
        FieldPanel("intro"),
        InlinePanel("featured_items", heading=_("Featured on the home page"), label=_("Featured item")),
    ]
    subpage_types = ["kb.CityIndexPage", "kb.CaseStudyIndexPage", "kb.ListingPage"]
    parent_page_types = ["wagtailcore.Page"]
    max_count = 1

    def network_figures(self) -> dict[str, int]:
        return {
            "cities": CityPage.objects.live().count(),
            "action_plans": ActionPlanPage.objects.live().public().count(),
            "lessons": LessonPage.objects.live().public().count(),
            "visits": VisitReportPage.objects.live().public().count(),
        }

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["featured"] = [
            item.page.specific for item in self.featured_items.select_related("page") if item.page.live
        ]
        context["featured_case_studies"] = CaseStudyPage.objects.live().public().filter(featured=True)
        context["latest_lessons"] = list(LessonPage.objects.live().public().order_by("-first_published_at")[:6])
        attach_cities(context["latest_lessons"] + context["featured"])
        context["figures"] = self.network_figures()
        return context


class HomeFeaturedItem(Orderable):
    """An editor's choice for the home page, in the editor's order."""

    home = ParentalKey(HomePage, on_delete=models.CASCADE, related_name="featured_items")
    page = models.ForeignKey(Page, on_delete=models.CASCADE, related_name="+")

    panels = [PageChooserPanel("page", ["kb.CaseStudyPage", "kb.LessonPage", "kb.ActionPlanPage"])]
