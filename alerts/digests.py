"""What is new for whom: planning the digests of a period, and sending them.

Planning runs once per frequency and period (``DigestRun``) for every member with that frequency and a confirmed
address. It reads the pages published in the look-back window once, matches them against all follows at once
(cities and themes from the pages' search documents, each distinct saved search once through the search
service), and writes every digest with its items in one transaction. An item already planned for a member is
never planned again (``DigestItem`` is unique per member and page), so overlapping windows repeat nothing.

Sending leases pending digests (``config/outbox.py``), renders each in its member's language and sends it; an
SMTP failure leaves the digest pending with its reason and a growing delay, so a retry sends the same items.
"""

import logging
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import mail
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from config.outbox import lease
from kb.content_types import DOCUMENT_KINDS, KNOWLEDGE
from search import service
from search.models import SearchDocument
from search.query import MAX_PAGE_SIZE, InvalidSearch, build_request

from .describe import follow_label
from .links import absolute, unsubscribe_url
from .models import Digest, DigestItem, DigestRun, Follow, Frequency, Member

logger = logging.getLogger(__name__)

LOOKBACK = {Frequency.DAILY: timedelta(days=2), Frequency.WEEKLY: timedelta(days=8)}
ITEMS_PER_FOLLOW = 10  # a digest is a pointer to what is new, not an archive
MEMBERS_PER_BATCH = 1000
SNIPPET_CHARS = 240
MAX_BACKOFF = timedelta(hours=6)


def period_of(frequency: str, now: datetime) -> str:
    day = now.astimezone(UTC).date()
    if frequency == Frequency.DAILY:
        return day.isoformat()
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


def is_due(frequency: str, now: datetime) -> bool:
    """Daily digests go out from ``ALERTS["DIGEST_HOUR"]`` (UTC) each day, weekly ones from that hour on Monday;
    a worker that was down plans the period when it comes back, within the period."""
    now = now.astimezone(UTC)
    start = now.replace(hour=settings.ALERTS["DIGEST_HOUR"], minute=0, second=0, microsecond=0)
    if frequency == Frequency.WEEKLY:
        start -= timedelta(days=now.weekday())
    return now >= start


@dataclass
class Plan:
    period: str
    members: int = 0  # members considered
    digests: int = 0  # digests written (members with something new)
    items: int = 0
    searches: int = 0  # distinct saved searches run
    skipped: list[str] = field(default_factory=list)  # saved searches that no longer parse, with the reason


def plan(frequency: str, now: datetime | None = None) -> Plan | None:
    """Write the digests of the current period, or ``None`` when it was planned already."""
    now = now or timezone.now()
    result = Plan(period_of(frequency, now))
    try:
        with transaction.atomic():
            DigestRun.objects.create(frequency=frequency, period=result.period)
            _plan(frequency, now, result)
    except IntegrityError:  # another worker planned it (the run, or one of its items, exists)
        return None
    return result


