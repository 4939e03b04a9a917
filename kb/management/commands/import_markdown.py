from django.core.management.base import BaseCommand, CommandError

from kb.content_files.importer import import_paths


class Command(BaseCommand):
    help = "Import Markdown content files (or folders of them) as pages; re-importing updates the same pages."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", help="Markdown files or folders (searched recursively for *.md)")
        parser.add_argument("--publish", action="store_true", help="Publish the pages (default: save drafts)")
        parser.add_argument("--dry-run", action="store_true", help="Validate everything, write nothing")

    def handle(self, *args, paths, publish, dry_run, verbosity, **options):
        report = import_paths(paths, publish=publish, dry_run=dry_run)
        for document, outcome in report.outcomes:
            if verbosity > 1 or (verbosity == 1 and outcome != "unchanged"):
                self.stdout.write(f"{outcome}: {document.reference} ({document.path})")
        for error in report.errors:
            self.stderr.write(self.style.ERROR(f"error: {error}"))
        counts = {
            outcome: sum(1 for _d, o in report.outcomes if o == outcome)
            for outcome in ("created", "updated", "unchanged")
        }
        verb = "would import" if dry_run else ("published" if publish else "imported as drafts")
        summary = ", ".join(f"{count} {outcome}" for outcome, count in counts.items())
        self.stdout.write(f"{len(report.outcomes)} files {verb} ({summary}); {len(report.errors)} failed")
        if report.errors:
            raise CommandError(f"{len(report.errors)} file(s) could not be imported")
