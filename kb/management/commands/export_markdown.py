from pathlib import Path

from django.core.management.base import BaseCommand

from kb.content_files.exporter import export_all


class Command(BaseCommand):
    help = "Write every city and content page (latest revision, drafts included) as Markdown files."

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path)

    def handle(self, *args, directory, **options):
        written = export_all(directory)
        self.stdout.write(f"{len(written)} files written to {directory}")
