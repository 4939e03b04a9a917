import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from kb.content_types import KINDS
from search import embeddings
from search.backends import SearchNotConfigured, database_backend, engine_backend
from search.conf import search_settings
from search.documents import indexable
from search.embeddings import get_embedder
from search.engine import EngineError
from search.indexer import (
    backends,
    count_indexable,
    drain,
    embed_documents,
    queue_needed,
    rebuild,
    stored_documents,
    vectors_arrived,
    verify,
)
from search.models import Embedding, IndexQueueEntry, IndexState, SearchDocument
from search.queue import enqueue, failing


def progress_bar(label: str, total: int, unit: str):
    done = 0

    def progress(count):
        nonlocal done
        done += count
        filled = int(30 * done / total) if total else 30
        sys.stderr.write(f"\r{label}: [{'#' * filled}{'.' * (30 - filled)}] {done}/{total} {unit}")
        sys.stderr.flush()

    return progress


class Command(BaseCommand):
    help = (
        "Manage the network search's documents: rebuild (the database's, their embeddings, and the engine's behind "
        "its alias), verify them against the published pages, status, drain the queue, enqueue every page, embed "
        "(compute missing embeddings; resumable), save-vectors FILE and load-vectors FILE (carry the embeddings "
        "computed elsewhere)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "action",
            choices=["rebuild", "verify", "status", "drain", "enqueue", "embed", "save-vectors", "load-vectors"],
        )
        parser.add_argument("file", nargs="?", type=Path, help="the vector file of save-vectors and load-vectors")

    def handle(self, *args, action, file, **options):
        takes_file = action.endswith("-vectors")
        if takes_file != (file is not None):
            raise CommandError(f"{action} takes a file" if takes_file else f"{action} takes no file")
        try:
            getattr(self, f"do_{action.replace('-', '_')}")(*([file] if takes_file else []))
        except (SearchNotConfigured, EngineError, embeddings.VectorFileError) as error:
            raise CommandError(str(error)) from error

    def do_rebuild(self):
        total = count_indexable()
        failures = {}
        for backend in backends():
            result = rebuild(backend, progress_bar(backend.name, total, "documents"))
            sys.stderr.write("\n")
            self.stdout.write(
                f"rebuilt {result.backend} ({result.index}): {result.documents} documents in {result.seconds:.1f} s "
                f"({result.docs_per_second:.0f} docs/s)"
            )
            for index in result.removed_indices:
                self.stdout.write(f"removed old index {index}")
            failures.update(result.failures)
            if backend is database_backend():
                self.do_embed()  # before the engine's index is filled, so that it has every vector
        if failures:
            for page_id, reason in sorted(failures.items()):
                self.stdout.write(f"  page {page_id} not indexed: {reason[:300]}")
            raise CommandError(
                f"{len(failures)} documents were refused by the engine and are missing from the index "
                "(queued for retry; see `search_index status`)"
            )

    def do_embed(self):
        """Compute the vectors the documents lack, in batches committed one by one: stop it and run it again."""
        if get_embedder() is None:
            return
        documents = list(stored_documents())
        lacking = len(documents) - len(embeddings.stored_keys(doc["embedding_key"] for doc in documents))
        started = time.perf_counter()
        computed = embed_documents(documents, progress_bar("embeddings", lacking, "texts"))
        if computed:
            sys.stderr.write("\n")
        seconds = time.perf_counter() - started
        rate = f" ({computed / seconds:.1f} texts/s)" if computed else ""
        with_vectors = len(documents)
        self.stdout.write(f"embedded {computed} texts in {seconds:.1f} s{rate}; {with_vectors} documents have vectors")
        if computed and engine_backend() is not None:
            enqueue(doc["page_id"] for doc in documents)  # the worker sends the vectors to the engine

    def do_save_vectors(self, file: Path):
        embedder = self.embedder()
        saved = embeddings.save_vectors(file, embedder.model)
        self.stdout.write(f"saved {saved} vectors of {embedder.model} to {file}")

    def do_load_vectors(self, file: Path):
        loaded = embeddings.load_vectors(file, self.embedder())
        self.stdout.write(f"loaded {loaded} new vectors from {file}")
        if loaded:
            vectors_arrived()
            if engine_backend() is not None:
                enqueue(SearchDocument.objects.values_list("page_id", flat=True).distinct())  # the engine's copies

    def embedder(self):
        embedder = get_embedder()
        if embedder is None:
            raise CommandError("the search by meaning is switched off (SEARCH_EMBEDDER is empty): no vectors to carry")
        return embedder

    def do_verify(self):
        drifted = []
        for backend in backends():
            drift = verify(backend)
            self.stdout.write(
                f"{backend.name}: missing {len(drift.missing)}, stale {len(drift.stale)}, extra {len(drift.extra)}"
            )
            for name in ("missing", "stale", "extra"):
                ids = getattr(drift, name)
                if ids:
                    listed = ", ".join(map(str, ids[:20])) + (" …" if len(ids) > 20 else "")
                    self.stdout.write(f"  {name} documents: {listed}")
            if not drift.clean:
                drifted.append(backend.name)
        if drifted:
            raise CommandError(f"{', '.join(drifted)} drifted from the published pages; run `search_index rebuild`")
        self.stdout.write("every backend matches the published pages")

    def do_status(self):
        documents = SearchDocument.objects
        with_vectors = documents.filter(embedding_key__in=Embedding.objects.values("key")).count()
        self.stdout.write(
            f"database: {documents.count()} documents (expected, of published pages and their actions: "
            f"{count_indexable()}), "
            f"{with_vectors} with their embedding"
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
        backend = engine_backend()
        if backend is None:
            self.stdout.write("engine: none (SEARCH_URL is not set); the database answers every search")
            return
        engine, config = backend.engine, search_settings()
        info = engine.info()
        self.stdout.write(f"engine: {engine.vendor} {info.get('version', {}).get('number', '?')} at {engine.safe_url}")
        indices = engine.indices_for_alias(config.alias)
        self.stdout.write(f"alias: {config.alias} -> {', '.join(indices) or '(none: run `search_index rebuild`)'}")
        if indices:
            self.stdout.write(f"documents: {engine.count(config.alias)}")
        state = IndexState.objects.filter(alias=config.alias).exclude(building_index="").first()
        if state:
            self.stdout.write(
                f"rebuild in progress: {state.building_index} since {state.building_since:%Y-%m-%d %H:%M:%S}"
            )

    def do_enqueue(self):
        """Queue every published page: the worker re-indexes them in place, without a new index."""
        if not queue_needed():
            raise CommandError("neither SEARCH_URL nor SEARCH_EMBEDDER is set: there is no queue")
        page_ids = [pk for kind in KINDS for pk in indexable(kind).values_list("pk", flat=True)]
        enqueue(page_ids)
        self.stdout.write(f"queued {len(page_ids)} pages")

    def do_drain(self):
        result = drain()
        self.stdout.write(f"indexed {result.indexed}, failed {result.failed}")
        if result.engine_down:
            raise CommandError("the engine is unreachable; the queue is kept")
