from django.utils import timezone

from alerts.accounts import remove_unconfirmed
from alerts.digests import is_due, plan, send_due
from alerts.models import Frequency
from config.workers import WorkerCommand


class Command(WorkerCommand):
    help = (
        "Plan the daily and weekly digests when their period is due, and send them, until stopped "
        "(SIGTERM/SIGINT finish the current batch first)."
    )
    name = "alerts worker"
    default_poll = 30
    default_batch = 100  # one SMTP connection each
    batch_help = "Digests per batch"

    def step(self, batch):
        for frequency in (Frequency.DAILY, Frequency.WEEKLY):
            if is_due(frequency, timezone.now()) and (planned := plan(frequency)):
                self.stdout.write(
                    f"{frequency} {planned.period}: {planned.digests} digests with {planned.items} items "
                    f"for {planned.members} members ({planned.searches} saved searches run)"
                )
                for problem in planned.skipped:
                    self.stderr.write(f"saved search skipped: {problem}")
                if frequency == Frequency.DAILY and (removed := remove_unconfirmed()):  # once a day is enough
                    self.stdout.write(f"removed {removed} sign-ups never confirmed")
        sent, failed = send_due(batch)
        if sent or failed:
            self.stdout.write(f"sent {sent}, failed {failed}" + (" (will retry)" if failed else ""))
        return sent > 0, False  # failed digests wait out their delay
