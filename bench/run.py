"""Benchmarks at network scale: `make bench` (10k documents) and `make bench-full` (1k, 10k, 100k).

For each size a fresh PostgreSQL database gets the generated corpus and every measurement (bench/measure.py);
a SQLite copy measures the database fallback there. Prints tables and writes JSON and PNG plots to the output
folder (default bench-results/<date-time>/).

    python bench/run.py --sizes 10000 [--seed 1] [--out DIR]

Needs DATABASE_URL pointing at a PostgreSQL server (any database; each size gets its own) and SEARCH_URL.
"""

import argparse
import json
import os
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

ROOT = Path(__file__).resolve().parent.parent


def database_url(base: str, name: str) -> str:
    parts = urlsplit(base)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", "", ""))


def recreate(base: str, name: str) -> None:
    with psycopg.connect(database_url(base, "postgres"), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def measure(size: int, seed: int, out: Path, env: dict, label: str, extra: list[str]) -> dict:
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "measure.py"),
            "--docs",
            str(size),
            "--seed",
            str(seed),
            "--out",
            str(out),
            "--label",
            label,
            *extra,
        ],
        env=env,
        cwd=ROOT,
        check=True,
    )
    return json.loads((out / f"{label}.json").read_text())


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=ROOT / "bench-results" / datetime.now().strftime("%Y%m%d-%H%M%S"))
    parser.add_argument(
        "--database-max",
        type=int,
        default=10000,
        help="Measure the database fallback only up to this size (it takes long above)",
    )
    parser.add_argument(
        "--meaning", action="store_true", help="Also embed each corpus and measure the search by meaning (slow)"
    )
    args = parser.parse_args()
    base = os.environ["DATABASE_URL"]
    engine = os.environ["SEARCH_URL"]
    sizes = [int(size) for size in args.sizes.split(",")]
    runs = []
    started = time.time()
    for size in sizes:
        name = f"kb_bench_{size}"
        recreate(base, name)
        env = {
            **os.environ,
            "DATABASE_URL": database_url(base, name),
            "SEARCH_URL": engine,
            "SEARCH_INDEX_PREFIX": f"bench{size}_",
            "DEBUG": "false",
            "DJANGO_SETTINGS_MODULE": "config.settings.dev",
            "SEARCH_API_RATE": "1000000/m",
        }
        with_database = size <= args.database_max
        extra = ([] if with_database else ["--skip-database"]) + (["--meaning"] if args.meaning else [])
        postgres = measure(size, args.seed, args.out, env, f"postgres-{size}", extra)
        sqlite = None
        if with_database:
            sqlite_file = args.out / f"sqlite-{size}.sqlite3"
            sqlite_file.unlink(missing_ok=True)
            sqlite = measure(
                size,
                args.seed,
                args.out,
                {**env, "DATABASE_URL": f"sqlite:///{sqlite_file}"},
                f"sqlite-{size}",
                ["--database-only"],
            )
            sqlite_file.unlink(missing_ok=True)
        runs.append({"size": size, "postgres": postgres, "sqlite": sqlite})
    summary = {"machine": machine(), "seconds": time.time() - started, "runs": runs}
    (args.out / "summary.json").write_text(json.dumps(summary, indent=2))
    from bench.report import plot, tables

    print(tables(summary))
    plot(summary, args.out)
    print(f"\nresults in {args.out}")


def machine() -> dict:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        "?",
    )
    memory = next(
        line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")
    )
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(int(memory) / 1024 / 1024, 1),
        "python": sys.version.split()[0],
    }


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
