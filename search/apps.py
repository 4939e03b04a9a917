from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "search"
    label = "network_search"
    verbose_name = "Network search"
