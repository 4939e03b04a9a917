"""Outage and rebuild behaviour against real OpenSearch nodes."""

import os
import subprocess
from pathlib import Path

import pytest

from kb.content_files.pages import find_page
from search.conf import search_settings
from search.indexer import drain, rebuild, verify
from search.models import IndexQueueEntry
from search.query import build_request
from search.service import search

from .search_helpers import indexed_ids, titles

pytestmark = [pytest.mark.django_db, pytest.mark.engine]
SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "opensearch"


class Node:
    """A node of our own on another port, which a test may stop and start."""

    def __init__(self, folder: Path, port: int):
        self.url = f"http://127.0.0.1:{port}"
        self.env = {**os.environ, "OPENSEARCH_PORT": str(port), "OPENSEARCH_TRANSPORT_PORT": f"{port + 100}-{port + 110}",
                    "OPENSEARCH_DATA": str(folder / "data"), "OPENSEARCH_RUN": str(folder / "run")}

    def run(self, action: str):
        subprocess.run([str(SCRIPT), action], env=self.env, check=True, capture_output=True, timeout=180)


@pytest.fixture
def own_node(engine_url, tmp_path, settings, structure):
    node = Node(tmp_path, 9431)
    node.run("start")
    settings.SEARCH = {**settings.SEARCH, "URL": node.url, "INDEX_PREFIX": "outage_", "INDEX_INLINE": True}
    try:
        yield node
    finally:
        node.run("stop")


def test_engine_outage_falls_back_and_queued_changes_land_after_restart(
    own_node, client, structure, django_capture_on_commit_callbacks
):
    rebuild()
    lesson = find_page(structure, "lesson:cologne/proximity-offices")
    cycling = find_page(structure, "lesson:aachen/fahrradstrassen")
    own_node.run("stop")

    with django_capture_on_commit_callbacks(execute=True):
        lesson.unpublish()
        cycling.title = "Fahrradstraßen in Aachen (updated during the outage)"
        cycling.save_revision().publish()
    assert IndexQueueEntry.objects.filter(page_id__in=[lesson.pk, cycling.pk]).count() == 2

    response = client.get("/api/search", {"q": "Fahrradstraßen"})
    assert response.status_code == 200 and response.json()["engine"] == "database"
    assert any("(updated during the outage)" in r["title"] for r in response.json()["results"])
    page = client.get("/search/", {"q": "proximity"})
    assert page.status_code == 200 and "search engine is not available" in page.content.decode()
    waiting = IndexQueueEntry.objects.filter(page_id__in=[lesson.pk, cycling.pk])
    assert all("unreachable" in entry.last_error for entry in waiting)  # the inline attempt failed and was kept

    own_node.run("start")
    IndexQueueEntry.objects.update(available_at=IndexQueueEntry.objects.first().enqueued_at)  # skip the backoff
    result = drain()
    assert result.indexed == 2 and not IndexQueueEntry.objects.exists()
    drift = verify()
    assert drift.clean, drift
    assert search(build_request("Fahrradstraßen")).engine == "opensearch"


def test_search_keeps_answering_during_a_rebuild(search_engine):
    answers = []

    def search_while_loading(count):
        answers.append(len(titles("proximity")))

    before = search_engine.indices_for_alias(search_settings().alias)
    rebuild(progress=search_while_loading)
    assert answers and all(count >= 3 for count in answers)
    after = search_engine.indices_for_alias(search_settings().alias)
    assert after != before and len(after) == 1
    assert search_engine.indices_matching(f"{search_settings().alias}-*") == after
    assert verify().clean


def test_changes_made_during_a_rebuild_reach_the_new_index(search_engine, structure):
    lesson = find_page(structure, "lesson:cologne/proximity-offices")

    def unpublish_midway(count):
        if lesson.live:
            lesson.unpublish()
            drain()

    rebuild(progress=unpublish_midway)
    assert lesson.pk not in indexed_ids(search_engine)
    assert verify().clean
