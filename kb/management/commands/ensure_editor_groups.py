from django.core.management.base import BaseCommand

from kb.editorial import ensure_editorial_setup


class Command(BaseCommand):
    help = "Create or complete the network editors group, one editor group per city, and the review workflow."

    def handle(self, *args, **options):
        ensure_editorial_setup()
        self.stdout.write("editor groups and the Network review workflow are in place")
