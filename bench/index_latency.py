"""Where a search's time goes, on an index that is already built (by ``bench/measure.py``, which takes an hour at
100,000 documents): the platform's own request bodies for the benchmark's query mix, sent raw with opensearch-py,
whole and with one part left out at a time.

    SEARCH_URL=http://127.0.0.1:9400 .venv/bin/python bench/index_latency.py m100k_knowledge

The query vectors' statistics (``semantics.query_geometry``) come from the demo, loaded into a throw-away SQLite
database with its embeddings: the corpus the index holds may be gone with its database. The benchmark's queries
are spelled as the documents spell them, so they are sent as the service sends them: highlighted without
typo matching (``service.prepared``). Prints one line per variant (p50, p95, mean total); ``--out`` writes JSON.
"""

import argparse
import copy
import io
import json
import os
import sys
import tempfile
import time
from dataclasses import replace
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


def bodies(alias: str, client, mode: str) -> list[dict]:
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
        built.append(build_search(request, languages, geometry).to_dict())
    return built


def equal_work(body: dict) -> dict:
    """What Wagtail's backend is asked in ``measure.equal_work``: the first 10 hits and the total, nothing else."""
    body = {key: value for key, value in body.items() if key not in ("aggs", "highlight", "post_filter")}
    return {**body, "from": 0, "size": 10}


def without(body: dict, *keys: str) -> dict:
    return {key: value for key, value in copy.deepcopy(body).items() if key not in keys}


def timed(client, alias: str, requests: list[dict]) -> dict:
    samples, totals = [], []
    for round in range(REPEAT + 1):  # the first round warms the caches up
        for body in requests:
            started = time.perf_counter()
            reply = client.search(index=alias, body=body)
            if round:
                samples.append((time.perf_counter() - started) * 1000)
                totals.append(reply["hits"]["total"]["value"])
    samples.sort()
    return {
        "p50_ms": samples[len(samples) // 2],
        "p95_ms": samples[int(len(samples) * 0.95)],
        "mean_total": sum(totals) / len(totals),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("alias", help="the index (or alias) to search, e.g. m100k_knowledge")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        setup(Path(folder))
        from opensearchpy import OpenSearch

        from search.conf import search_settings

        client = OpenSearch([search_settings().url], timeout=60)
        segments = len(client.cat.segments(index=args.alias, format="json"))
        hybrid, words = bodies(args.alias, client, "hybrid"), bodies(args.alias, client, "lexical")
        variants = {
            "words only, as readers get it": words,
            "words only, equal work": [equal_work(body) for body in words],
            "words and meaning, as readers get it": hybrid,
            "words and meaning, no highlights": [without(body, "highlight") for body in hybrid],
            "words and meaning, no facets": [without(body, "aggs") for body in hybrid],
            "words and meaning, equal work": [equal_work(body) for body in hybrid],
        }
        figures = {"segments": segments}
        print(f"{args.alias}: {segments} segments")
        for name, requests in variants.items():
            figures[name] = found = timed(client, args.alias, requests)
            p50, p95, total = found["p50_ms"], found["p95_ms"], found["mean_total"]
            print(f"{name:40s} p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  {total:8.0f} found")
    if args.out:
        args.out.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
