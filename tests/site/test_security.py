"""Who gets in, what leaks, and what the responses promise browsers."""

import os
import secrets
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.urls import reverse
from wagtail.models import PageViewRestriction

from kb.content_files.pages import find_city, find_page
from kb.models import LessonPage
from search.service import related
from tests.network import COLOGNE_LESSON, SORIA_LESSON, add_draft_lesson
from tests.served import manage, served

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize("url", ["/api/search", "/api/search/suggest", "/api/pages/1/related"])
def test_the_api_has_no_write_endpoints(client, method, url):
    assert getattr(client, method)(url).status_code == 405


def test_anonymous_users_cannot_write_through_the_admin(client, structure):
    city = find_city(structure, "Cologne")
    add = reverse("wagtailadmin_pages:add", args=["kb", "lessonpage", city.pk])
    response = client.post(add, {"title": "Spam", "slug": "spam", "language": "en", "action-publish": "1"})
    assert response.status_code == 302 and response.url.startswith("/admin/login/")
    assert not LessonPage.objects.filter(slug="spam").exists()
    lesson = find_page(structure, COLOGNE_LESSON)
    assert client.post(reverse("wagtailadmin_pages:delete", args=[lesson.pk])).status_code == 302
    assert LessonPage.objects.filter(pk=lesson.pk).exists()


def test_login_is_locked_after_repeated_failures(client):
    get_user_model().objects.create_user("editor", "editor@example.com", "the-right-password")
    statuses = [
        client.post("/admin/login/", {"username": "editor", "password": "wrong"}).status_code for _attempt in range(5)
    ]
    assert statuses == [200, 200, 200, 200, 429]  # the form again with an error, then locked out
    locked = client.post("/admin/login/", {"username": "editor", "password": "the-right-password"})
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


def test_search_api_is_rate_limited_per_client(client, settings):
    settings.SEARCH_API_RATE = "3/m"
    cache.clear()
    statuses = [client.get("/api/search", {"q": "x"}).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = client.get("/api/search/suggest", {"q": "xy"})
    assert limited.status_code == 429 and int(limited["Retry-After"]) > 0
    other_client = client.get("/api/search", {"q": "x"}, REMOTE_ADDR="10.9.8.7")
    assert other_client.status_code == 200
    cache.clear()


def test_the_client_address_honours_the_proxy_count_only(rf, settings):
    from config.client import client_address

    forged = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7")
    settings.PROXY_COUNT = 0
    assert client_address(forged) == "10.0.0.1"  # no proxy: the header is the client's own invention
    settings.PROXY_COUNT = 1
    assert client_address(forged) == "203.0.113.7"  # what our proxy appended, not what the client wrote
    settings.PROXY_COUNT = 3
    assert client_address(forged) == "10.0.0.1"  # did not pass every proxy
    settings.PROXY_COUNT = 1
    assert client_address(rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="not-an-ip")) == "10.0.0.1"


