from django import template

from alerts.models import Follow, saved_search
from search.query import InvalidSearch

register = template.Library()


@register.inclusion_tag("alerts/follow_button.html", takes_context=True)
def follow_button(context, city=None, theme=None, search=None):
    """A one-click "Follow" for a city, a theme or a search (``search``: its query string); for a reader who is
    not signed in, the way to sign in and come back."""
    request = context["request"]
    field, value = ("city", city.slug) if city else ("theme", theme.slug) if theme else ("search", search or "")
    shown = {"request": request, "field": field, "value": value, "next": request.get_full_path(), "following": None}
    if not request.user.is_authenticated:
        return shown
    follows = Follow.objects.filter(member__user=request.user)
    if city or theme:
        shown["following"] = follows.filter(**{field: city or theme}).first()
        return shown
    try:
        shown["following"] = follows.filter(search_key=saved_search(value)["search_key"]).first()
    except InvalidSearch:
        shown["field"] = None  # a search the site refuses cannot be followed either
    return shown
