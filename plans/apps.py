from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    """Action Plans as records: actions, status updates, indicators with their series, and what derives from them."""

    name = "plans"
    verbose_name = _("Action Plan tracking")
