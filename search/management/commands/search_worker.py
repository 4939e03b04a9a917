import signal
import time

from django.core.management.base import BaseCommand, CommandError

from search.indexer import process_queue, queue_needed

# Pages per batch: small enough that their embeddings (about 0.1 s each) fit well within the worker's lease.
BATCH = 100


class Command(BaseCommand):
    help = (
        "Apply queued search updates until stopped: compute embeddings, write the engine's documents "
        "(SIGTERM/SIGINT finish the current batch first)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--poll", type=float, default=0.5, help="Seconds to wait when the queue is empty")
        parser.add_argument("--batch", type=int, default=BATCH, help="Pages per batch")
        parser.add_argument("--once", action="store_true", help="Exit when nothing is due")

    def handle(self, *args, poll, batch, once, **options):
        if not queue_needed():
            raise CommandError("neither SEARCH_URL nor SEARCH_EMBEDDER is set: the worker has nothing to do")
        self.running = True
        signal.signal(signal.SIGTERM, self.stop)
        signal.signal(signal.SIGINT, self.stop)
        self.stdout.write(f"search worker started (batch {batch}, poll {poll} s)")
        while self.running:
            result = process_queue(batch)
            if result.indexed or result.failed:
                self.stdout.write(
                    f"indexed {result.indexed}, failed {result.failed}"
                    + (" (engine unreachable, will retry)" if result.engine_down else "")
                )
            if result.indexed + result.failed == 0:
                if once:
                    break
                time.sleep(poll)
            elif result.engine_down:
                time.sleep(poll)
        self.stdout.write("search worker stopped")

    def stop(self, signum, frame):
        self.running = False
