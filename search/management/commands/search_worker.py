from django.core.management.base import CommandError

from config.workers import WorkerCommand
from search.indexer import process_queue, queue_needed


class Command(WorkerCommand):
    help = (
        "Apply queued search updates until stopped: compute embeddings, write the engine's documents "
        "(SIGTERM/SIGINT finish the current batch first)."
    )
    name = "search worker"
    # Pages per batch: small enough that their embeddings (about 0.1 s each) fit well within the worker's lease.
    default_batch = 100
    batch_help = "Pages per batch"

    def prepare(self):
        if not queue_needed():
            raise CommandError("neither SEARCH_URL nor SEARCH_EMBEDDER is set: the worker has nothing to do")

    def step(self, batch):
        result = process_queue(batch)
        if result.indexed or result.failed:
            self.stdout.write(
                f"indexed {result.indexed}, failed {result.failed}"
                + (" (engine unreachable, will retry)" if result.engine_down else "")
            )
        return bool(result.indexed + result.failed), result.engine_down
