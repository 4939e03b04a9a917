"""Measurements for one corpus size on one database; run by bench/run.py in a process of its own.

    python bench/measure.py --docs N --seed S --out DIR [--database-only]

The database and engine come from DATABASE_URL and SEARCH_URL. Results are written to DIR/<label>.json.
"""

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
os.environ.setdefault("DEBUG", "false")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from opensearchpy import OpenSearch, helpers  # noqa: E402

from bench import stand_in_vectors  # noqa: E402
from bench.corpus.generator import CorpusGenerator  # noqa: E402
from bench.queries import QUERIES, api_params, request_args  # noqa: E402
from bench.raw import raw_search  # noqa: E402
from bench.server import gunicorn  # noqa: E402
from kb.content_types import MODELS  # noqa: E402
from kb.models import LessonPage  # noqa: E402
from kb.models import pages as knowledge_pages  # noqa: E402
from search import embeddings, semantics  # noqa: E402
from search.backends import database_backend, require_engine_backend  # noqa: E402
from search.backends.engine import build_search, engine_source, neutral_vectors  # noqa: E402
from search.conf import search_settings  # noqa: E402
from search.indexer import embed_documents, rebuild, stored_documents  # noqa: E402
from search.mapping import knowledge_index  # noqa: E402
from search.query import build_request  # noqa: E402

REPEAT = int(os.environ.get("BENCH_REPEAT", "15"))
PUBLISHES = int(os.environ.get("BENCH_PUBLISHES", "30"))


def percentiles(samples: list[float]) -> dict:
    ordered = sorted(samples)

    def pick(share):
        return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]

    return {
        "n": len(samples),
        "p50_ms": pick(0.50) * 1000,
        "p95_ms": pick(0.95) * 1000,
        "p99_ms": pick(0.99) * 1000,
        "mean_ms": statistics.fmean(samples) * 1000,
    }


def timed(function, repeat=REPEAT, warmup=2) -> list[float]:
    samples = []
    for number in range(repeat + warmup):
        for query in QUERIES:
            started = time.perf_counter()
            function(query)
            if number >= warmup:
                samples.append(time.perf_counter() - started)
    return samples


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text().split()
            except OSError:
                continue
            if int(stat[3]) == pid:
                found.append(int(entry.name))
    return found


def generate(docs: int, seed: int) -> dict:
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    stats = CorpusGenerator(seed).generate(docs)
    seconds = time.perf_counter() - started
    return {
        "documents": stats.documents,
        "pages": stats.pages,
        "cities": stats.cities,
        "seconds": seconds,
        "docs_per_s": stats.documents / seconds,
    }


def reindex(engine_url: str) -> dict:
    """`search_index rebuild`: the database's documents built from the pages, then the engine's sent from them;
    and raw helpers.bulk of the very documents the engine receives, prepared in memory beforehand."""
    database = rebuild(database_backend())
    engine = rebuild()
    documents = [engine_source(document) for document in stored_documents()]
    client = OpenSearch([engine_url], timeout=120)
    raw_index = f"{search_settings().index_prefix}raw-bulk"
    client.indices.delete(index=raw_index, ignore_unavailable=True)
    client.indices.create(index=raw_index, body=knowledge_index(raw_index).to_dict())
    started = time.perf_counter()
    helpers.bulk(client, ({"_index": raw_index, "_id": d["id"], "_source": d} for d in documents), chunk_size=500)
    raw_seconds = time.perf_counter() - started
    client.indices.delete(index=raw_index)
    raw_rate = len(documents) / raw_seconds
    return {
        "database_docs_per_s": database.docs_per_second,
        "database_seconds": database.seconds,
        "platform_docs_per_s": engine.docs_per_second,
        "platform_seconds": engine.seconds,
        "command_docs_per_s": len(documents) / (database.seconds + engine.seconds),
        "raw_docs_per_s": raw_rate,
        "raw_seconds": raw_seconds,
        "ratio": engine.docs_per_second / raw_rate,
        "documents": len(documents),
    }


