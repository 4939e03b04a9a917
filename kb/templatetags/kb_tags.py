import json

from django import template
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.text import Truncator, capfirst
from django.utils.translation import gettext as _
from django_countries import countries

from kb.content_types import is_content, kind_of
from kb.europe_map import MAP_HEIGHT, MAP_WIDTH, spread
from kb.markdown import render_markdown
from kb.models import CONTENT_LANGUAGES, CityRole, LessonPage, Twinning, VisitReportPage
from kb.themes import theme_name

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str):
    """Render an author's Markdown as sanitised HTML."""
    return mark_safe(render_markdown(text or ""))  # noqa: S308 — sanitised by nh3


@register.filter
def euros(amount) -> str:
    """``1234567.5`` → ``€1,234,568`` (``1.234.568 €`` in German): budgets are read at a glance, not to the cent."""
    if amount is None or amount == "":
        return ""
    return _("€%(amount)s") % {"amount": number_format(round(amount), force_grouping=True)}


@register.filter
def theme_label(name: str) -> str:
    return theme_name(name)


@register.filter
def country_name(code: str) -> str:
    return str(countries.name(code)) or code


@register.filter
def language_name(code: str) -> str:
    """The name of a content language in the reader's language: ``de`` → ``German`` / ``Deutsch``."""
    name = dict(CONTENT_LANGUAGES).get(code)
    return str(_(name)) if name else code


@register.filter
def page_type_label(page) -> str:
    model = page.specific_class
    if model is None:
        return ""
    return str(kind_of(model).label) if is_content(model) else capfirst(model._meta.verbose_name)


@register.filter
def page_kind(page) -> str:
    """The content kind's key (``lesson``, ``action_plan``, ...) of a specific page, ``""`` for other pages."""
    return kind_of(page).key if is_content(page) else ""


@register.simple_tag
def city_relations(city) -> dict:
    """What a city took part in beyond what it published: visits it made to other cities, lessons it partnered on.

    Visit reports live under the host city, so a city's own children are the visits it hosted; the visits it made
    are the reports that name it among the visiting cities.
    """
    visits = VisitReportPage.objects.published().with_city().filter(visiting_cities=city).exclude(host_city=city)
    lessons = LessonPage.objects.published().with_city().filter(partner_cities=city).not_child_of(city)
    return {
        "visits_made": list(visits.order_by("-start_date")),
        "partner_lessons": list(lessons.order_by("-date", "-first_published_at")),
    }


@register.inclusion_tag("includes/cities_map.html")
def cities_map(points: list[dict]) -> dict:
    """The cities on the map of Europe: close dots kept apart, twinnings as lines, roles by shape and colour."""
    points = spread([dict(point) for point in points])
    by_city = {point["city"].pk: point for point in points}
    pairs = Twinning.objects.filter(city_id__in=by_city, twin_id__in=by_city).values_list("city_id", "twin_id")
    return {
        "points": points,
        "lines": [(by_city[city], by_city[twin]) for city, twin in set(pairs)],
        "roles": CityRole.choices,
        "width": MAP_WIDTH,
        "height": MAP_HEIGHT,
    }


@register.simple_tag(takes_context=True)
def structured_data(context, page):
    """schema.org JSON-LD for lessons (an Article) and visit reports (a Report about an Event)."""
    page = page.specific
    data = _structured(page, context["request"])
    if data is None:
        return ""
    payload = json.dumps(data, ensure_ascii=False).translate(_JSON_SCRIPT_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(payload))  # noqa: S308


_JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def _structured(page, request) -> dict | None:
    schema_type = kind_of(page).schema_type if is_content(page) else None
    if schema_type is None:
        return None
    city = page.city
    data = {
        "@context": "https://schema.org",
        "@type": schema_type,
        "headline": page.title,
        "description": page.summary,
        "inLanguage": page.language,
        "url": request.build_absolute_uri(page.url),
        "datePublished": page.first_published_at.isoformat() if page.first_published_at else None,
        "dateModified": page.last_published_at.isoformat() if page.last_published_at else None,
        "author": {"@type": "GovernmentOrganization", "name": city.title} if city else None,
        "keywords": [theme.name for theme in page.themes.all()],
    }
    if isinstance(page, VisitReportPage):
        data["about"] = {
            "@type": "Event",
            "name": page.title,
            "startDate": page.start_date.isoformat(),
            "endDate": page.end_date.isoformat(),
            "location": {
                "@type": "City",
                "name": page.host_city.title,
                "address": {"@type": "PostalAddress", "addressCountry": page.host_city.country.code},
            },
        }
    return {key: value for key, value in data.items() if value not in (None, "", [])}


@register.simple_tag(takes_context=True)
def page_description(context) -> str:
    page = context.get("page")
    if page is None:
        return ""
    return Truncator(getattr(page, "search_description", "") or getattr(page, "summary", "") or "").chars(200)
