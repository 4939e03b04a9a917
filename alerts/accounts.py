"""How allauth makes members: every new account gets its alert settings, in the language it signed up in; and
sign-ups whose address was never confirmed do not stay."""

from datetime import timedelta

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import get_language

from .models import Member


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            Member.of(user, get_language())
        return user


UNCONFIRMED_DAYS = 7  # allauth's confirmation links last 3 days (ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS)


def remove_unconfirmed(now=None) -> int:
    """Delete member accounts that never confirmed an address within a week: nobody asked for them to be kept.
    Accounts with any confirmed address, staff and editors (accounts in a group) stay."""
    cutoff = (now or timezone.now()) - timedelta(days=UNCONFIRMED_DAYS)
    confirmed = EmailAddress.objects.filter(verified=True).values("user_id")
    stale = get_user_model().objects.filter(
        date_joined__lt=cutoff, is_staff=False, is_superuser=False, groups__isnull=True, member__isnull=False
    ).exclude(pk__in=confirmed)
    ids = list(stale.values_list("pk", flat=True))
    get_user_model().objects.filter(pk__in=ids).delete()
    return len(ids)