def by_meaning(engine_url: str, sample: int = 0) -> dict:
    """The cost of searching by meaning: embedding the corpus, rebuilding with vectors, and each query.

    Hybrid and words-only latency come from the same service on the same index, so the ratio is the price of
    the meaning part (the query's embedding is cached per process, as a repeated query is in production; its
    cost on a new query is measured on its own). ``sample``: embed that many documents for real and give the
    others stand-in vectors (bench/stand_in_vectors.py), for corpora too large to embed in a run.
    """
    embedder = embeddings.get_embedder()
    started = time.perf_counter()
    if sample:
        stand_ins = stand_in_vectors.fill(list(stored_documents()), sample)
        computed = stand_ins["embedded"]
    else:
        stand_ins, computed = None, embed_documents(stored_documents())
    embed_seconds = time.perf_counter() - started
    engine = rebuild()  # now every document carries its vector
    vectors = neutral_vectors(d["embedding_key"] for d in stored_documents())
    documents = [engine_source(d, vectors.get(d["embedding_key"])) for d in stored_documents()]
    client = OpenSearch([engine_url], timeout=120)
    raw_index = f"{search_settings().index_prefix}raw-bulk-vectors"
    client.indices.delete(index=raw_index, ignore_unavailable=True)
    mapping = knowledge_index(raw_index, dimensions=embedder.dimensions).to_dict()
    client.indices.create(index=raw_index, body=mapping)
    started = time.perf_counter()
    helpers.bulk(client, ({"_index": raw_index, "_id": d["id"], "_source": d} for d in documents), chunk_size=500)
    raw_rate = len(documents) / (time.perf_counter() - started)
    client.indices.delete(index=raw_index)

    from search.service import prepared, search

    def service(mode):
        def call(query):
            q, options = request_args(query)
            search(replace(build_request(q, **options), mode=mode))

        return percentiles(timed(call))

    hybrid, words = service("hybrid"), service("lexical")
    languages = require_engine_backend().indexed_languages()
    bodies = {}
    for query in QUERIES:
        request, _correction = prepared(build_request(query["q"], **request_args(query)[1]))  # as the service sends it
        geometry = semantics.query_geometry(request.query) if request.uses_meaning else None
        bodies[id(query)] = build_search(request, languages, geometry)
    raw_hybrid = percentiles(timed(lambda query: raw_search(client, search_settings().alias, bodies[id(query)])))
    fresh = [f"{query['q']} {round}" for round in range(3) for query in QUERIES if query["q"]]
    query_embedding = percentiles([_seconds(embedder.query, text) for text in fresh])
    return {
        "model": embedder.model,
        "stand_in_vectors": stand_ins,
        "texts_embedded": computed,
        "embed_seconds": embed_seconds,
        "texts_per_s": computed / embed_seconds if embed_seconds else 0.0,
        "rebuild_with_vectors_docs_per_s": engine.docs_per_second,
        "raw_bulk_with_vectors_docs_per_s": raw_rate,
        "rebuild_with_vectors_ratio": engine.docs_per_second / raw_rate,
        "service_hybrid": hybrid,
        "service_words_only": words,
        "hybrid_to_words_p95": hybrid["p95_ms"] / words["p95_ms"],
        "raw_engine_hybrid": raw_hybrid,
        "query_embedding_uncached": query_embedding,
        "worker_peak_rss_mb": peak_rss_mb(os.getpid()),
    }


def _seconds(function, *args) -> float:
    started = time.perf_counter()
    function(*args)
    return time.perf_counter() - started


