"""RSS and Atom feeds: what is new of every kind of content, an Action Plan's actions, and any search.

Lessons also have feeds per theme, per city and for a query (``?q=``); any search with its filters has one at
``/feeds/search/?…`` with the search page's own parameters. Every feed has an Atom twin (``…/atom/``).
"""

from datetime import datetime, time

from django.contrib.syndication.views import Feed
from django.db.models import Max
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from kb.content_types import BY_KEY, KNOWLEDGE, ContentKind
from kb.models import CityPage, Theme
from plans.models import Action
from search.facets import NAMES as FACET_NAMES
from search.facets import describe_search
from search.query import InvalidSearch, build_request, clean_query
from search.service import search

FEED_SIZE = 30


def feed_slug(kind: ContentKind) -> str:
    """Where a kind's feed lives: its listing's slug (``lessons``), else its key in the plural."""
    return kind.listing or kind.key.replace("_", "-") + "s"


def _midnight(day) -> datetime | None:
    return timezone.make_aware(datetime.combine(day, time())) if day else None


class PagesFeed(Feed):
    """The newest published pages of one kind, by first publication."""

    kind: ContentKind

    def get_object(self, request):
        return None

    def title(self, scope):
        return _("New %(kind)s across the EU Cities Mission network") % {"kind": self.kind.plural}

    def link(self, scope):
        return f"/{self.kind.listing}/" if self.kind.listing else "/"

    def description(self, scope):
        return _("What the cities of the EU Mission on Climate-Neutral and Smart Cities publish.")

    def published(self):
        queryset = self.kind.model.objects.published().order_by("-first_published_at")
        return queryset.with_city() if self.kind.under_city else queryset

    def items(self, scope):
        return self.published()[:FEED_SIZE]

    def item_title(self, page):
        return page.title

    def item_description(self, page):
        return getattr(page, "summary", "") or page.search_description

    def item_link(self, page):
        return page.url

    def item_pubdate(self, page):
        return page.first_published_at

    def item_updateddate(self, page):
        return page.last_published_at

    def item_author_name(self, page):
        city = getattr(page, "city", None) if self.kind.under_city else None
        return city.title if city else None

    def item_categories(self, page):
        return [theme.name for theme in page.themes.all()] if self.kind.themed else []


class LessonFeed(PagesFeed):
    """New lessons: all of them, on a theme, from a city, or matching a query (``?q=``)."""

    kind = BY_KEY["lesson"]

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
        lessons = self.published()
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


class ActionFeed(Feed):
    """Actions of published Action Plans, the most recently reported on first."""

    def title(self):
        return _("Actions of the Action Plans across the EU Cities Mission network")

    def link(self):
        return "/action-plans/"

    def description(self):
        return _("Actions the cities' Action Plans take, with their status.")

    def items(self):
        plans = BY_KEY["action_plan"].model.objects.published()
        return (
            Action.objects.filter(plan__in=plans)
            .select_related("plan")
            .annotate(reported=Max("updates__date"))
            .order_by("-reported", "-plan__first_published_at", "sort_order")[:FEED_SIZE]
        )

    def item_title(self, action):
        return f"{action.title} ({action.get_status_display()})"

    def item_description(self, action):
        return action.status_reason or action.plan.title

    def item_link(self, action):
        return action.url

    def item_pubdate(self, action):
        return _midnight(action.reported) or action.plan.first_published_at


class SearchFeed(Feed):
    """Any search with its filters, as the search page takes them (``?q=…&theme=…``), newest first."""

    def __call__(self, request, *args, **kwargs):
        try:
            return super().__call__(request, *args, **kwargs)
        except InvalidSearch as error:  # a value the search refuses: say which, as the search page does
            return HttpResponseBadRequest(f"{error.parameter}: {error.message}", content_type="text/plain")

    def get_object(self, request):
        params = request.GET
        search_request = build_request(
            params.get("q", ""), sort="newest", page_size=FEED_SIZE, correct=False,
            **{name: params.getlist(name) for name in FACET_NAMES if name in params},
        )  # fmt: skip
        return search_request, request.GET.urlencode()

    def title(self, scope):
        search_request, _querystring = scope
        filters = {name: list(values) for name, values in search_request.filters.items()}
        return _("New in the network: %(search)s") % {"search": describe_search(search_request.query, filters)}

    def link(self, scope):
        return f"{reverse('search')}?{scope[1]}"

    def description(self, scope):
        return _("The newest results of a search across the EU Cities Mission network.")

    def items(self, scope):
        return search(scope[0]).results

    def item_title(self, hit):
        return hit.title

    def item_description(self, hit):
        return hit.summary

    def item_link(self, hit):
        return hit.url

    def item_guid(self, hit):
        return hit.key

    def item_pubdate(self, hit):
        return _midnight(hit.day)

    def item_categories(self, hit):
        return [theme["name"] for theme in hit.themes]


def atom(feed: type[Feed]) -> type[Feed]:
    """The Atom twin of an RSS feed."""
    return type(f"{feed.__name__}Atom", (feed,), {"feed_type": Atom1Feed, "subtitle": feed.description})


def feeds_index(request):
    """Every feed, with what it holds: the page a reader finds from the footer."""
    kinds = [(kind, f"feed_{kind.key}") for kind in KNOWLEDGE]
    return render(request, "kb/feeds.html", {"kinds": kinds})


def _kind_feed(kind: ContentKind) -> type[Feed]:
    return LessonFeed if kind.key == "lesson" else type(f"{kind.model.__name__}Feed", (PagesFeed,), {"kind": kind})


def urlpatterns() -> list:
    patterns = [path("", feeds_index, name="feeds")]
    for kind in KNOWLEDGE:
        feed = _kind_feed(kind)
        slug = feed_slug(kind)
        patterns += [
            path(f"{slug}/", feed(), name=f"feed_{kind.key}"),
            path(f"{slug}/atom/", atom(feed)(), name=f"feed_{kind.key}_atom"),
        ]
    patterns += [
        path("actions/", ActionFeed(), name="feed_action"),
        path("actions/atom/", atom(ActionFeed)(), name="feed_action_atom"),
        path("search/", SearchFeed(), name="feed_search"),
        path("search/atom/", atom(SearchFeed)(), name="feed_search_atom"),
        path("themes/<slug:theme>/", LessonFeed(), name="feed_theme"),
        path("themes/<slug:theme>/atom/", atom(LessonFeed)(), name="feed_theme_atom"),
        path("cities/<slug:city>/", LessonFeed(), name="feed_city"),
        path("cities/<slug:city>/atom/", atom(LessonFeed)(), name="feed_city_atom"),
    ]
    return patterns
