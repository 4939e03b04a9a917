"""Feeds for every kind of content, for actions and for any search with its filters."""

import xml.etree.ElementTree as ET

import pytest

from kb.content_types import KNOWLEDGE
from kb.feeds import FEED_SIZE, feed_slug
from tests.network import COLOGNE_LESSON_TITLE


def titles(response) -> list[str]:
    assert response.status_code == 200, response.content[:300]
    root = ET.fromstring(response.content)
    atom = "{http://www.w3.org/2005/Atom}"
    return [element.text for element in root.iter("title")] + [element.text for element in root.iter(f"{atom}title")]


@pytest.mark.parametrize("kind", KNOWLEDGE, ids=lambda kind: kind.key)
def test_every_kind_has_rss_and_atom_feeds_of_its_published_pages(client, structure, kind):
    published = list(kind.model.objects.published().values_list("title", flat=True))
    assert 0 < len(published) <= FEED_SIZE, f"the test network has {len(published)} of {kind.key}"
    for suffix in ("", "atom/"):
        found = titles(client.get(f"/feeds/{feed_slug(kind)}/{suffix}"))
        assert set(published) <= set(found)


def test_the_actions_feed_lists_actions_with_their_status(client, structure):
    from plans.models import Action

    action = Action.objects.filter(plan__live=True).first()
    found = titles(client.get("/feeds/actions/"))
    assert f"{action.title} ({action.get_status_display()})" in found
    assert titles(client.get("/feeds/actions/atom/"))


def test_any_search_with_filters_has_a_feed(client, structure):
    found = titles(client.get("/feeds/search/?q=proximity+offices&country=DE&type=lesson"))
    assert found[0] == "New in the network: “proximity offices” · Type: Lessons · Country: Germany"
    assert COLOGNE_LESSON_TITLE in found
    assert all("Soria" not in title for title in found[1:])
    response = client.get("/feeds/search/?q=x&cohort=first")
    assert response.status_code == 400 and b"cohort must be a whole number" in response.content
    assert titles(client.get("/feeds/search/atom/?q=a%00b%01"))  # control characters are cleaned, not a 500


def test_the_feeds_page_lists_every_feed(client, structure):
    page = client.get("/feeds/").content.decode()
    for kind in KNOWLEDGE:
        assert f'href="/feeds/{feed_slug(kind)}/"' in page
    assert 'href="/feeds/actions/"' in page