def _plan(frequency: str, now: datetime, result: Plan) -> None:
    due = (
        Member.objects.filter(frequency=frequency, user__is_active=True, follows__isnull=False)
        .filter(pk__in=_confirmed_members())
        .distinct()
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    members = list(due)
    result.members = len(members)
    published = _newly_published(now - LOOKBACK[frequency], now)
    if not members or not published:
        return
    by_city, by_theme = defaultdict(set), defaultdict(set)
    for page, city, themes in SearchDocument.objects.filter(key__in=[str(pk) for pk in published]).values_list(
        "page_id", "city", "themes"
    ):
        by_city[city].add(page)
        for theme in themes:
            by_theme[theme].add(page)
    saved = Follow.objects.filter(member__in=due).exclude(search_key="")
    searches = {key: (query, filters) for key, query, filters in saved.values_list("search_key", "query", "filters")}
    found = {"search": _run_searches(searches, sorted(published), result), "city": by_city, "theme": by_theme}
    newest_first = sorted(published, key=published.get, reverse=True)
    for start in range(0, len(members), MEMBERS_PER_BATCH):  # bounded memory and query sizes at any scale
        _plan_members(members[start : start + MEMBERS_PER_BATCH], frequency, now, published, newest_first, found,
                      result)  # fmt: skip


def _plan_members(members, frequency, now, published, newest_first, found, result: Plan) -> None:
    follows = Follow.objects.filter(member_id__in=members).values_list(
        "pk", "member_id", "city__slug", "theme__slug", "search_key", "created_at"
    )
    taken = set(DigestItem.objects.filter(member_id__in=members, page_id__in=newest_first).values_list(
        "member_id", "page_id"
    ))  # fmt: skip
    planned: dict[int, list[tuple[int, int]]] = defaultdict(list)  # member → (page, follow)
    for follow, member, city, theme, search_key, followed_at in follows:
        matched = (
            found["search"].get(search_key, set()) if search_key
            else found["city"][city] if city else found["theme"][theme]
        )  # fmt: skip
        fresh = [pk for pk in newest_first if pk in matched and published[pk] > followed_at]
        for pk in [pk for pk in fresh if (member, pk) not in taken][:ITEMS_PER_FOLLOW]:
            taken.add((member, pk))
            planned[member].append((pk, follow))
    digests = Digest.objects.bulk_create(
        [Digest(member_id=member, frequency=frequency, period=result.period, available_at=now) for member in planned]
    )
    DigestItem.objects.bulk_create(
        [
            DigestItem(digest=digest, member_id=digest.member_id, page_id=page, follow_id=follow)
            for digest in digests
            for page, follow in planned[digest.member_id]
        ],
        batch_size=2000,
    )
    result.digests += len(digests)
    result.items += sum(len(items) for items in planned.values())


def _confirmed_members():
    """Members whose account address is confirmed: digests go to no address its owner has not proven."""
    confirmed = EmailAddress.objects.filter(verified=True, primary=True).values("user_id")
    return Member.objects.filter(user__in=confirmed).values("pk")


def _newly_published(since: datetime, until: datetime) -> dict[int, datetime]:
    """Page id → first publication of the knowledge pages first published in the window that readers may see."""
    published = {}
    for kind in KNOWLEDGE:
        published.update(
            kind.model.objects.published()
            .filter(first_published_at__gt=since, first_published_at__lte=until)
            .values_list("pk", "first_published_at")
        )
    return published


def _run_searches(searches: dict[str, tuple], pages: list[int], result: Plan) -> dict[str, set[int]]:
    """Each distinct saved search (key → its words and filters) once, over the new pages only: key → the pages it
    finds."""
    found = {}
    for key, (query, filters) in searches.items():
        try:
            request = build_request(query, page_size=MAX_PAGE_SIZE, correct=False, **filters)
        except (InvalidSearch, TypeError) as error:
            result.skipped.append(f"{key}: {error}")
            continue
        response = service.search(replace(request, within=tuple(pages)))
        found[key] = {hit.id for hit in response.results if hit.plan is None}  # pages, not their actions
        result.searches += 1
    return found


# --- sending ---------------------------------------------------------------------------------------------


def send_due(limit: int = 100, now: datetime | None = None) -> tuple[int, int]:
    """Send up to ``limit`` pending digests; returns (sent, failed)."""
    now = now or timezone.now()
    due = Digest.objects.filter(status=Digest.Status.PENDING, available_at__lte=now).order_by("available_at", "pk")
    digests = lease(due, limit, settings.ALERTS["LEASE_SECONDS"])
    sent = failed = 0
    if not digests:
        return sent, failed
    batch = list(
        Digest.objects.filter(pk__in=[d.pk for d in digests])
        .select_related("member__user")
        .prefetch_related(
            Prefetch("items", DigestItem.objects.select_related("follow__city", "follow__theme").order_by("pk"))
        )
    )
    keys = [str(item.page_id) for digest in batch for item in digest.items.all()]  # pages' own documents
    documents = {document.page_id: document for document in SearchDocument.objects.filter(key__in=keys)}
    with mail.get_connection() as connection:
        for digest in batch:
            message = compose(digest, documents)
            if message is None:  # everything it listed was taken down before it went out
                Digest.objects.filter(pk=digest.pk).update(status=Digest.Status.EMPTY)
                continue
            try:
                message.connection = connection
                message.send()
            except Exception as error:  # noqa: BLE001 — any transport failure: keep the digest for a retry
                logger.warning("digest %s not sent: %s", digest.pk, error)
                attempts = digest.attempts + 1
                delay = min(timedelta(minutes=2**attempts), MAX_BACKOFF)
                Digest.objects.filter(pk=digest.pk).update(
                    attempts=attempts, available_at=timezone.now() + delay, last_error=str(error)[:2000]
                )
                failed += 1
                continue
            Digest.objects.filter(pk=digest.pk).update(status=Digest.Status.SENT, sent_at=timezone.now())
            sent += 1
    return sent, failed


@dataclass
class Group:
    label: str
    unsubscribe_url: str  # stops this follow alone; empty for items whose follow is gone
    items: list[dict]


def contents(digest: Digest, documents: dict[int, SearchDocument]) -> list[Group]:
    """The digest's items as they are now (``documents``: the pages' search documents by page id), grouped by the
    follow that found them; pages taken down since are left out (they have no search document any more)."""
    groups: dict[int | None, Group] = {}
    for item in digest.items.all():
        document = documents.get(item.page_id)
        if document is None:
            continue
        follow = item.follow
        group = groups.get(item.follow_id)
        if group is None:
            label = follow_label(follow) if follow else _("Other news")
            stop = unsubscribe_url(digest.member, follow.pk) if follow else ""
            group = groups[item.follow_id] = Group(label, stop, [])
        group.items.append(
            {
                "title": document.title,
                "kind": str(DOCUMENT_KINDS[document.type].label) if document.type in DOCUMENT_KINDS else "",
                "city": (document.display.get("city") or {}).get("name", ""),
                "snippet": _snippet(document.summary),
                "url": absolute(document.url),
            }
        )
    return list(groups.values())


def compose(digest: Digest, documents: dict[int, SearchDocument]) -> mail.EmailMultiAlternatives | None:
    member = digest.member
    with translation.override(member.language):
        groups = contents(digest, documents)
        if not groups:
            return None
        count = sum(len(group.items) for group in groups)
        context = {
            "member": member,
            "groups": groups,
            "count": count,
            "period": digest.period,
            "frequency": member.get_frequency_display().lower(),
            "manage_url": absolute("/alerts/"),
            "unsubscribe_url": unsubscribe_url(member),
            "privacy_url": absolute("/privacy/"),
        }
        subject = ngettext(
            "%(count)d new item in what you follow", "%(count)d new items in what you follow", count
        ) % {"count": count}
        message = mail.EmailMultiAlternatives(
            subject=f"{settings.ALERTS['SUBJECT_PREFIX']}{subject}",
            body=render_to_string("alerts/email/digest.txt", context),
            to=[member.user.email],
            headers={
                # One click in the mail program (RFC 8058), without signing in.
                "List-Unsubscribe": f"<{context['unsubscribe_url']}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                # The same id on a retry, so that a mail system that got it twice can tell.
                "Message-ID": f"<digest-{digest.pk}-{digest.period}@{settings.ALERTS['MESSAGE_ID_DOMAIN']}>",
            },
        )
        message.attach_alternative(render_to_string("alerts/email/digest.html", context), "text/html")
    return message


def _snippet(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= SNIPPET_CHARS else text[: SNIPPET_CHARS - 1].rsplit(" ", 1)[0] + "…"
