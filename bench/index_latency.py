"""Where a search's time goes, on an index that is already built (by ``bench/measure.py``, which takes an hour at
100,000 documents): the platform's own request bodies for the benchmark's query mix, sent raw with opensearch-py,
whole and with one part left out at a time.

    SEARCH_URL=http://127.0.0.1:9400 .venv/bin/python bench/index_latency.py m100k_knowledge

The query vectors' statistics (``semantics.query_geometry``) and the vocabulary that decides what is misspelt come
from the demo, loaded into a throw-away SQLite database with its embeddings: the corpus the index holds may be gone
with its database. The queries are sent as the service prepares them (``service.prepared``): matched and
highlighted with typos only when some word is not in the demo (the script names such queries). The last variant
is the service itself on the same index (``SEARCH_INDEX_PREFIX`` is the alias's prefix), and its p95 is printed
against the raw engine's. Prints one line per variant (p50, p95, mean total), ``--per-query`` each query's median
in each variant too; ``--out`` writes JSON.
"""

import argparse
import io
import json
import os
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPEAT = int(os.environ.get("BENCH_REPEAT", "5"))  # rounds timed after the warm-up


def setup(folder: Path, alias: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    os.environ["DATABASE_URL"] = f"sqlite:///{folder / 'latency.sqlite3'}"
    os.environ["SEARCH_INDEX_INLINE"] = "false"
    os.environ["SEARCH_INDEX_PREFIX"] = alias.removesuffix("knowledge")  # the service searches that index
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    quiet = {"stdout": io.StringIO(), "stderr": io.StringIO()}
    searched = settings.SEARCH
    settings.SEARCH = {**searched, "URL": ""}  # the demo's pages must not be indexed into the measured index
    try:
        call_command("migrate", verbosity=0)
        call_command("load_demo", **quiet)
        call_command("search_index", "embed", **quiet)
    finally:
        settings.SEARCH = searched


def requests(mode: str) -> list:
    """The mix's requests as the service sends them (``service.prepared``)."""
    from bench.queries import QUERIES, request_args
    from search.query import build_request
    from search.service import prepared

    return [prepared(replace(build_request(q, **options), mode=mode))[0] for q, options in map(request_args, QUERIES)]


def bodies(mode: str) -> list:
    """The ``SearchBodies`` of each query of the mix, as the service builds them."""
    from search import semantics
    from search.backends import require_engine_backend
    from search.backends.engine import build_search

    languages = require_engine_backend().indexed_languages()
    built = []
    for request in requests(mode):
        geometry = semantics.query_geometry(request.query) if request.uses_meaning else None
        built.append(build_search(request, languages, geometry))
    return built


def raw_total(client, alias: str, searched, **steps) -> int:
    from bench.raw import raw_search

    return raw_search(client, alias, searched, **steps)["hits"]["total"]["value"]


def first_ten_total(client, alias: str, searched) -> int:
    return client.search(index=alias, body={**searched.hits, "from": 0, "size": 10})["hits"]["total"]["value"]


def service_total(request) -> int:
    from search.service import search

    return search(request).total


def timed(searches: list) -> dict:
    """``searches``: one call per query of the mix, returning how many documents it found."""
    per_query: list[list[float]] = [[] for _ in searches]
    totals = []
    for round in range(REPEAT + 1):  # the first round warms the caches up
        for times, search in zip(per_query, searches, strict=True):
            started = time.perf_counter()
            total = search()
            if round:
                times.append((time.perf_counter() - started) * 1000)
                totals.append(total)
    samples = sorted(sample for times in per_query for sample in times)
    return {
        "p50_ms": samples[len(samples) // 2],
        "p95_ms": samples[int(len(samples) * 0.95)],
        "mean_total": sum(totals) / len(totals),
        "per_query_p50_ms": [statistics.median(times) for times in per_query],
    }


def print_per_query(figures: dict, variants: dict) -> None:
    from bench.queries import QUERIES

    print(f"\n{'median ms per query':44s}" + "".join(f"{number:>7d}" for number in range(1, len(variants) + 1)))
    for position, query in enumerate(QUERIES):
        label = f"{query['name']}: {query['q']}"[:44]
        print(f"{label:44s}" + "".join(f"{figures[name]['per_query_p50_ms'][position]:7.0f}" for name in variants))
    for number, name in enumerate(variants, 1):
        print(f"  {number}: {name}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("alias", help="the alias to search, as the platform names it (PREFIXknowledge)")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--per-query", action="store_true", help="also each query's median time in each variant")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        setup(Path(folder), args.alias)
        from opensearchpy import OpenSearch

        from search.conf import search_settings

        client = OpenSearch([search_settings().url], timeout=60)
        segments = len(client.cat.segments(index=args.alias, format="json"))
        hybrid, words, prepared = bodies("hybrid"), bodies("lexical"), requests("hybrid")

        def variant(built: list, **steps) -> list:
            return [partial(raw_total, client, args.alias, searched, **steps) for searched in built]

        def equal_work(built: list) -> list:
            """What Wagtail's backend is asked in ``measure.equal_work``: the first 10 hits and the total."""
            return [partial(first_ten_total, client, args.alias, searched) for searched in built]

        variants = {
            "words only, as readers get it": variant(words),
            "words only, equal work": equal_work(words),
            "words and meaning, as readers get it": variant(hybrid),
            "words and meaning, no highlights": variant(hybrid, highlights=False),
            "words and meaning, no facets": variant(hybrid, facets=False),
            "words and meaning, equal work": equal_work(hybrid),
            "the service, words and meaning": [partial(service_total, request) for request in prepared],
        }
        figures = {"segments": segments}
        print(f"{args.alias}: {segments} segments")
        if misspelt := [request.query for request in prepared if request.misspelt]:
            print(f"matched with typos, some word not being in the demo: {misspelt}")
        for name, searches in variants.items():
            figures[name] = measured = timed(searches)
            p50, p95, total = measured["p50_ms"], measured["p95_ms"], measured["mean_total"]
            print(f"{name:40s} p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  {total:8.0f} found")
        service, raw = figures["the service, words and meaning"], figures["words and meaning, as readers get it"]
        print(f"the service / the raw engine, p95: {service['p95_ms'] / raw['p95_ms']:.2f}")
        if args.per_query:
            print_per_query(figures, variants)
    if args.out:
        args.out.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
