"""Tables and plots of a benchmark summary (bench/run.py writes summary.json)."""

import json
import sys
from pathlib import Path

TARGETS = {"api_p95_ms": 50, "api_to_raw": 1.5, "rebuild_docs_per_s": 2000, "rebuild_ratio": 0.70, "publish_p95_s": 2.0}


def rows(summary: dict) -> list[dict]:
    table = []
    for run in summary["runs"]:
        pg, lite = run["postgres"], run["sqlite"]
        table.append(
            {
                "docs": run["size"],
                "generate_docs_s": pg["corpus"]["docs_per_s"],
                "rebuild_docs_s": pg["reindex"]["platform_docs_per_s"],
                "raw_bulk_docs_s": pg["reindex"]["raw_docs_per_s"],
                "rebuild_ratio": pg["reindex"]["ratio"],
                "api_p50": pg["api"]["p50_ms"],
                "api_p95": pg["api"]["p95_ms"],
                "api_p99": pg["api"]["p99_ms"],
                "api_errors": pg["api"]["errors"],
                "raw_p50": pg["raw_engine"]["p50_ms"],
                "raw_p95": pg["raw_engine"]["p95_ms"],
                "raw_p99": pg["raw_engine"]["p99_ms"],
                "api_to_raw_p95": pg["api"]["p95_ms"] / pg["raw_engine"]["p95_ms"],
                "service_p95": pg["service_in_process"]["p95_ms"],
                "wagtail_p95": pg["wagtail_backend"]["p95_ms"],
                "service_vs_wagtail": pg["wagtail_backend"]["p95_ms"] / pg["service_in_process"]["p95_ms"],
                "db_pg_p95": pg["database_fallback"]["p95_ms"] if pg["database_fallback"] else None,
                "db_sqlite_p95": lite["database_fallback"]["p95_ms"] if lite else None,
                "publish_inline_p50_s": pg["publish_inline"]["p50_ms"] / 1000,
                "publish_inline_p95_s": pg["publish_inline"]["p95_ms"] / 1000,
                "publish_worker_p50_s": pg["publish_worker"]["p50_ms"] / 1000,
                "publish_worker_p95_s": pg["publish_worker"]["p95_ms"] / 1000,
                "web_worker_mb": pg["api"]["web_worker_peak_rss_mb"],
                "index_worker_mb": pg["publish_worker"]["index_worker_peak_rss_mb"],
                **_by_meaning(pg.get("by_meaning")),
            }
        )
    return table


MEANING_COLUMNS = [
    "embed_texts_s",
    "vectors_rebuild_ratio",
    "hybrid_p95",
    "words_p95",
    "hybrid_to_words_p95",
    "raw_hybrid_p95",
    "query_embed_p95",
    "meaning_mb",
]


def _by_meaning(run: dict | None) -> dict:
    """The `--meaning` measurements, or dashes when the run left them out."""
    if run is None:
        return dict.fromkeys(MEANING_COLUMNS)
    return {
        "embed_texts_s": run["texts_per_s"],
        "vectors_rebuild_ratio": run["rebuild_with_vectors_ratio"],
        "hybrid_p95": run["service_hybrid"]["p95_ms"],
        "words_p95": run["service_words_only"]["p95_ms"],
        "hybrid_to_words_p95": run["hybrid_to_words_p95"],
        "raw_hybrid_p95": run["raw_engine_hybrid"]["p95_ms"],
        "query_embed_p95": run["query_embedding_uncached"]["p95_ms"],
        "meaning_mb": run["worker_peak_rss_mb"],
    }


def tables(summary: dict) -> str:
    lines = [f"machine: {summary['machine']}"]
    sections = [
        (
            "Reindex throughput (docs/s)",
            ["docs", "generate_docs_s", "rebuild_docs_s", "raw_bulk_docs_s", "rebuild_ratio"],
        ),
        (
            "Search latency (ms)",
            ["docs", "api_p50", "api_p95", "api_p99", "raw_p50", "raw_p95", "raw_p99", "api_to_raw_p95", "api_errors"],
        ),
        (
            "Against Wagtail's backend and the database fallback (p95 ms, in process)",
            ["docs", "service_p95", "wagtail_p95", "service_vs_wagtail", "db_pg_p95", "db_sqlite_p95"],
        ),
        (
            "Publish to searchable (s) and memory (MB)",
            [
                "docs",
                "publish_inline_p50_s",
                "publish_inline_p95_s",
                "publish_worker_p50_s",
                "publish_worker_p95_s",
                "web_worker_mb",
                "index_worker_mb",
            ],
        ),
        ("Search by meaning (--meaning; latency p95 ms in process, memory MB)", ["docs", *MEANING_COLUMNS]),
    ]
    data = rows(summary)
    for title, columns in sections:
        lines += ["", title, " | ".join(columns), " | ".join("---" for _ in columns)]
        for row in data:
            lines.append(" | ".join(_format(row[column]) for column in columns))
    return "\n".join(lines)


def _format(value) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.2f}" if value < 10 else f"{value:.0f}"
    return str(value)


def plot(summary: dict, out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    data = rows(summary)
    sizes = [row["docs"] for row in data]
    figure, (latency, throughput) = plt.subplots(1, 2, figsize=(12, 4.5))
    for key, label in [
        ("api_p95", "API p95 (HTTP, gunicorn)"),
        ("raw_p95", "raw engine p95, same body"),
        ("wagtail_p95", "Wagtail backend p95"),
        ("db_pg_p95", "database fallback p95 (PostgreSQL)"),
    ]:
        points = [(row["docs"], row[key]) for row in data if row[key] is not None]
        latency.plot([x for x, _y in points], [y for _x, y in points], marker="o", label=label)
    latency.axhline(TARGETS["api_p95_ms"], color="grey", linestyle="--", label="target 50 ms")
    latency.set(xscale="log", yscale="log", xlabel="documents", ylabel="ms", title="Search latency (p95)")
    latency.legend(fontsize=8)
    for key, label in [("rebuild_docs_s", "search_index rebuild"), ("raw_bulk_docs_s", "raw helpers.bulk")]:
        throughput.plot(sizes, [row[key] for row in data], marker="o", label=label)
    throughput.axhline(TARGETS["rebuild_docs_per_s"], color="grey", linestyle="--", label="target 2,000 docs/s")
    throughput.set(xscale="log", xlabel="documents", ylabel="docs/s", title="Indexing throughput")
    throughput.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(out / "scaling.png", dpi=110)
    plt.close(figure)


def merged(folders: list[Path]) -> dict:
    """One summary from several runs (e.g. 10k from `make bench`, 1k and 100k from another run)."""
    summaries = [json.loads((folder / "summary.json").read_text()) for folder in folders]
    runs = sorted((run for summary in summaries for run in summary["runs"]), key=lambda run: run["size"])
    return {"machine": summaries[0]["machine"], "runs": runs}


if __name__ == "__main__":
    folders = [Path(argument) for argument in sys.argv[1:]]
    summary = merged(folders)
    print(tables(summary))
    plot(summary, folders[-1])