def test_the_rate_limit_holds_across_workers_and_forged_headers(tmp_path):
    """Production settings: two gunicorn workers share the database cache, and X-Forwarded-For is not a key."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'site.sqlite3'}",
        "SEARCH_URL": "",
        "SEARCH_API_RATE": "20/m",
        "PROXY_COUNT": "1",
    }
    manage(env, "migrate", "--noinput")
    manage(env, "createcachetable")
    with served(tmp_path, env, workers=2, ready_path="/api/openapi.json") as server:
        statuses = []
        # Sequential requests may all land on one worker: keep asking until both have answered (the limit is
        # then proven shared), at least 60 times.
        for attempt in range(400):  # each request forges a new address in front of what the proxy appends
            if attempt >= 60 and len(set(server.served_by())) == 2:
                break
            request = urllib.request.Request(
                f"{server.url}/api/search?q=x",
                headers={"X-Forwarded-For": f"10.{attempt % 250}.{attempt // 250}.1, 203.0.113.7"},
            )
            try:
                with urllib.request.urlopen(request, timeout=10) as response:
                    statuses.append(response.status)
            except urllib.error.HTTPError as error:
                statuses.append(error.code)
        workers = set(server.served_by())
        other = urllib.request.Request(f"{server.url}/api/search?q=x", headers={"X-Forwarded-For": "203.0.113.8"})
        with urllib.request.urlopen(other, timeout=10) as response:
            assert response.status == 200  # another client has an allowance of its own
    assert statuses[:20] == [200] * 20 and set(statuses[20:]) == {429}, statuses
    assert len(workers) == 2  # both workers answered, and together they counted to 20


def test_responses_carry_security_headers(client):
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    script_src = next(part for part in policy.split(";") if part.strip().startswith("script-src"))
    assert "'self'" in script_src and "unsafe-inline" not in script_src and "unsafe-eval" not in script_src
    assert "object-src 'none'" in policy and "frame-ancestors 'self'" in policy
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_production_settings_pass_the_deployment_checklist():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": "kb.example.eu",
        "DATABASE_URL": "sqlite:////tmp/kb-deploy-check.sqlite3",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


TOKEN = "zzleakcheckzz"


@pytest.fixture
def hidden_pages(structure, editors):
    """A draft, an unpublished page, a private page and a page awaiting moderation, all carrying TOKEN."""
    cologne = find_city(structure, "Cologne")
    draft = add_draft_lesson(cologne, title=f"Draft {TOKEN}", slug="draft-leak", summary=TOKEN)
    draft.save_revision()
    unpublished = find_page(structure, "lesson:cologne/waermepumpen-mehrfamilienhaus")
    unpublished.title = f"Unpublished {TOKEN}"
    unpublished.save_revision().publish()
    unpublished.unpublish()
    private = find_page(structure, SORIA_LESSON)
    private.title = f"Private {TOKEN}"
    private.save_revision().publish()
    PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.PASSWORD, password="x")
    moderated = add_draft_lesson(cologne, title=f"Moderated {TOKEN}", slug="moderated-leak", summary=TOKEN)
    revision = moderated.save_revision(user=editors["cologne"])
    moderated.get_workflow().start(moderated, editors["cologne"])
    assert revision and not moderated.live
    return [draft, unpublished, private, moderated]


def test_hidden_pages_never_leak(client, any_engine, hidden_pages, structure):
    if any_engine:
        from tests.search.helpers import sync

        sync(any_engine)
    surfaces = {
        "search api": client.get("/api/search", {"q": TOKEN}).content,
        "search page": client.get("/search/", {"q": TOKEN}).content,
        "suggest": client.get("/api/search/suggest", {"q": TOKEN}).content,
        "rss": client.get("/feeds/lessons/").content,
        "atom": client.get("/feeds/lessons/atom/").content,
        "search feed": client.get("/feeds/lessons/", {"q": TOKEN}).content,
        "city feed": client.get("/feeds/cities/cologne/").content,
        "city page": client.get("/cities/cologne/").content,
        "listing": b"".join(client.get("/lessons/", {"page": n}).content for n in (1, 2)),
        "sitemap": client.get("/sitemap.xml").content,
    }
    titles = [page.title.encode() for page in hidden_pages]
    for surface, content in surfaces.items():
        assert not [title for title in titles if title in content], surface
    public = find_page(structure, COLOGNE_LESSON)
    hits, _engine = related(public, limit=50)
    assert not [hit for hit in hits if TOKEN in hit.title]
    for page in hidden_pages:
        assert client.get(f"/api/pages/{page.pk}/related").status_code == 404


def test_only_the_admin_allows_inline_scripts(client, admin_user):
    client.force_login(admin_user)
    admin_policy = client.get("/admin/")["Content-Security-Policy"]
    assert "'unsafe-inline'" in next(p for p in admin_policy.split(";") if "script-src" in p)
    public_policy = client.get("/cities/")["Content-Security-Policy"]
    assert "'unsafe-inline'" not in next(p for p in public_policy.split(";") if "script-src" in p)
