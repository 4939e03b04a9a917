"""Outage and rebuild behaviour against real OpenSearch nodes."""

import io
import os
import subprocess
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from kb.content_files.pages import find_page
from kb.models import ActionPlanPage, LessonPage
from search.conf import search_settings
from search.engine import get_engine
from search.indexer import drain, rebuild, verify
from search.models import IndexQueueEntry
from search.query import build_request
from search.service import search
from tests.network import COLOGNE_LESSON, SORIA_LESSON

from .helpers import indexed_ids, titles

pytestmark = [pytest.mark.django_db, pytest.mark.engine]
SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "opensearch"


class Node:
    """A node of our own on another port, which a test may stop and start, with settings of its own."""

    def __init__(self, folder: Path, port: int, settings: dict[str, str] | None = None):
        self.url = f"http://127.0.0.1:{port}"
        self.env = {
            **os.environ,
            "OPENSEARCH_PORT": str(port),
            "OPENSEARCH_TRANSPORT_PORT": f"{port + 100}-{port + 110}",
            "OPENSEARCH_DATA": str(folder / "data"),
            "OPENSEARCH_RUN": str(folder / "run"),
        }
        if settings:  # the node reads opensearch.yml from its config folder, under the run folder
            (folder / "run" / "config").mkdir(parents=True, exist_ok=True)
            lines = [f"{key}: {value}" for key, value in settings.items()]
            (folder / "run" / "config" / "opensearch.yml").write_text("\n".join(lines) + "\n")

    def run(self, action: str):
        subprocess.run([str(SCRIPT), action], env=self.env, check=True, capture_output=True, timeout=180)


@contextmanager
def running(node: Node, settings, **search):
    """The node started, and the search pointed at it, for the length of a test."""
    node.run("start")
    settings.SEARCH = {**settings.SEARCH, "URL": node.url, **search}
    try:
        yield node
    finally:
        node.run("stop")


@pytest.fixture
def own_node(engine_url, tmp_path, settings, structure):
    with running(Node(tmp_path, 9431), settings, INDEX_PREFIX="outage_", INDEX_INLINE=True) as node:
        yield node


STORM = 240  # publishes and unpublishes, half of them while the engine is down


def storm(pages, rounds, tag, capture):
    """Edit and publish (sometimes unpublish) pages in turn, each change committed on its own.

    Every edit appends one searchable word, ``<tag><number>``, to the page's original title.
    """
    originals = {page.pk: page.title for page in pages}
    for number in range(rounds):
        page = pages[number % len(pages)]
        with capture(execute=True):
            if number % 7 == 6:
                page.unpublish()
            else:
                page.title = f"{originals[page.pk]} {tag}{number}"
                page.save_revision().publish()


