"""A member's own data: what the privacy page says, export as JSON, and deleting the account."""

import json

from django.contrib.auth import get_user_model

from alerts.models import Digest, DigestItem, Follow, Member


def test_the_privacy_page_states_what_is_stored_and_the_legal_basis(client, db):
    page = client.get("/privacy/").content.decode()
    for words in ("password as a one-way hash", "Article 6(1)(a) GDPR", "Article 17", "Download everything"):
        assert words in page
    assert 'href="/privacy/"' in client.get("/lessons/").content.decode()


def test_export_holds_the_members_data_and_only_theirs(client, member, cologne):
    Follow.objects.create(member=member, city=cologne)
    digest = Digest.objects.create(member=member, frequency="weekly", period="2026-W49", status="sent")
    DigestItem.objects.create(digest=digest, member=member, page_id=cologne.pk)
    assert client.get("/alerts/my-data.json").status_code == 302  # signed out: sign in first
    client.force_login(member.user)
    response = client.get("/alerts/my-data.json")
    assert response["Content-Disposition"] == 'attachment; filename="my-data.json"'
    data = json.loads(response.content)
    assert data["account"]["email"] == "mia@example.org"
    assert data["account"]["addresses"] == [{"email": "mia@example.org", "verified": True, "primary": True}]
    assert data["follows"][0]["name"] == "Cologne" and data["follows"][0]["url"] == cologne.url
    assert data["digests"] == [
        {"period": "2026-W49", "frequency": "weekly", "status": "sent", "sent_at": None, "pages": [cologne.pk]}
    ]


def test_deleting_the_account_removes_everything_about_the_member(client, member, cologne):
    Follow.objects.create(member=member, city=cologne)
    client.force_login(member.user)
    assert "Delete my account" in client.get("/alerts/delete-account/").content.decode()
    client.post("/alerts/delete-account/", {})  # no confirmation: nothing happens
    assert Member.objects.filter(pk=member.pk).exists()
    response = client.post("/alerts/delete-account/", {"confirm": "yes"})
    assert response.status_code == 302
    assert not get_user_model().objects.filter(email="mia@example.org").exists()
    assert not Member.objects.exists() and not Follow.objects.exists()
    assert client.get("/alerts/").status_code == 302  # signed out


def test_an_editor_cannot_delete_their_own_account_here(client, editors):
    client.force_login(editors["cologne"])
    assert client.post("/alerts/delete-account/", {"confirm": "yes"}).status_code == 403
    assert get_user_model().objects.filter(pk=editors["cologne"].pk).exists()
