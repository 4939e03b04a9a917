from django import template
from django.http import QueryDict

from search import service
from search.facets import BY_NAME as FACETS_BY_NAME

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


@register.filter
def facet_label(name: str) -> str:
    facet = FACETS_BY_NAME.get(name)
    return facet.label if facet else name
