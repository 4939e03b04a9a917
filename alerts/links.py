"""Addresses in emails: absolute links to the site, and signed unsubscribe links that need no sign-in."""

from django.conf import settings
from django.core import signing
from django.urls import reverse

UNSUBSCRIBE_SALT = "alerts.unsubscribe"


def absolute(path: str) -> str:
    return settings.PUBLIC_BASE_URL.rstrip("/") + path


def unsubscribe_token(member, follow_id: int | None = None) -> str:
    """Signed with the site's secret: who (the member) and what (one follow, or every email when ``None``)."""
    return signing.dumps({"m": member.pk, "f": follow_id}, salt=UNSUBSCRIBE_SALT, compress=True)


def read_unsubscribe_token(token: str) -> tuple[int, int | None]:
    """The member and follow a token names; ``signing.BadSignature`` when it was altered or made up."""
    value = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    if not isinstance(value, dict) or not isinstance(value.get("m"), int):
        raise signing.BadSignature("not an unsubscribe token")
    follow = value.get("f")
    return value["m"], follow if isinstance(follow, int) else None


def unsubscribe_url(member, follow_id: int | None = None) -> str:
    return absolute(reverse("alerts:unsubscribe", args=[unsubscribe_token(member, follow_id)]))
