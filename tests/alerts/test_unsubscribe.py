"""Unsubscribing from an email: one signed link, no sign-in, and a link that was altered does nothing."""

from django.test import Client

from alerts.links import unsubscribe_token
from alerts.models import Follow


def test_the_link_stops_one_follow_without_signing_in(member, cologne):
    follow = Follow.objects.create(member=member, city=cologne)
    url = f"/alerts/unsubscribe/{unsubscribe_token(member, follow.pk)}/"
    client = Client(enforce_csrf_checks=True)
    page = client.get(url).content.decode()
    assert "Stop the emails about Cologne?" in page
    assert Follow.objects.filter(pk=follow.pk).exists()  # a visit alone (a mail scanner's) stops nothing
    # The mail program's one-click POST (RFC 8058) carries no CSRF token: the signature is the proof.
    response = client.post(url, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200 and "You no longer follow Cologne." in response.content.decode()
    assert not Follow.objects.filter(pk=follow.pk).exists()
    assert "already stopped" in client.get(url).content.decode()


def test_the_link_for_all_emails_turns_digests_off(client, member, cologne):
    Follow.objects.create(member=member, city=cologne)
    client.post(f"/alerts/unsubscribe/{unsubscribe_token(member)}/")
    member.refresh_from_db()
    assert member.frequency == "never" and member.follows.count() == 1


def test_a_tampered_link_fails(client, member, cologne):
    follow = Follow.objects.create(member=member, city=cologne)
    token = unsubscribe_token(member, follow.pk)
    forged_payload = unsubscribe_token(member, follow.pk + 1).split(":")[0] + ":" + token.split(":", 1)[1]
    for bad in (token[:-2] + ("AA" if not token.endswith("AA") else "BB"), forged_payload, "x", "a:b:c"):
        response = client.post(f"/alerts/unsubscribe/{bad}/")
        assert response.status_code == 400, bad
        assert "not valid" in response.content.decode()
    assert Follow.objects.filter(pk=follow.pk).exists()
    member.refresh_from_db()
    assert member.frequency == "weekly"
