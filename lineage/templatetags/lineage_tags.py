"""What travelled, where readers meet it: on the source (who reused it, how it went), on the adopter (what it
was adapted from) and on a city's page (what it learned from whom, and what others learned from it)."""

from django import template

from lineage.similar import WEIGHTS, similar_cities
from lineage.transfers import reuse_summary, transfers

register = template.Library()


@register.inclusion_tag("lineage/reused.html")
def reused_elsewhere(source, heading: str = ""):
    """Who adapted ``source`` (a lesson, visit report, plan or action), with the outcome each reported."""
    found = transfers(source)
    return {"transfers": found, "summary": reuse_summary(found), "heading": heading}


@register.inclusion_tag("lineage/adapted_from.html")
def adapted_from(adopter):
    """What ``adopter`` (a lesson or an action) was adapted from, what changed, and how it went."""
    return {"transfers": transfers(adopter=adopter)}


@register.inclusion_tag("lineage/city.html")
def city_lineage(city):
    return {"learned": transfers(adopter_city=city), "taught": transfers(source_city=city)}


@register.inclusion_tag("lineage/similar.html")
def cities_like(city):
    """The cities most like ``city``, each with its score and the reasons (``lineage.similar``)."""
    return {"city": city, "matches": similar_cities(city), "weights": WEIGHTS}
