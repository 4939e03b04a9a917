from django.apps import AppConfig


class BenchConfig(AppConfig):
    """The benchmarks' corpus generator (``generate_corpus``); installed in development and test settings only."""

    name = "bench"
    verbose_name = "Benchmarks"
