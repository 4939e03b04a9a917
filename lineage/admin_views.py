"""Matchmaking for programme staff: given a city or a challenge in a few words, which Pilot Cities and which
lessons to pair it with, with the evidence for each suggestion (``lineage.similar``)."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext
from django.views import View
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from kb.editorial import NETWORK_EDITORS
from kb.models import CityPage

from .similar import WEIGHTS, pairing_for_challenge, pairing_for_city

MAX_CHALLENGE_CHARS = 500


def may_match(user) -> bool:
    """Programme staff: network editors (and superusers). City editors see their own city's page instead."""
    return user.is_superuser or user.groups.filter(name=NETWORK_EDITORS).exists()


class MatchmakingView(WagtailAdminTemplateMixin, View):
    template_name = "lineage/admin/matchmaking.html"
    header_icon = "group"

    def get_page_title(self):
        return gettext("Matchmaking")

    def dispatch(self, request, *args, **kwargs):
        if not may_match(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        slug = request.GET.get("city", "")[:255]
        challenge = request.GET.get("challenge", "").strip()[:MAX_CHALLENGE_CHARS]
        city = CityPage.objects.published().filter(slug=slug).first() if slug else None
        pairing, problem = None, ""
        if city is not None:
            pairing = pairing_for_city(city)
        elif challenge:
            pairing = pairing_for_challenge(challenge)
            if pairing is None:
                problem = gettext("Matching a challenge needs the embedding model, which is switched off here.")
        elif slug:
            problem = gettext("No published city has this address.")
        context = self.get_context_data(
            cities=CityPage.objects.published().order_by("title"),
            city=city,
            challenge=challenge,
            pairing=pairing,
            problem=problem,
            weights=WEIGHTS,
        )
        return self.render_to_response(context)
