"""The index on a real three-node cluster: a node dies (SIGKILL) during searches and edits, and nothing is lost.

The nodes are the same Maven-built node as everywhere else, on loopback ports of their own
(scripts/opensearch-cluster). The index has one replica, so every shard survives the loss of one node.
"""

import json
import os
import subprocess
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from django.utils import timezone

from kb.models import ActionPlanPage, LessonPage
from search.conf import search_settings
from search.indexer import drain, rebuild, verify
from search.models import IndexQueueEntry
from search.query import build_request
from search.service import search

pytestmark = [pytest.mark.django_db, pytest.mark.engine]
SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "opensearch-cluster"
HTTP_BASE = 9460


class Cluster:
    def __init__(self, folder: Path):
        self.env = {
            **os.environ,
            "OPENSEARCH_CLUSTER_DIR": str(folder),
            "OPENSEARCH_CLUSTER_HTTP_BASE": str(HTTP_BASE),
            "OPENSEARCH_CLUSTER_TRANSPORT_BASE": str(HTTP_BASE + 100),
            "OPENSEARCH_HEAP": "384m",
        }

    def run(self, *args: str) -> str:
        done = subprocess.run([str(SCRIPT), *args], env=self.env, check=True, capture_output=True, timeout=240)
        return done.stdout.decode().strip()

    def get(self, path: str, port: int = HTTP_BASE):
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as response:
            return json.loads(response.read())

    def node_of_primary(self, index_alias: str, port: int) -> int:
        """The node number holding the primary shard of the index behind the alias."""
        shards = self.get(f"/_cat/shards/{index_alias}?format=json", port)
        name = next(shard["node"] for shard in shards if shard["prirep"] == "p")
        return int(name.rsplit("-", 1)[1])


@pytest.fixture
def cluster(engine_url, tmp_path, settings, structure):
    cluster = Cluster(tmp_path)
    cluster.run("start")
    settings.SEARCH = {
        **settings.SEARCH,
        "URL": cluster.run("urls"),
        "INDEX_PREFIX": "cluster_",
        "INDEX_INLINE": True,
        "REPLICAS": 1,
    }
    try:
        yield cluster
    finally:
        cluster.run("clean")


def test_a_node_killed_during_searches_and_edits_loses_nothing(
    cluster, client, structure, django_capture_on_commit_callbacks
):
    rebuild()
    assert cluster.get("/_cluster/health?wait_for_status=green&timeout=60s")["status"] == "green"  # replicas up
    pages = [page.specific for page in LessonPage.objects.live().order_by("pk")]
    pages += [page.specific for page in ActionPlanPage.objects.live().order_by("pk")]
    originals = {page.pk: page.title for page in pages}
    victim = cluster.node_of_primary(search_settings().alias, HTTP_BASE)
    survivor_port = HTTP_BASE + (1 if victim == 1 else 0)
    killer = threading.Timer(1.5, cluster.run, args=("kill", str(victim)))

    statuses: list[int] = []
    engines: list[str] = []
    edits: dict[int, str] = {}
    killer.start()
    started = time.monotonic()
    number = 0
    while time.monotonic() - started < 12 or number < 120:  # well past the kill and the failover
        for query in ("renovation", "Wärmepumpe", "proximity offices", f"clusteredit{number - 1}"):
            response = client.get("/api/search", {"q": query})
            statuses.append(response.status_code)
            engines.append(response.json().get("engine", "?"))
        statuses.append(client.get("/search/", {"q": "heat"}).status_code)
        page = pages[number % len(pages)]
        page.title = f"{originals[page.pk]} clusteredit{number}"
        with django_capture_on_commit_callbacks(execute=True):  # indexed inline, as after a real commit
            page.save_revision().publish()
        edits[page.pk] = f"clusteredit{number}"
        number += 1
    killer.join()

    assert sum(status >= 500 for status in statuses) == 0
    assert len(statuses) >= 600
    health = cluster.get("/_cluster/health", survivor_port)
    assert health["number_of_nodes"] == 2

    cluster.run("restart", str(victim))  # waits until it has rejoined and the cluster is green
    assert cluster.get("/_cluster/health")["number_of_nodes"] == 3
    IndexQueueEntry.objects.update(available_at=timezone.now())  # skip any remaining backoff
    result = drain()
    assert result.failed == 0 and not IndexQueueEntry.objects.exists()
    drift = verify()
    assert drift.clean, drift  # no update lost: every page's last edit is what the index holds
    for page_id, tag in edits.items():
        hits = search(build_request(f'"{tag}"')).results  # quoted: the words alone, no hits by meaning
        assert [hit.id for hit in hits] == [page_id], tag
    fallbacks = engines.count("database")
    print(f"\ncluster: node-{victim} killed; {len(statuses)} requests, 0 errors ({fallbacks} API answers from the "
          f"database fallback); {number} edits of {len(edits)} pages, none lost")
