"""Network members and what they follow: cities, themes and saved searches, and the digests sent about them."""

from urllib.parse import urlencode

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kb.models import CityPage, Theme
from search.query import build_request


class Frequency(models.TextChoices):
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")
    NEVER = "never", _("No emails")


class Member(models.Model):
    """A reader's alert settings, next to the account that allauth keeps (email, password, confirmation).

    Every account has one, editors included: following is for everyone who reads the network.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="member")
    frequency = models.CharField(
        _("digest"), max_length=10, choices=Frequency.choices, default=Frequency.WEEKLY,
        help_text=_("How often an email lists what is new in what you follow."),
    )
    language = models.CharField(
        _("language of the emails"), max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return str(self.user)

    @classmethod
    def of(cls, user, language: str | None = None) -> "Member":
        member, _created = cls.objects.get_or_create(
            user=user, defaults={"language": language or settings.LANGUAGE_CODE}
        )
        return member


class Follow(models.Model):
    """One thing a member follows: a city, a theme, or a search with its filters (exactly one of them)."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="follows")
    city = models.ForeignKey(CityPage, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    theme = models.ForeignKey(Theme, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    query = models.CharField(max_length=500, blank=True, help_text="A saved search's words.")
    filters = models.JSONField(default=dict, blank=True, help_text="A saved search's filters: facet → values.")
    search_key = models.CharField(
        max_length=2000, blank=True, help_text="The saved search as a canonical query string, to tell it apart."
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                name="follow_one_thing",
                condition=(
                    Q(city__isnull=False, theme__isnull=True, search_key="")
                    | Q(city__isnull=True, theme__isnull=False, search_key="")
                    | Q(city__isnull=True, theme__isnull=True) & ~Q(search_key="")
                ),
            ),
            models.UniqueConstraint(fields=["member", "city"], name="follow_city_once"),
            models.UniqueConstraint(fields=["member", "theme"], name="follow_theme_once"),
            models.UniqueConstraint(
                fields=["member", "search_key"], condition=~Q(search_key=""), name="follow_search_once"
            ),
        ]

    def __str__(self):
        return f"{self.member}: {self.kind} {self.city or self.theme or self.search_key}"

    @property
    def kind(self) -> str:
        return "city" if self.city_id else "theme" if self.theme_id else "search"

    @staticmethod
    def key_of(query: str, filters: dict[str, list[str]]) -> str:
        """A search as its query string, the same however its filters were ordered: ``q=…&theme=energy``."""
        pairs = [("q", query)] if query else []
        pairs += [(name, value) for name in sorted(filters) for value in sorted(filters[name])]
        return urlencode(pairs)


# Parameters that show a search another way (its page, order, exact spelling) without making it another search.
PRESENTATION_PARAMETERS = ("page", "sort", "exact")


def saved_search(querystring: str) -> dict:
    """A search page's query string as a follow's fields, cleaned as the search cleans it (``InvalidSearch`` for
    one it would refuse): the same search always gets the same key."""
    params = QueryDict(querystring[:2000])
    wanted = {name: params.getlist(name) for name in params if name not in ("q", *PRESENTATION_PARAMETERS)}
    request = build_request(params.get("q", ""), **wanted)
    filters = {name: list(values) for name, values in request.filters.items()}
    return {"query": request.query, "filters": filters, "search_key": Follow.key_of(request.query, filters)}


class Digest(models.Model):
    """One email for one member and one period, written only when something is new: the outbox of the digests.

    Planning writes it with its items in one transaction, once per period (``DigestRun``), and an item is never
    planned twice for a member (``DigestItem``). The sender leases it as the search index's worker leases
    its queue, and marks it sent; a failed send keeps it, with its reason, for a retry with the same items.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "to send"
        SENT = "sent", "sent"
        EMPTY = "empty", "nothing left to send"  # all its pages were taken down before it went out

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="digests")
    frequency = models.CharField(max_length=10, choices=Frequency.choices)
    period = models.CharField(max_length=10, help_text="The day (2026-12-02) or ISO week (2026-W49) it covers.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    available_at = models.DateTimeField(default=timezone.now, db_index=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["member", "frequency", "period"], name="digest_once")]

    def __str__(self):
        return f"{self.frequency} digest {self.period} for {self.member} ({self.status})"


class DigestItem(models.Model):
    """A page a digest lists, under the follow that found it. Unique per member: nothing is sent twice."""

    digest = models.ForeignKey(Digest, on_delete=models.CASCADE, related_name="items")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    page_id = models.BigIntegerField()
    follow = models.ForeignKey(Follow, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["member", "page_id"], name="digest_item_once")]


class DigestRun(models.Model):
    """A frequency's period that has been planned: planning runs once per period, whoever runs it."""

    frequency = models.CharField(max_length=10, choices=Frequency.choices)
    period = models.CharField(max_length=10)
    planned_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["frequency", "period"], name="digest_run_once")]