def test_engine_outage_during_a_storm_of_edits(
    own_node, client, structure, django_capture_on_commit_callbacks, words_only
):
    rebuild()
    pages = [page.specific for page in LessonPage.objects.live().order_by("pk")] + [
        page.specific for page in ActionPlanPage.objects.live().order_by("pk")
    ]
    storm(pages, STORM // 2, "stormbefore", django_capture_on_commit_callbacks)
    own_node.run("stop")

    storm(pages, STORM // 2, "stormduring", django_capture_on_commit_callbacks)
    assert IndexQueueEntry.objects.count() > 0
    waiting = IndexQueueEntry.objects.all()
    assert all("unreachable" in entry.last_error for entry in waiting), {e.last_error for e in waiting}
    statuses = [client.get("/api/search", {"q": query}).status_code for query in ("renovation", "Wärmepumpe", "")]
    statuses += [
        client.get(url).status_code
        for url in ("/", "/search/?q=proximity", "/cities/cologne/", "/lessons/", "/api/search/suggest?q=prox")
    ]
    assert statuses == [200] * len(statuses)
    last_edit = f"stormduring{max(n for n in range(STORM // 2) if n % 7 != 6)}"  # the engine was down for it
    fallback = client.get("/api/search", {"q": last_edit}).json()
    assert fallback["engine"] == "database" and fallback["total"] == 1
    page = client.get("/search/", {"q": "proximity"})
    assert "search engine is not available" in page.content.decode()

    own_node.run("start")
    IndexQueueEntry.objects.update(available_at=timezone.now())  # skip the remaining backoff
    result = drain()
    assert result.failed == 0 and not IndexQueueEntry.objects.exists()
    drift = verify()
    assert drift.clean, drift
    found = search(build_request(last_edit))
    assert found.engine == "opensearch" and found.total == 1


@pytest.fixture
def strict_node(engine_url, tmp_path, settings, structure):
    """A node that refuses requests over 1 MB, so that a 2 MB document is refused without building 100 MB."""
    node = Node(tmp_path, 9433, {"http.max_content_length": "1mb"})
    with running(node, settings, INDEX_PREFIX="strict_", INDEX_INLINE=False):
        yield node


def long_lesson(structure, words: int):
    lesson = find_page(structure, "lesson:cologne/waermepumpen-mehrfamilienhaus")
    lesson.results = " ".join(f"zzlong{number % 1000}" for number in range(words))
    lesson.save_revision().publish()
    return lesson


def test_a_document_the_engine_refuses_fails_alone(strict_node, settings, structure, client, words_only):
    rebuild()
    settings.SEARCH = {**settings.SEARCH, "MAX_TEXT_CHARS": 10_000_000}  # no cap: the engine must refuse it
    refused = long_lesson(structure, 200_000)  # about 2 MB of text
    unpublished = find_page(structure, SORIA_LESSON)
    unpublished.unpublish()
    deleted = find_page(structure, "lesson:helsinki/helsinki-energy-challenge")
    deleted_id = deleted.pk
    deleted.delete()
    edited = find_page(structure, COLOGNE_LESSON)
    edited.title = "Proximity offices zzedited"
    edited.save_revision().publish()

    result = drain()
    get_engine().refresh(search_settings().alias)  # what a search sees a second later

    assert (result.indexed, result.failed) == (3, 1)
    entry = IndexQueueEntry.objects.get()
    assert entry.page_id == refused.pk and "413" in entry.last_error
    found = client.get("/api/search", {"q": "proximity", "page_size": 50}).json()
    ids = {hit["id"] for hit in found["results"]}
    assert found["engine"] == "opensearch" and edited.pk in ids
    assert not ids & {unpublished.pk, deleted_id}
    status = io.StringIO()
    call_command("search_index", "status", stdout=status)
    assert f"page {refused.pk}: 1 attempts" in status.getvalue() and "413" in status.getvalue()

    # A rebuild completes around the refused document, swaps the alias and says which page is missing.
    engine = get_engine()
    before = engine.indices_for_alias(search_settings().alias)
    output = io.StringIO()
    with pytest.raises(CommandError, match="1 documents were refused"):
        call_command("search_index", "rebuild", stdout=output, stderr=io.StringIO())
    assert f"page {refused.pk} not indexed" in output.getvalue()
    assert engine.indices_for_alias(search_settings().alias) != before
    drift = verify()
    assert drift.missing == [str(refused.pk)] and not drift.stale and not drift.extra

    # With the cap, the long page is indexed truncated instead.
    settings.SEARCH = {**settings.SEARCH, "MAX_TEXT_CHARS": 100_000}
    IndexQueueEntry.objects.update(available_at=timezone.now())
    assert drain().failed == 0
    assert verify().clean
    assert client.get("/api/search", {"q": "zzlong7"}).json()["total"] == 1


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
    lesson = find_page(structure, COLOGNE_LESSON)

    def unpublish_midway(count):
        if lesson.live:
            lesson.unpublish()
            drain()

    rebuild(progress=unpublish_midway)
    assert lesson.pk not in indexed_ids(search_engine)
    assert verify().clean
