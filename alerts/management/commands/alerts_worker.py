import signal
import time

from django.core.management.base import BaseCommand
from django.utils import timezone

from alerts.accounts import remove_unconfirmed
from alerts.digests import is_due, plan, send_due
from alerts.models import Frequency

BATCH = 100  # digests per send: one SMTP connection each


class Command(BaseCommand):
    help = (
        "Plan the daily and weekly digests when their period is due, and send them, until stopped "
        "(SIGTERM/SIGINT finish the current batch first)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--poll", type=float, default=30, help="Seconds to wait when nothing is to send")
        parser.add_argument("--batch", type=int, default=BATCH, help="Digests per batch")
        parser.add_argument("--once", action="store_true", help="Plan what is due, send it, and exit")

    def handle(self, *args, poll, batch, once, **options):
        self.running = True
        signal.signal(signal.SIGTERM, self.stop)
        signal.signal(signal.SIGINT, self.stop)
        self.stdout.write(f"alerts worker started (batch {batch}, poll {poll} s)")
        while self.running:
            for frequency in (Frequency.DAILY, Frequency.WEEKLY):
                if is_due(frequency, timezone.now()) and (planned := plan(frequency)):
                    self.stdout.write(
                        f"{frequency} {planned.period}: {planned.digests} digests with {planned.items} items "
                        f"for {planned.members} members ({planned.searches} saved searches run)"
                    )
                    for problem in planned.skipped:
                        self.stderr.write(f"saved search skipped: {problem}")
            if removed := remove_unconfirmed():
                self.stdout.write(f"removed {removed} sign-ups never confirmed")
            sent, failed = send_due(batch)
            if sent or failed:
                self.stdout.write(f"sent {sent}, failed {failed}" + (" (will retry)" if failed else ""))
            if sent + failed == 0:
                if once:
                    break
                time.sleep(poll)
            elif failed and once:
                break
        self.stdout.write("alerts worker stopped")

    def stop(self, signum, frame):
        self.running = False
