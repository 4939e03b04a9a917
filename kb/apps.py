from django.apps import AppConfig


class KnowledgeBaseConfig(AppConfig):
    name = "kb"
    verbose_name = "Knowledge base"

    def ready(self):
        from . import signals  # noqa: F401 — connects the editor-group receiver
