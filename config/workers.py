"""The shape of the project's background workers (the search index's, the digests'): a management command that
repeats one step until stopped, and finishes the step it is in when told to stop (SIGTERM, SIGINT)."""

import signal
import time

from django.core.management.base import BaseCommand


class WorkerCommand(BaseCommand):
    name = "worker"  # how its start and stop lines call it
    default_poll = 0.5
    default_batch = 100
    batch_help = "Items per step"

    def add_arguments(self, parser):
        parser.add_argument("--poll", type=float, default=self.default_poll, help="Seconds to wait when idle")
        parser.add_argument("--batch", type=int, default=self.default_batch, help=self.batch_help)
        parser.add_argument("--once", action="store_true", help="Exit when nothing is due")

    def handle(self, *args, poll, batch, once, **options):
        self.prepare()
        self.running = True
        signal.signal(signal.SIGTERM, self.stop)
        signal.signal(signal.SIGINT, self.stop)
        self.stdout.write(f"{self.name} started (batch {batch}, poll {poll} s)")
        while self.running:
            worked, wait = self.step(batch)
            if not worked:
                if once:
                    break
                time.sleep(poll)
            elif wait:
                time.sleep(poll)
        self.stdout.write(f"{self.name} stopped")

    def prepare(self) -> None:
        """Refuse to start (``CommandError``) when there is nothing to do."""

    def step(self, batch: int) -> tuple[bool, bool]:
        """Do one step: whether it did anything, and whether to wait before the next all the same (the work
        cannot go on now, as when the engine is unreachable)."""
        raise NotImplementedError

    def stop(self, signum, frame):
        self.running = False
