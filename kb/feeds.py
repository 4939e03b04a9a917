"""RSS and Atom feeds of new lessons: all of them, per theme, per city, and for a search query."""

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from kb.models import CityPage, LessonPage, Theme
from search.query import InvalidSearch, build_request, clean_query
from search.service import search

FEED_SIZE = 30


class LessonFeed(Feed):
    def get_object(self, request, theme=None, city=None):
        if theme:
            return ("theme", get_object_or_404(Theme, slug=theme))
        if city:
            return ("city", get_object_or_404(CityPage.objects.published(), slug=city))
        # Cleaned as the search cleans it: control characters are not allowed in XML, and the query is the title.
        if query := clean_query(request.GET.get("q", ""))[:200]:
            return ("search", query)
        return ("all", None)

    def title(self, scope):
        kind, value = scope
        if kind == "theme":
            return _("New lessons on %(theme)s") % {"theme": value.name}
        if kind == "city":
            return _("New lessons from %(city)s") % {"city": value.title}
        if kind == "search":
            return _("New lessons matching “%(query)s”") % {"query": value}
        return _("New lessons across the EU Cities Mission network")

    def link(self, scope):
        kind, value = scope
        if kind == "theme":
            return reverse("theme", args=[value.slug])
        if kind == "city":
            return value.url
        return "/lessons/"

    def description(self, scope):
        return _("Lessons learned by the cities of the EU Mission on Climate-Neutral and Smart Cities.")

    def items(self, scope):
        kind, value = scope
        lessons = LessonPage.objects.published().with_city().order_by("-first_published_at")
        if kind == "theme":
            lessons = lessons.filter(themes=value)
        elif kind == "city":
            lessons = lessons.child_of(value)
        elif kind == "search":
            lessons = lessons.filter(pk__in=self._search(value))
        return lessons[:FEED_SIZE]

    @staticmethod
    def _search(query: str) -> list[int]:
        try:
            response = search(build_request(query, type=["lesson"], sort="newest", page_size=FEED_SIZE))
        except InvalidSearch:
            return []  # a query no backend can run has no new lessons either
        return [hit.id for hit in response.results]

    def item_title(self, lesson):
        return lesson.title

    def item_description(self, lesson):
        return lesson.summary

    def item_link(self, lesson):
        return lesson.url

    def item_pubdate(self, lesson):
        return lesson.first_published_at

    def item_updateddate(self, lesson):
        return lesson.last_published_at

    def item_author_name(self, lesson):
        return lesson.city.title if lesson.city else None

    def item_categories(self, lesson):
        return [theme.name for theme in lesson.themes.all()]


class LessonAtomFeed(LessonFeed):
    feed_type = Atom1Feed
    subtitle = LessonFeed.description
