"""Relevance on the judged queries (bench/relevance/judged.yaml): nDCG@10 and recall@10 per kind of query.

    python bench/relevance.py [--tune] [--out FILE] [--judged FILE]      (or `make relevance`)

Loads the demo into a throw-away SQLite database, computes its embeddings, indexes it in the engine (the node
`make opensearch` runs, when SEARCH_URL is set) and runs every judged query on each backend three ways: words
and meaning (what readers get), words only, meaning only. With --tune it also tries a grid of fusion values
(search/ranking.py) and prints the best per backend. Judgments are graded 1–3; a document not judged is 0.
"""

import argparse
import io
import itertools
import json
import math
import os
import sys
import tempfile
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
JUDGED = ROOT / "bench" / "relevance" / "judged.yaml"
K = 10


def setup(folder: Path) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    os.environ["DATABASE_URL"] = f"sqlite:///{folder / 'relevance.sqlite3'}"
    os.environ.setdefault("SEARCH_INDEX_PREFIX", "relevance_")
    os.environ["SEARCH_INDEX_INLINE"] = "false"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load_demo", stdout=io.StringIO())
    if os.environ.get("SEARCH_URL"):
        call_command("search_index", "rebuild", stdout=io.StringIO(), stderr=io.StringIO())


def references() -> dict[str, str]:
    """Document id → the reference the judgments use (``lesson:cologne/proximity-offices``, ``city:cologne``,
    ``action:cologne/aktionsplan-quartiersbueros/3`` for an action of that plan)."""
    from kb.content_files.codecs import reference_for
    from kb.content_types import KINDS, RECORDS_OF
    from search.documents import record_document_id

    found = {}
    for kind in KINDS:
        for page in kind.model.objects.published():
            reference = f"city:{page.slug}" if kind.key == "city" else reference_for(page)
            found[str(page.pk)] = reference
            for record_kind in RECORDS_OF[kind.key]:
                for record in record_kind.records(page):
                    document_id = record_document_id(record_kind, page.pk, record)
                    found[document_id] = f"{record_kind.key}:{reference.split(':', 1)[1]}/{record.identifier}"
    return found


def ndcg(ranked: list[str], grades: dict[str, int]) -> float:
    def dcg(gains):
        return sum((2**gain - 1) / math.log2(position + 2) for position, gain in enumerate(gains))

    ideal = dcg(sorted(grades.values(), reverse=True)[:K])
    return dcg([grades.get(key, 0) for key in ranked[:K]]) / ideal if ideal else 0.0


def recall(ranked: list[str], grades: dict[str, int]) -> float:
    relevant = {key for key, grade in grades.items() if grade > 0}
    return len(relevant & set(ranked[:K])) / len(relevant) if relevant else 0.0


def run(backend, queries, refs, mode: str) -> list[dict]:
    from search.query import build_request
    from search.service import with_second_chance

    rows = []
    for query in queries:
        request = replace(build_request(query["query"], page_size=K, **query.get("filters", {})), mode=mode)
        # The second chances readers get (a corrected spelling, any of the words) are part of what is measured.
        response = with_second_chance(request, backend.search)
        ranked = [refs.get(hit.key, f"?{hit.key}") for hit in response.results]
        grades = query["judgments"]
        rows.append(
            {
                "query": query["query"],
                "kind": query["kind"],
                "language": query.get("language"),
                "ndcg": ndcg(ranked, grades),
                "recall": recall(ranked, grades),
                "empty": not ranked,
                "ranked": ranked,
            }
        )
    return rows


def summary(rows: list[dict]) -> dict[str, dict]:
    by_kind = defaultdict(list)
    for row in rows:
        by_kind[row["kind"]].append(row)
        by_kind["all"].append(row)
    return {
        kind: {
            "queries": len(items),
            "ndcg": sum(item["ndcg"] for item in items) / len(items),
            "recall": sum(item["recall"] for item in items) / len(items),
            "empty": sum(item["empty"] for item in items),
        }
        for kind, items in sorted(by_kind.items(), key=lambda item: (item[0] == "all", item[0]))
    }


def table(results: dict) -> str:
    columns = [(backend, mode) for backend in results for mode in results[backend]]
    kinds = list(next(iter(next(iter(results.values())).values())).keys())
    header = "kind | queries | " + " | ".join(f"{b} {m} nDCG / R" for b, m in columns)
    lines = [header, " | ".join(["---"] * (2 + len(columns)))]
    for kind in kinds:
        first = results[columns[0][0]][columns[0][1]][kind]
        cells = [f"{results[b][m][kind]['ndcg']:.2f} / {results[b][m][kind]['recall']:.2f}" for b, m in columns]
        lines.append(f"{kind} | {first['queries']} | " + " | ".join(cells))
    empties = [str(results[b][m]["all"]["empty"]) for b, m in columns]
    lines.append("queries without results | | " + " | ".join(empties))
    return "\n".join(lines)


def tune(backend, queries, refs, grid) -> list[tuple[float, object]]:
    from search.ranking import Fusion

    tried = []
    for values in itertools.product(*grid.values()):
        backend.fusion = Fusion(**dict(zip(grid, values, strict=True)))
        rows = run(backend, queries, refs, "hybrid")
        tried.append((sum(row["ndcg"] for row in rows) / len(rows), backend.fusion))
    return sorted(tried, key=lambda item: -item[0])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--tune", action="store_true", help="try a grid of fusion values and print the best")
    parser.add_argument("--out", type=Path, help="write every query's ranking and metrics as JSON")
    parser.add_argument("--judged", type=Path, default=JUDGED, help="the judged queries (default: %(default)s)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kb-relevance-") as folder:
        setup(Path(folder))
        import yaml

        from search import ranking
        from search.backends import database_backend, engine_backend
        from search.query import MODES

        queries = yaml.safe_load(args.judged.read_text(encoding="utf-8"))
        refs = references()
        missing = {key for query in queries for key in query["judgments"]} - set(refs.values())
        if missing:
            sys.exit(f"judged documents that are not in the demo: {sorted(missing)}")
        backends = {"database": database_backend()}
        if engine := engine_backend():
            backends["engine"] = engine
        results, details = {}, {}
        for name, backend in backends.items():
            results[name], details[name] = {}, {}
            for mode in MODES:
                rows = run(backend, queries, refs, mode)
                results[name][mode], details[name][mode] = summary(rows), rows
        print(f"{len(queries)} judged queries; nDCG@{K} / recall@{K} per kind\n")
        print(table(results))
        if args.out:
            args.out.write_text(json.dumps({"summary": results, "queries": details}, indent=1, ensure_ascii=False))
        if args.tune:
            grid = {
                "saturation": [1, 2, 4],
                "weight": [2.0, 3.0, 5.0],
                "threshold": [0.75, 1.0, 1.25],
                "long_query": [0.0, 0.5, 1.0],
            }
            grids = {"database": grid, "engine": grid}
            for name, backend in backends.items():
                best = tune(backend, queries, refs, grids[name])
                print(f"\n{name}: best fusion values (mean nDCG@{K})")
                for score, fusion in best[:5]:
                    print(f"  {score:.3f}  {fusion}")
                backend.fusion = ranking.DATABASE if name == "database" else ranking.ENGINE


if __name__ == "__main__":
    main()
