"""What the digests cost: planning and sending them for many members who each follow a few things.

    python bench/digests.py [--members 10000] [--follows 5] [--new 40] [--smtp] [--database /tmp/digests.sqlite3]

Builds, in a throwaway SQLite database (or the PostgreSQL database in DATABASE_URL with --postgres), the demo
network and N confirmed members, each following F things drawn at random: cities, themes and saved searches (from
a pool of 50 distinct searches, as members share the obvious ones). --new knowledge pages get a first publication
within the last hour. It then times, in one process:

- plan: ``alerts.digests.plan("weekly")``, which finds what is new for every member and writes the digests;
- send: ``send_due`` in batches of 100 until no digest is left, each rendered in its member's language (text and
  HTML) and handed to the mail backend: Django's in-memory one, or with --smtp a real SMTP server on loopback
  (Python's smtpd, accepting and discarding);
- with --memory, Python's memory at its peak while planning and while sending (tracemalloc, which slows both);
- baseline: the same number of one-line messages through the same backend and batches, pre-rendered, the floor a
  digest cannot go under.
"""

import argparse
import logging
import os
import random
import resource
import sys
import tempfile
import threading
import time
import tracemalloc
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--follows", type=int, default=5, help="things each member follows")
    parser.add_argument("--new", type=int, default=40, help="pages first published within the last hour")
    parser.add_argument("--smtp", action="store_true", help="send through a real SMTP server on loopback")
    parser.add_argument("--memory", action="store_true", help="trace Python's memory (slows everything 2–4 times)")
    parser.add_argument("--postgres", action="store_true", help="use DATABASE_URL instead of a throwaway SQLite")
    parser.add_argument("--database", help="SQLite file to build (default: a temporary file)")
    parser.add_argument("--seed", type=int, default=1)
    return parser.parse_args()


