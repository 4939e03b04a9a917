"""Digests: what is new in what a member follows, grouped, in their language, never twice, retried on failure.

These run the real worker command on the real database; only the mail transport is the test's (an outbox in
memory, or one that refuses the first sends as an SMTP server that is down would).
"""

import io
from datetime import timedelta
from smtplib import SMTPServerDisconnected

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import call_command
from django.utils import timezone

from alerts.digests import plan, send_due
from alerts.models import Digest, DigestItem, Follow
from kb.models import LessonPage, Theme

from .conftest import make_member, publish_lesson


@pytest.fixture(autouse=True)
def due_now(settings):
    settings.ALERTS = {**settings.ALERTS, "DIGEST_HOUR": 0}  # weekly digests are due from Monday 00:00 UTC


def run_worker():
    call_command("alerts_worker", "--once", stdout=io.StringIO())


def follows(member, *, city=None, theme=None, search=None):
    if search is not None:
        return Follow.objects.create(member=member, query=search, search_key=Follow.key_of(search, {}))
    return Follow.objects.create(member=member, city=city, theme=theme)


def test_a_digest_lists_what_is_new_grouped_with_links_once(member, cologne, soria, settings):
    settings.PUBLIC_BASE_URL = "https://kb.example.eu"
    follows(member, city=cologne)
    follows(member, theme=Theme.objects.get(slug="mobility-and-transport"))
    follows(member, search="seagrass")
    publish_lesson(cologne, "Tenant meetings in Chorweiler", "tenant-meetings", summary="Residents first.")
    lesson = publish_lesson(soria, "Seagrass meadows in the Duero", "seagrass", summary="A river and its banks.")
    # Found by the theme and by the search: listed once.
    lesson.themes = [Theme.objects.get(slug="mobility-and-transport")]
    lesson.save_revision().publish()
    publish_lesson(soria, "Street lighting tender", "street-lighting")  # matches nothing followed
    run_worker()
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["mia@example.org"]
    assert email.subject == "[Cities Mission] 2 new items in what you follow"
    text = email.body
    assert "== Cologne ==" in text and "Tenant meetings in Chorweiler" in text and "Residents first." in text
    assert text.count("Seagrass meadows in the Duero") == 1 and "Street lighting" not in text
    assert "https://kb.example.eu/cities/cologne/tenant-meetings/" in text
    assert "== Mobility and transport ==" in text  # the first follow that found it
    html = email.alternatives[0][0]
    assert "<h2" in html and "Tenant meetings in Chorweiler" in html
    assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/alerts/unsubscribe/" in email.extra_headers["List-Unsubscribe"]
    # The same period again: planned already, nothing sent.
    run_worker()
    assert len(mail.outbox) == 1


def test_nothing_is_sent_twice_nor_when_nothing_is_new(member, cologne):
    follows(member, city=cologne)
    publish_lesson(cologne, "Tenant meetings in Chorweiler", "tenant-meetings")
    now = timezone.now()
    plan("weekly", now)
    send_due(now=now)
    assert len(mail.outbox) == 1
    next_week = now + timedelta(days=7)
    assert plan("weekly", next_week).digests == 0  # the lesson is still within the look-back: not again
    send_due(now=next_week)
    assert len(mail.outbox) == 1
    courtyard = publish_lesson(cologne, "Courtyard greening", "courtyard-greening")
    later = now + timedelta(days=14)
    LessonPage.objects.filter(pk=courtyard.pk).update(first_published_at=later - timedelta(days=1))
    plan("weekly", later)
    send_due(now=later)
    assert len(mail.outbox) == 2
    assert "Courtyard greening" in mail.outbox[1].body and "Tenant meetings" not in mail.outbox[1].body
    assert DigestItem.objects.filter(member=member).count() == 2


def test_only_what_readers_may_see_and_only_what_came_after_the_follow(member, cologne):
    publish_lesson(cologne, "Published before the follow", "before")
    follows(member, city=cologne)
    draft = publish_lesson(cologne, "Taken down again", "taken-down")
    draft.unpublish()
    publish_lesson(cologne, "Published after the follow", "after")
    run_worker()
    body = mail.outbox[0].body
    assert "Published after the follow" in body
    assert "Published before the follow" not in body and "Taken down again" not in body


