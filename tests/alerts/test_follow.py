"""Following a city, a theme or a search in one click, and the "my alerts" page."""

from alerts.models import Follow

from .conftest import make_member


def test_follow_a_city_once_and_stop(client, member, cologne):
    client.force_login(member.user)
    page = client.get(cologne.url).content.decode()
    assert "Follow this city" in page
    messages = []
    for _ in range(2):
        response = client.post("/alerts/follow/", {"city": cologne.slug, "next": cologne.url}, follow=True)
        assert response.redirect_chain == [(cologne.url, 302)]
        messages += [str(message) for message in response.context["messages"]]
    assert messages == [
        "You now follow Cologne. New items come in your weekly digest.", "You already follow Cologne."
    ]  # fmt: skip
    follow = Follow.objects.get(member=member)
    assert follow.city_id == cologne.pk
    page = client.get(cologne.url).content.decode()
    assert "You follow this" in page
    client.post(f"/alerts/follows/{follow.pk}/stop/", {"next": "/alerts/"})
    assert not Follow.objects.filter(member=member).exists()


def test_follow_a_theme(client, member, structure):
    client.force_login(member.user)
    assert "Follow this theme" in client.get("/themes/energy/").content.decode()
    client.post("/alerts/follow/", {"theme": "energy"})
    assert Follow.objects.get(member=member).theme.slug == "energy"
    assert "Energy" in client.get("/alerts/").content.decode()


def test_a_search_is_one_saved_search_however_it_is_written(client, member, structure):
    client.force_login(member.user)
    page = client.get("/search/?q=heat+pumps&theme=energy&country=de").content.decode()
    assert "Alert me to new results" in page
    client.post("/alerts/follow/", {"search": "q=heat+pumps&theme=energy&country=de"})
    client.post("/alerts/follow/", {"search": "country=DE&sort=newest&page=2&theme=Energy&q=heat%20pumps"})
    follow = Follow.objects.get(member=member)
    assert (follow.query, follow.filters) == ("heat pumps", {"theme": ["energy"], "country": ["DE"]})
    assert "You follow this" in client.get("/search/?theme=energy&q=heat+pumps&country=DE").content.decode()
    mine = client.get("/alerts/").content.decode()
    assert "“heat pumps” · Theme: Energy · Country: Germany" in mine


def test_what_cannot_be_followed_is_refused_clearly(client, member, structure):
    client.force_login(member.user)
    response = client.post("/alerts/follow/", {"search": "q=x&colour=red"})
    assert response.status_code == 400 and "unknown filter" in response.content.decode()
    assert client.post("/alerts/follow/", {"city": "atlantis"}).status_code == 404
    assert client.post("/alerts/follow/", {}).status_code == 400
    assert not Follow.objects.exists()


def test_following_needs_an_account_and_never_redirects_elsewhere(client, member, cologne, settings):
    response = client.post("/alerts/follow/", {"city": cologne.slug})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert "Sign in or create an account" in client.get(cologne.url).content.decode()
    client.force_login(member.user)
    response = client.post("/alerts/follow/", {"city": cologne.slug, "next": "https://evil.example/"})
    assert response["Location"] == "/alerts/"
    settings.ALERTS = {**settings.ALERTS, "MAX_FOLLOWS": 1}
    client.post("/alerts/follow/", {"theme": "energy"})
    assert Follow.objects.filter(member=member).count() == 1


def test_one_cannot_stop_another_members_follow(client, member, cologne):
    other = make_member("olga@example.org")
    follow = Follow.objects.create(member=other, city=cologne)
    client.force_login(member.user)
    assert client.post(f"/alerts/follows/{follow.pk}/stop/").status_code == 404
    assert Follow.objects.filter(pk=follow.pk).exists()


def test_email_settings_are_saved(client, member):
    client.force_login(member.user)
    client.post("/alerts/", {"frequency": "daily", "language": "de"})
    member.refresh_from_db()
    assert (member.frequency, member.language) == ("daily", "de")
    response = client.post("/alerts/", {"frequency": "hourly", "language": "de"})
    assert response.status_code == 200 and "hourly" in response.content.decode()