ARGS = parse_args()
if not ARGS.postgres:
    handle, name = tempfile.mkstemp(prefix="digests-", suffix=".sqlite3") if not ARGS.database else (None, None)
    if handle:
        os.close(handle)
    database = Path(ARGS.database or name)
    database.unlink(missing_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.dev"
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SEARCH_URL", "")  # the database search answers the saved searches: no engine needed
os.environ.setdefault("SEARCH_EMBEDDER", "")  # words only: what is measured is the digests, not the model

import django  # noqa: E402

django.setup()

from allauth.account.models import EmailAddress  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core import mail  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402

from alerts.digests import plan, send_due  # noqa: E402
from alerts.models import Follow, Member  # noqa: E402
from kb.content_types import KNOWLEDGE  # noqa: E402
from kb.models import CityPage, Theme  # noqa: E402

SEARCHES = [
    "heat pumps", "renovation", "proximity offices", "cycling", "green roofs", "district heating", "citizen",
    "energy communities", "public transport", "tree planting", "solar", "food waste", "circular", "participation",
    "funding", "data platform", "schools", "housing", "mobility hubs", "climate city contract",
]  # fmt: skip


def build(rng: random.Random) -> int:
    call_command("migrate", "--noinput", verbosity=0)
    call_command("load_demo", stdout=open(os.devnull, "w"))
    cities = list(CityPage.objects.values_list("pk", flat=True))
    themes = list(Theme.objects.values_list("pk", flat=True))
    searches = [(query, {}) for query in SEARCHES] + [
        (query, {"country": [country]}) for query in SEARCHES[:15] for country in ("DE", "ES")
    ]  # 50 distinct saved searches
    users = get_user_model().objects.bulk_create(
        [
            get_user_model()(username=f"member{n}", email=f"member{n}@example.org", password="!")
            for n in range(ARGS.members)
        ],
        batch_size=2000,
    )
    EmailAddress.objects.bulk_create(
        [EmailAddress(user=user, email=user.email, verified=True, primary=True) for user in users], batch_size=2000
    )
    languages = [code for code, _name in settings.LANGUAGES]
    members = Member.objects.bulk_create(
        [Member(user=user, frequency="weekly", language=rng.choice(languages)) for user in users], batch_size=2000
    )
    follows = []
    started = timezone.now() - timedelta(days=30)
    for member in members:
        kinds = rng.choices(["city", "theme", "search"], k=ARGS.follows)
        for city in rng.sample(cities, kinds.count("city")):
            follows.append(Follow(member=member, city_id=city, created_at=started))
        for theme in rng.sample(themes, kinds.count("theme")):
            follows.append(Follow(member=member, theme_id=theme, created_at=started))
        for query, filters in rng.sample(searches, kinds.count("search")):
            key = Follow.key_of(query, filters)
            follows.append(Follow(member=member, query=query, filters=filters, search_key=key, created_at=started))
    Follow.objects.bulk_create(follows, batch_size=5000)
    pages = [pk for kind in KNOWLEDGE for pk in kind.model.objects.published().values_list("pk", flat=True)]
    fresh = rng.sample(pages, min(ARGS.new, len(pages)))
    for kind in KNOWLEDGE:
        kind.model.objects.filter(pk__in=fresh).update(first_published_at=timezone.now() - timedelta(minutes=30))
    return len(follows)


class Sink:
    """An SMTP server on loopback that accepts every message and keeps only a count (Python's smtpd)."""

    def __init__(self):
        import asyncore
        import smtpd

        sink = self

        class Server(smtpd.SMTPServer):
            def process_message(self, *args, **kwargs):
                sink.received += 1

        self.received = 0
        self.server = Server(("127.0.0.1", 0), None)
        self.port = self.server.socket.getsockname()[1]
        self.thread = threading.Thread(target=asyncore.loop, kwargs={"timeout": 0.05}, daemon=True)
        self.thread.start()


def send_all() -> tuple[float, int]:
    started, sent = time.perf_counter(), 0
    while True:
        done, failed = send_due(100)
        if failed:
            raise SystemExit(f"{failed} digests failed to send")
        if not done:
            return time.perf_counter() - started, sent
        sent += done


def baseline(count: int) -> float:
    messages = [mail.EmailMessage("Digest", "One line.", to=[f"member{n}@example.org"]) for n in range(count)]
    started = time.perf_counter()
    for start in range(0, count, 100):
        with mail.get_connection() as connection:
            connection.send_messages(messages[start : start + 100])
    return time.perf_counter() - started


def main():
    rng = random.Random(ARGS.seed)
    if ARGS.smtp:
        sink = Sink()
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", sink.port, False
    else:
        settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.ALERTS = {**settings.ALERTS, "DIGEST_HOUR": 0}
    print(f"building {ARGS.members} members × {ARGS.follows} follows on {settings.DATABASES['default']['ENGINE']}")
    logging.getLogger("wagtail").setLevel(logging.WARNING)  # the demo's page log
    follows = build(rng)
    if ARGS.memory:
        tracemalloc.start()
    started = time.perf_counter()
    planned = plan("weekly")
    plan_seconds = time.perf_counter() - started
    plan_peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.reset_peak()
    send_seconds, sent = send_all()
    send_peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    mail.outbox = []
    floor = baseline(sent)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    backend = "SMTP on loopback" if ARGS.smtp else "in-memory backend"
    print(f"members {ARGS.members}, follows {follows}, new pages {ARGS.new}, distinct saved searches run "
          f"{planned.searches}")  # fmt: skip
    print(f"plan: {plan_seconds:.2f} s — {planned.digests} digests, {planned.items} items")
    print(f"send ({backend}): {send_seconds:.2f} s — {sent} digests, {sent / send_seconds:.0f}/s")
    print(f"baseline (one-line messages, same backend and batches): {floor:.2f} s; send / baseline "
          f"{send_seconds / floor:.1f}")  # fmt: skip
    print(f"total plan + send: {plan_seconds + send_seconds:.1f} s; peak RSS of the process (with building the "
          f"members) {peak_mb:.0f} MB")  # fmt: skip
    if ARGS.memory:  # the in-memory backend keeps every message: its figure for sending is the outbox's
        print(f"Python memory at its peak (tracemalloc): plan {plan_peak:.0f} MB, send {send_peak:.0f} MB")  # fmt: skip


if __name__ == "__main__":
    main()
