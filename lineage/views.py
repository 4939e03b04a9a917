"""The transfer map: which city learned from which, by theme and cohort, drawn on the map of Europe."""

from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from kb.europe_map import MAP_HEIGHT, MAP_WIDTH, spread
from kb.models import Theme, map_point
from lineage.models import Outcome

from .transfers import transfers


def transfer_map(request):
    """Every published transfer as an arrow from the source city to the adopting one, and the same as a table.

    ``?theme=<slug>`` keeps transfers into lessons or actions of that theme; ``?cohort=<n>`` those into cities of
    that cohort. Unknown values keep nothing rather than fail: the page says so and offers every filter.
    """
    theme, cohort = request.GET.get("theme", "")[:100], request.GET.get("cohort", "")[:3]
    found = transfers()
    themes = sorted({t for transfer in found for t in transfer.themes}, key=lambda t: t.name)
    cohorts = sorted({transfer.adopter_city.cohort for transfer in found if transfer.adopter_city.cohort})
    if theme:
        found = [transfer for transfer in found if theme in {t.slug for t in transfer.themes}]
    if cohort:
        found = [transfer for transfer in found if str(transfer.adopter_city.cohort) == cohort]
    cities = {city.pk: city for transfer in found for city in (transfer.source_city, transfer.adopter_city)}
    points = spread([point for point in map(map_point, cities.values()) if point])
    at = {point["city"].pk: point for point in points}
    arrows = [
        {"number": number, "transfer": transfer, **_curve(at[transfer.source_city.pk], at[transfer.adopter_city.pk])}
        for number, transfer in enumerate(found, start=1)
        if transfer.source_city.pk in at and transfer.adopter_city.pk in at
    ]
    context = {
        "transfers": list(enumerate(found, start=1)),
        "points": points,
        "arrows": arrows,
        "width": MAP_WIDTH,
        "height": MAP_HEIGHT,
        "themes": themes,
        "cohorts": cohorts,
        "theme": theme,
        "cohort": cohort,
        "theme_name": next((t.name for t in Theme.objects.filter(slug=theme)), "") if theme else "",
        "outcomes": [*Outcome.choices, ("", _("Outcome not reported yet"))],
    }
    return TemplateResponse(request, "lineage/transfer_map.html", context)


def _curve(start: dict, end: dict) -> dict:
    """A gentle arc from ``start`` to ``end`` (bending to the right of the direction of travel), so that the
    arrows of two cities that learned from each other do not lie on top of each other."""
    x1, y1, x2, y2 = start["x"], start["y"], end["x"], end["y"]
    bend = 0.2
    control_x, control_y = (x1 + x2) / 2 - (y2 - y1) * bend, (y1 + y2) / 2 + (x2 - x1) * bend
    return {"path": f"M{x1:.1f} {y1:.1f} Q{control_x:.1f} {control_y:.1f} {x2:.1f} {y2:.1f}"}
