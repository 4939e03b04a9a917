"""Member accounts: sign-up by email with confirmation, in the reader's language, and no way into the admin."""

import re

from django.contrib.auth import get_user_model
from django.core import mail

from alerts.models import Member

from .conftest import make_member


def test_sign_up_needs_the_address_confirmed_and_keeps_the_language(client, db):
    client.cookies["django_language"] = "de"
    response = client.post(
        "/accounts/signup/",
        {"email": "ana@example.org", "password1": "a-long-password-1", "password2": "a-long-password-1"},
    )
    assert response.status_code == 302 and "confirm-email" in response["Location"]
    user = get_user_model().objects.get(email="ana@example.org")
    assert Member.objects.get(user=user).language == "de"
    # Not confirmed yet: signing in leads to the confirmation notice, not into the account.
    client.logout()
    response = client.post("/accounts/login/", {"login": "ana@example.org", "password": "a-long-password-1"})
    assert "confirm-email" in response.get("Location", "")
    assert client.get("/alerts/").status_code == 302
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[-1].body).group(0)
    path = link.split("://", 1)[1].split("/", 1)[1]
    assert client.post(f"/{path}").status_code == 302
    assert user.emailaddress_set.get().verified
    client.post("/accounts/login/", {"login": "ana@example.org", "password": "a-long-password-1"})
    page = client.get("/alerts/")
    assert page.status_code == 200 and "ana@example.org" in page.content.decode()


def test_a_member_cannot_reach_either_admin(client, member):
    client.force_login(member.user)
    for url in ("/admin/", "/admin/pages/", "/django-admin/"):
        response = client.get(url)
        assert response.status_code in (302, 403), url
        if response.status_code == 302:  # sent to the admin's own sign-in, not in
            assert "/login" in response["Location"], url
    assert not member.user.get_all_permissions()


def test_editors_still_sign_in_to_the_admin_by_username(client, editors):
    response = client.post("/admin/login/", {"username": "carl-cologne", "password": "password"})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_the_header_offers_sign_in_then_my_alerts(client, structure):
    assert 'href="/accounts/login/"' in client.get("/").content.decode()
    client.force_login(make_member("max@example.org").user)
    assert 'href="/alerts/"' in client.get("/").content.decode()


def test_sign_ups_never_confirmed_are_removed_after_a_week(editors):
    from datetime import timedelta

    from django.utils import timezone

    from alerts.accounts import remove_unconfirmed

    stale = make_member("old@example.org", confirmed=False)
    make_member("new@example.org", confirmed=False)  # joined today: it has time to confirm
    confirmed = make_member("ok@example.org")
    week_ago = timezone.now() - timedelta(days=8)
    get_user_model().objects.filter(pk__in=[stale.user_id, confirmed.user_id, editors["cologne"].pk]).update(
        date_joined=week_ago
    )
    Member.of(editors["cologne"])  # an editor who follows something, with no confirmed address
    assert remove_unconfirmed() == 1
    remaining = set(get_user_model().objects.values_list("email", flat=True))
    assert "old@example.org" not in remaining
    assert {"new@example.org", "ok@example.org", editors["cologne"].email} <= remaining
