from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LineageConfig(AppConfig):
    """What travelled from city to city: which lesson, action or visit another city's work was adapted from."""

    name = "lineage"
    verbose_name = _("Learning lineage")

    def ready(self):
        from . import signals  # noqa: F401 — connects the receivers