def api_latency(env: dict) -> dict:
    port = 8700 + os.getpid() % 200
    statuses = []
    with gunicorn(env, port, workers=2) as server:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

        def call(query):
            connection.request("GET", "/api/search?" + urlencode(api_params(query)))
            response = connection.getresponse()
            body = json.loads(response.read())
            statuses.append((response.status, body.get("engine")))

        samples = timed(call)
        workers = children(server.pid)
        memory = max(peak_rss_mb(pid) for pid in workers) if workers else 0.0
    return {
        **percentiles(samples),
        "errors": sum(1 for status, _engine in statuses if status >= 500),
        "engines": sorted({engine for _status, engine in statuses}),
        "web_worker_peak_rss_mb": memory,
    }


def raw_engine_latency(engine_url: str) -> dict:
    """opensearch-py executing the very body the platform sends (built outside the timing)."""
    from search.service import prepared

    client = OpenSearch([engine_url], timeout=30)
    alias = search_settings().alias
    languages = require_engine_backend().indexed_languages()
    bodies = {
        id(query): build_search(prepared(build_request(query["q"], **request_args(query)[1]))[0], languages)
        for query in QUERIES
    }

    def call(query):
        raw_search(client, alias, bodies[id(query)])

    return percentiles(timed(call))


def service_latency() -> dict:
    from search.service import search

    def call(query):
        q, options = request_args(query)
        search(build_request(q, **options))

    return percentiles(timed(call))


