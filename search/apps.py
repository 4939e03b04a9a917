from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "search"
    label = "network_search"
    verbose_name = "Network search"

    def ready(self):
        from . import signals  # noqa: F401 — connects the index's signal receivers