def test_a_page_taken_down_before_sending_is_left_out(member, cologne):
    follows(member, city=cologne)
    lesson = publish_lesson(cologne, "Short-lived", "short-lived")
    now = timezone.now()
    assert plan("weekly", now).digests == 1
    lesson.unpublish()
    send_due(now=now)
    assert mail.outbox == []
    assert Digest.objects.get(member=member).status == Digest.Status.EMPTY


def test_digest_in_the_members_language_and_no_digest_for_unconfirmed_or_unsubscribed(cologne):
    german = make_member("greta@example.org", language="de")
    unconfirmed = make_member("uwe@example.org", confirmed=False)
    silent = make_member("stella@example.org", frequency="never")
    for someone in (german, unconfirmed, silent):
        follows(someone, city=cologne)
    publish_lesson(cologne, "Tenant meetings in Chorweiler", "tenant-meetings")
    run_worker()
    assert [email.to for email in mail.outbox] == [["greta@example.org"]]
    assert mail.outbox[0].subject == "[Cities Mission] 1 neuer Eintrag in dem, dem Sie folgen"
    assert "Benachrichtigungen verwalten" in mail.outbox[0].body


class RefusingBackend(EmailBackend):
    """A mail server that is down for the first ``refusals`` messages."""

    refusals = 1

    def send_messages(self, messages):
        if RefusingBackend.refusals > 0:
            RefusingBackend.refusals -= 1
            raise SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)


def test_an_smtp_failure_is_retried_with_the_same_items_and_sends_once(member, cologne, settings):
    settings.EMAIL_BACKEND = "tests.alerts.test_digests.RefusingBackend"
    RefusingBackend.refusals = 1
    follows(member, city=cologne)
    publish_lesson(cologne, "Tenant meetings in Chorweiler", "tenant-meetings")
    now = timezone.now()
    plan("weekly", now)
    assert send_due(now=now) == (0, 1)
    digest = Digest.objects.get(member=member)
    assert digest.status == "pending" and digest.attempts == 1 and "unexpectedly closed" in digest.last_error
    assert send_due(now=now) == (0, 0)  # not before its delay
    publish_lesson(cologne, "Courtyard greening", "courtyard-greening")  # not added to the planned digest
    assert send_due(now=now + timedelta(minutes=3)) == (1, 0)
    assert send_due(now=now + timedelta(hours=7)) == (0, 0)
    assert len(mail.outbox) == 1
    assert "Tenant meetings" in mail.outbox[0].body and "Courtyard greening" not in mail.outbox[0].body
    assert mail.outbox[0].extra_headers["Message-ID"].startswith(f"<digest-{digest.pk}-")


def test_planning_twice_for_a_period_plans_once(member, cologne):
    follows(member, city=cologne)
    publish_lesson(cologne, "Tenant meetings in Chorweiler", "tenant-meetings")
    now = timezone.now()
    assert plan("weekly", now).digests == 1
    assert plan("weekly", now) is None
    assert Digest.objects.count() == 1


def test_a_saved_search_with_filters_finds_its_new_pages(member, cologne, soria):
    spain = {"country": ["ES"]}
    Follow.objects.create(member=member, query="meetings", filters=spain, search_key=Follow.key_of("meetings", spain))
    publish_lesson(cologne, "Tenant meetings in Chorweiler", "tenant-meetings")
    publish_lesson(soria, "Neighbourhood meetings in Soria", "neighbourhood-meetings")
    run_worker()
    body = mail.outbox[0].body
    assert "Neighbourhood meetings in Soria" in body and "Chorweiler" not in body
    assert "== “meetings” · Country: Spain ==" in body


def test_a_search_within_given_pages_finds_and_counts_only_those(any_engine, structure, cologne):
    """What a saved search's digest relies on, on both backends: the restriction holds for hits and facets."""
    from dataclasses import replace

    from search.query import build_request
    from search.service import search

    request = build_request("proximity offices", page_size=50)
    everywhere = search(request)
    assert {hit.city["slug"] for hit in everywhere.results if hit.city} >= {"cologne", "soria"}
    pages = [hit for hit in everywhere.results if hit.plan is None]
    in_cologne = [hit.id for hit in pages if (hit.city or {}).get("slug") == "cologne"]
    within = search(replace(request, within=tuple(in_cologne)))
    assert within.engine == ("database" if any_engine is None else "opensearch")
    assert {hit.city["slug"] for hit in within.results} == {"cologne"}
    assert {hit.id for hit in within.results if hit.plan is None} == set(in_cologne)
    assert {value.value for value in within.facets["city"]} == {"cologne"}
