from django import template
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from search import service

register = template.Library()


@register.inclusion_tag("search/related.html")
def related_content(page):
    """Related lessons, plans and reports (more-like-this in the engine, shared themes in the database)."""
    hits, engine = service.related(page)
    return {"hits": hits, "engine": engine}


@register.simple_tag(takes_context=True)
def with_param(context, name: str, value) -> str:
    """The current query string with one parameter set; any change but the page itself starts at page 1."""
    params: QueryDict = context["request"].GET.copy()
    params[name] = str(value)
    if name != "page":
        params.pop("page", None)
    return params.urlencode()


FACET_LABELS = {
    "type": _("Type"),
    "country": _("Country"),
    "city": _("City"),
    "role": _("Role in the Mission"),
    "cohort": _("Cohort"),
    "theme": _("Theme"),
    "language": _("Language"),
    "year": _("Year"),
}


@register.filter
def facet_label(facet: str) -> str:
    return FACET_LABELS.get(facet, facet)
