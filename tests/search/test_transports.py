"""Both transports send the same elasticsearch-dsl bodies; checked on the wire against a recording HTTP server.

CI runs OpenSearch live; no registry ships an Elasticsearch server, so the Elasticsearch transport is checked
here: how its client is built, and that the bytes it sends are the ones the OpenSearch transport sends.
"""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from elasticsearch import Elasticsearch
from opensearchpy import OpenSearch

from search.backends.engine import build_search, encode
from search.engine import EngineUnavailable, engine_for
from search.engine.elasticsearch import ElasticsearchEngine
from search.engine.opensearch import OpenSearchEngine
from search.query import build_request

SEARCH_REPLY = {"took": 1, "timed_out": False, "hits": {"total": {"value": 0, "relation": "eq"}, "hits": []}}


class Recorder(BaseHTTPRequestHandler):
    requests: list = []

    def do_POST(self):
        self.do_GET()

    def do_PUT(self):
        self.do_GET()

    def do_GET(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        parsed = [json.loads(line) for line in body.splitlines() if line.strip()] if body else None
        if parsed and len(parsed) == 1 and not self.path.split("?")[0].endswith("_bulk"):
            parsed = parsed[0]
        self.path = self.path.split("?")[0]
        Recorder.requests.append(
            (self.command, self.path.split("?")[0], parsed, {key.lower(): value for key, value in self.headers.items()})
        )
        reply = {"responses": [SEARCH_REPLY] * (len(parsed) // 2)} if self.path.endswith("_msearch") else SEARCH_REPLY
        payload = json.dumps(reply).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("X-Elastic-Product", "Elasticsearch")  # elasticsearch-py refuses answers without it
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


@pytest.fixture
def recorder():
    Recorder.requests = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_settings_choose_the_client_library():
    assert isinstance(engine_for("opensearch", "http://127.0.0.1:1", 2.5).client, OpenSearch)
    elasticsearch = engine_for("elasticsearch", "http://user:secret@127.0.0.1:1", 2.5)
    assert isinstance(elasticsearch, ElasticsearchEngine) and isinstance(elasticsearch.client, Elasticsearch)
    assert elasticsearch.safe_url == "http://127.0.0.1:1"  # credentials never reach messages
    with pytest.raises(ValueError, match="SEARCH_ENGINE"):
        engine_for("solr", "http://127.0.0.1:1", 2.5)


def test_both_transports_send_the_same_search_bodies(recorder):
    bodies = build_search(build_request("heat pump", country=["DE"], sort="newest"))
    for engine in (ElasticsearchEngine(recorder, timeout=2), OpenSearchEngine(recorder, timeout=2)):
        assert len(engine.search_many("kb_knowledge", [bodies.hits, bodies.facets])) == 2
        engine.search("kb_knowledge", bodies.highlighting(["1", "2"]))

    es_many, es_one, os_many, os_one = Recorder.requests
    assert es_many[:2] == os_many[:2] == ("POST", "/kb_knowledge/_msearch")
    assert es_many[2] == os_many[2] == [{}, *json.loads(json.dumps([bodies.hits, {}, bodies.facets]))]
    assert "x-ndjson; compatible-with=9" in es_many[3]["content-type"]  # elasticsearch-py's own media types
    highlighting = json.loads(json.dumps(bodies.highlighting(["1", "2"])))
    assert es_one[:3] == os_one[:3] == ("POST", "/kb_knowledge/_search", highlighting)
    assert "compatible-with=9" in es_one[3]["accept"]  # elasticsearch-py's own media type


@pytest.mark.parametrize("engine_class", [OpenSearchEngine, ElasticsearchEngine])
def test_credentials_and_bulk_bytes_on_the_wire(recorder, engine_class):
    url = recorder.replace("http://", "http://indexer:s3cret@")
    engine = engine_class(f"http://127.0.0.1:9,{url}", timeout=2)  # a cluster whose first host is down
    engine.bulk(encode("index", "kb_knowledge", 1, {"title": "x"}) + encode("delete", "kb_knowledge", 2))
    method, path, lines, headers = Recorder.requests[-1]
    assert method in ("PUT", "POST") and path == "/_bulk"
    assert lines == [
        {"index": {"_index": "kb_knowledge", "_id": "1"}},
        {"title": "x"},
        {"delete": {"_index": "kb_knowledge", "_id": "2"}},
    ]
    assert headers["authorization"].startswith("Basic ")
    assert engine.safe_url == f"http://127.0.0.1:9,{recorder}"  # credentials never reach messages


@pytest.mark.parametrize("engine_class", [OpenSearchEngine, ElasticsearchEngine])
def test_unreachable_engine_raises_engine_unavailable_then_cools_down(engine_class):
    engine = engine_class("http://127.0.0.1:9", timeout=1)  # the discard port: nothing listens
    with pytest.raises(EngineUnavailable, match="unreachable"):
        engine.search("kb_knowledge", {"query": {"match_all": {}}})
    with pytest.raises(EngineUnavailable, match="moments ago"):
        engine.search("kb_knowledge", {"query": {"match_all": {}}})
