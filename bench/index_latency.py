"""Where a search's time goes, on an index that is already built (by ``bench/measure.py``, which takes an hour at
100,000 documents): the platform's own request bodies for the benchmark's query mix, sent raw with opensearch-py,
whole and with one part left out at a time.

    SEARCH_URL=http://127.0.0.1:9400 .venv/bin/python bench/index_latency.py m100k_knowledge

The query vectors' statistics (``semantics.query_geometry``) come from the demo, loaded into a throw-away SQLite
database with its embeddings: the corpus the index holds may be gone with its database. The benchmark's queries
are spelled as the documents spell them, so they are sent as the service sends them: matched and highlighted
without typos (``service.prepared``). Prints one line per variant (p50, p95, mean total), ``--per-query`` each
query's median in each variant too; ``--out`` writes JSON.
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
REPEAT = 5


def setup(folder: Path) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    os.environ["DATABASE_URL"] = f"sqlite:///{folder / 'latency.sqlite3'}"
    os.environ["SEARCH_INDEX_INLINE"] = "false"
    import django

    django.setup()
    from django.core.management import call_command

    quiet = {"stdout": io.StringIO(), "stderr": io.StringIO()}
    call_command("migrate", verbosity=0)
    call_command("load_demo", **quiet)
    call_command("search_index", "embed", **quiet)


def bodies(alias: str, client, mode: str) -> list:
    """The ``SearchBodies`` of each query of the mix, as the service builds them."""
    from bench.queries import QUERIES, request_args
    from search import semantics
    from search.backends.engine import build_search
    from search.query import build_request

    reply = client.search(index=alias, body={"size": 0, "aggs": {"languages": {"terms": {"field": "language"}}}})
    languages = tuple(sorted(bucket["key"] for bucket in reply["aggregations"]["languages"]["buckets"]))
    built = []
    for query in QUERIES:
        q, options = request_args(query)
        request = replace(build_request(q, **options), mode=mode, misspelt=False)
        geometry = semantics.query_geometry(request.query) if request.uses_meaning and mode != "lexical" else None
        built.append(build_search(request, languages, geometry))
    return built


def timed(searches: list) -> dict:
    """``searches``: one call per query of the mix, returning the hits' reply."""
    per_query: list[list[float]] = [[] for _ in searches]
    totals = []
    for round in range(REPEAT + 1):  # the first round warms the caches up
        for times, search in zip(per_query, searches, strict=True):
            started = time.perf_counter()
            reply = search()
            if round:
                times.append((time.perf_counter() - started) * 1000)
                totals.append(reply["hits"]["total"]["value"])
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
    parser.add_argument("alias", help="the index (or alias) to search, e.g. m100k_knowledge")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--per-query", action="store_true", help="also each query's median time in each variant")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        setup(Path(folder))
        from opensearchpy import OpenSearch

        from bench.raw import raw_search
        from search.conf import search_settings

        client = OpenSearch([search_settings().url], timeout=60)
        segments = len(client.cat.segments(index=args.alias, format="json"))
        hybrid, words = bodies(args.alias, client, "hybrid"), bodies(args.alias, client, "lexical")

        def variant(built: list, **steps) -> list:
            return [partial(raw_search, client, args.alias, searched, **steps) for searched in built]

        def equal_work(built: list) -> list:
            """What Wagtail's backend is asked in ``measure.equal_work``: the first 10 hits and the total."""
            first_ten = [{**searched.hits, "from": 0, "size": 10} for searched in built]
            return [partial(client.search, index=args.alias, body=body) for body in first_ten]

        variants = {
            "words only, as readers get it": variant(words),
            "words only, equal work": equal_work(words),
            "words and meaning, as readers get it": variant(hybrid),
            "words and meaning, no highlights": variant(hybrid, highlights=False),
            "words and meaning, no facets": variant(hybrid, facets=False),
            "words and meaning, equal work": equal_work(hybrid),
        }
        figures = {"segments": segments}
        print(f"{args.alias}: {segments} segments")
        for name, searches in variants.items():
            figures[name] = found = timed(searches)
            p50, p95, total = found["p50_ms"], found["p95_ms"], found["mean_total"]
            print(f"{name:40s} p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  {total:8.0f} found")
        if args.per_query:
            print_per_query(figures, variants)
    if args.out:
        args.out.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
