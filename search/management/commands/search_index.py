import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from search.conf import search_settings
from search.documents import DOCUMENT_TYPES, indexable
from search.engine import EngineError
from search.indexer import SearchNotConfigured, count_indexable, drain, rebuild, require_engine, verify
from search.models import IndexQueueEntry, IndexState
from search.queue import enqueue, failing


class Command(BaseCommand):
    help = "Manage the network search index: rebuild (behind the alias), verify against the database, status, drain."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["rebuild", "verify", "status", "drain", "enqueue"])

    def handle(self, *args, action, **options):
        try:
            getattr(self, f"do_{action}")()
        except (SearchNotConfigured, EngineError) as error:
            raise CommandError(str(error)) from error

    def do_rebuild(self):
        total = count_indexable()
        done = 0

        def progress(count):
            nonlocal done
            done += count
            filled = int(30 * done / total) if total else 30
            sys.stderr.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] {done}/{total} documents")
            sys.stderr.flush()

        result = rebuild(progress)
        sys.stderr.write("\n")
        self.stdout.write(
            f"rebuilt {result.index}: {result.documents} documents in {result.seconds:.1f} s "
            f"({result.docs_per_second:.0f} docs/s); alias {search_settings().alias} now points at it"
        )
        for index in result.removed_indices:
            self.stdout.write(f"removed old index {index}")
        if result.failures:
            for page_id, reason in sorted(result.failures.items()):
                self.stdout.write(f"  page {page_id} not indexed: {reason[:300]}")
            raise CommandError(
                f"{len(result.failures)} documents were refused by the engine and are missing from the index "
                "(queued for retry; see `search_index status`)"
            )

    def do_verify(self):
        drift = verify()
        self.stdout.write(f"missing: {len(drift.missing)}, stale: {len(drift.stale)}, extra: {len(drift.extra)}")
        for name in ("missing", "stale", "extra"):
            ids = getattr(drift, name)
            if ids:
                self.stdout.write(f"  {name} page ids: {', '.join(map(str, ids[:20]))}{' …' if len(ids) > 20 else ''}")
        if not drift.clean:
            raise CommandError("the index has drifted from the database; run `search_index drain` or `rebuild`")
        self.stdout.write("index matches the published pages")

    def do_status(self):
        engine = require_engine()
        config = search_settings()
        info = engine.info()
        self.stdout.write(f"engine: {engine.vendor} {info.get('version', {}).get('number', '?')} at {engine.safe_url}")
        indices = engine.indices_for_alias(config.alias)
        self.stdout.write(f"alias: {config.alias} -> {', '.join(indices) or '(none: run `search_index rebuild`)'}")
        if indices:
            self.stdout.write(f"documents: {engine.count(config.alias)} (published pages: {count_indexable()})")
        state = IndexState.objects.filter(alias=config.alias).exclude(building_index="").first()
        if state:
            self.stdout.write(
                f"rebuild in progress: {state.building_index} since {state.building_since:%Y-%m-%d %H:%M:%S}"
            )
        queue = IndexQueueEntry.objects
        due = queue.filter(available_at__lte=timezone.now()).count()
        retrying = queue.filter(attempts__gt=0).count()
        self.stdout.write(f"queue: {queue.count()} pages waiting ({due} due, {retrying} retrying after errors)")
        for entry in failing():
            self.stdout.write(
                f"  page {entry.page_id}: {entry.attempts} attempts, next {entry.available_at:%Y-%m-%d %H:%M:%S}; "
                f"{entry.last_error[:300]}"
            )

    def do_enqueue(self):
        """Queue every published page: the worker re-indexes them in place, without a new index."""
        require_engine()
        page_ids = [pk for model in DOCUMENT_TYPES for pk in indexable(model).values_list("pk", flat=True)]
        enqueue(page_ids)
        self.stdout.write(f"queued {len(page_ids)} pages")

    def do_drain(self):
        result = drain()
        self.stdout.write(f"indexed {result.indexed}, failed {result.failed}")
        if result.engine_down:
            raise CommandError("the engine is unreachable; the queue is kept")
