"""The matchmaking view in the admin menu, for programme staff (network editors)."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from .admin_views import MatchmakingView, may_match


@hooks.register("register_admin_urls")
def matchmaking_urls():
    return [path("matchmaking/", MatchmakingView.as_view(), name="lineage_matchmaking")]


class MatchmakingMenuItem(MenuItem):
    def is_shown(self, request):
        return may_match(request.user)


@hooks.register("register_admin_menu_item")
def matchmaking_menu_item():
    return MatchmakingMenuItem(_("Matchmaking"), reverse("lineage_matchmaking"), icon_name="group", order=850)