def database_latency(docs: int) -> dict:
    def call(query):
        q, options = request_args(query)
        database_backend().search(build_request(q, **options))

    # Slow at scale by nature (it is the fallback): fewer rounds on big corpora.
    repeat = 1 if docs >= 50_000 else max(3, REPEAT // 3)  # noqa: PLR2004
    return percentiles(timed(call, repeat=repeat, warmup=1))


def wagtail_backend(engine_url: str) -> dict:
    """Wagtail's own OpenSearch backend (modelsearch) on the same pages and the same query texts."""
    name = "bench_wagtail"
    settings.WAGTAILSEARCH_BACKENDS[name] = {
        "BACKEND": "wagtail.search.backends.opensearch3",
        "URLS": [engine_url],
        "AUTO_UPDATE": False,
        "INDEX": f"{search_settings().index_prefix}wagtail",
        "TIMEOUT": 60,
        "INDEX_SETTINGS": {"settings": {"index": {"number_of_shards": 1, "number_of_replicas": 0}}},
    }
    started = time.perf_counter()
    call_command("update_index", backend_name=name, verbosity=0)
    index_seconds = time.perf_counter() - started
    pages = knowledge_pages().published().type(*MODELS)

    def call(query):
        q, options = request_args(query)
        results = pages.search(q.replace('"', ""), backend=name)
        page = options.get("page", 1)
        list(results[(page - 1) * 10 : page * 10])
        results.count()

    return {
        **percentiles(timed(call)),
        "index_seconds": index_seconds,
        "note": "text query, first 10 results and total count; no facets, highlights or filters",
    }


def equal_work(engine_url: str) -> dict:
    """The platform's query doing what ``wagtail_backend`` times: the same query texts, words only, no filters,
    facets or highlights, the first ten hits and the total; the body is built inside the timing, as Wagtail's
    is. Then the full search (words and meaning, facets, highlights, filters) on the same index, on top."""
    client = OpenSearch([engine_url], timeout=30)
    alias = search_settings().alias
    languages = require_engine_backend().indexed_languages()

    def call(query):
        page = request_args(query)[1].get("page", 1)
        request = replace(build_request(query["q"].replace('"', ""), page=page), mode="lexical")
        body = {**build_search(request, languages).hits, "from": request.offset, "size": request.page_size}
        response = client.search(index=alias, body=body)
        [hit["_id"] for hit in response["hits"]["hits"]], response["hits"]["total"]["value"]

    return {
        "words_only": percentiles(timed(call)),
        "full_search": service_latency(),
        "note": "first 10 hits and total, no facets, highlights or filters; full = the service as readers get it",
    }


def publish_to_searchable(env: dict, engine_url: str, inline: bool) -> dict:
    client = OpenSearch([engine_url], timeout=30)
    alias = search_settings().alias
    settings.SEARCH = {**settings.SEARCH, "INDEX_INLINE": inline}
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "search_worker", "--poll", "0.2"], env=env, cwd=ROOT, stdout=subprocess.DEVNULL
    )
    samples = []
    try:
        time.sleep(2)
        lessons = list(LessonPage.objects.live().order_by("pk")[:PUBLISHES])
        for number, lesson in enumerate(lessons):
            token = f"zqx{os.getpid()}x{number}x{int(inline)}"
            lesson.title = f"{lesson.title} {token}"
            started = time.perf_counter()  # before the publish: inline indexing runs inside it, on commit
            lesson.save_revision().publish()
            while time.perf_counter() - started < 30:
                hits = client.search(index=alias, body={"query": {"match": {"title": token}}, "size": 1})
                if hits["hits"]["total"]["value"]:
                    break
                time.sleep(0.02)
            samples.append(time.perf_counter() - started)
        memory = peak_rss_mb(worker.pid)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    return {**percentiles(samples), "index_worker_peak_rss_mb": memory}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--label", required=True)
    parser.add_argument("--database-only", action="store_true")
    parser.add_argument("--skip-database", action="store_true", help="Leave out the (slow) database fallback")
    parser.add_argument(
        "--meaning", action="store_true", help="Embed the corpus and measure the search by meaning (slow: ~6 docs/s)"
    )
    parser.add_argument(
        "--meaning-only",
        action="store_true",
        help="Only what issue 12 measures: rebuilds, Wagtail's backend against equal work, and the search by meaning",
    )
    parser.add_argument(
        "--embed-sample",
        type=int,
        default=0,
        help="With --meaning: embed this many documents, give the others stand-in vectors (bench/stand_in_vectors.py)",
    )
    args = parser.parse_args()
    env = dict(os.environ)
    result = {"label": args.label, "docs": args.docs, "database": settings.DATABASES["default"]["ENGINE"]}
    print(f"[{args.label}] generating {args.docs} documents", flush=True)
    result["corpus"] = generate(args.docs, args.seed)
    if args.database_only:
        result["database_fallback"] = database_latency(args.docs)
    elif args.meaning_only:
        engine_url = search_settings().url
        print(f"[{args.label}] reindex, Wagtail's backend, equal work", flush=True)
        result["reindex"] = reindex(engine_url)
        result["wagtail_backend"] = wagtail_backend(engine_url)
        result["equal_work"] = equal_work(engine_url)
        print(f"[{args.label}] search by meaning", flush=True)
        result["by_meaning"] = by_meaning(engine_url, args.embed_sample)
        result["equal_work_with_vectors"] = equal_work(engine_url)
    else:
        engine_url = search_settings().url
        print(f"[{args.label}] reindex", flush=True)
        result["reindex"] = reindex(engine_url)
        print(f"[{args.label}] search latency", flush=True)
        result["api"] = api_latency(env)
        result["raw_engine"] = raw_engine_latency(engine_url)
        result["service_in_process"] = service_latency()
        result["database_fallback"] = None if args.skip_database else database_latency(args.docs)
        print(f"[{args.label}] Wagtail's own backend", flush=True)
        result["wagtail_backend"] = wagtail_backend(engine_url)
        print(f"[{args.label}] publish -> searchable", flush=True)
        result["publish_inline"] = publish_to_searchable(env, engine_url, inline=True)
        result["publish_worker"] = publish_to_searchable(
            {**env, "SEARCH_INDEX_INLINE": "false"}, engine_url, inline=False
        )
        if args.meaning:
            print(f"[{args.label}] search by meaning (embedding the corpus)", flush=True)
            result["by_meaning"] = by_meaning(engine_url, args.embed_sample)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"{args.label}.json").write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
