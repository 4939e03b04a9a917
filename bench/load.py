"""Load test: the site and the search API under gunicorn on loopback, driven by wrk for 60 seconds.

    python bench/load.py [--docs 10000] [--seconds 60] [--connections 16]

Needs DATABASE_URL (PostgreSQL; a database "kb_load" is created next to it), SEARCH_URL and wrk
(apt-get install wrk). Prints and writes bench-results/load-<date-time>.json.
"""

import argparse
import json
import os
import re
import subprocess
import sys
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import database_url, recreate  # noqa: E402
from bench.server import gunicorn  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=10000)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    recreate(os.environ["DATABASE_URL"], "kb_load")
    env = {
        **os.environ,
        "DATABASE_URL": database_url(os.environ["DATABASE_URL"], "kb_load"),
        "SEARCH_INDEX_PREFIX": "load_",
        "DEBUG": "false",
        "SEARCH_API_RATE": "100000000/m",
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "ALLOWED_HOSTS": "127.0.0.1",
    }
    for command in (
        ["migrate", "--noinput"],
        ["load_demo"],
        ["generate_corpus", "--docs", str(args.docs)],
        ["search_index", "rebuild"],
    ):
        subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True, capture_output=True)
    port = 8899
    with gunicorn(env, port, workers=args.workers):
        output = subprocess.run(
            ["wrk", "-t2", f"-c{args.connections}", f"-d{args.seconds}s", "--latency", "-s",
             str(ROOT / "bench" / "load.lua"), f"http://127.0.0.1:{port}"],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
    result = parse(output) | {
        "docs": args.docs,
        "seconds": args.seconds,
        "connections": args.connections,
        "gunicorn_workers": args.workers,
    }
    print(output)
    print(json.dumps(result, indent=2))
    out = ROOT / "bench-results"
    out.mkdir(exist_ok=True)
    (out / f"load-{datetime.now():%Y%m%d-%H%M%S}.json").write_text(json.dumps(result, indent=2))


def parse(output: str) -> dict:
    def number(pattern, default="0"):
        match = re.search(pattern, output)
        return match.group(1) if match else default

    def milliseconds(text):
        value, unit = re.match(r"([\d.]+)(\w+)", text).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]

    return {
        "requests_per_second": float(number(r"Requests/sec:\s+([\d.]+)")),
        "requests": int(number(r"(\d+) requests in")),
        "p50_ms": milliseconds(number(r"50%\s+(\S+)", "0ms")),
        "p95_ms": None,  # wrk's --latency prints 50/75/90/99
        "p90_ms": milliseconds(number(r"90%\s+(\S+)", "0ms")),
        "p99_ms": milliseconds(number(r"99%\s+(\S+)", "0ms")),
        "errors_non_2xx_3xx": int(number(r"Non-2xx or 3xx responses:\s+(\d+)")),
        "socket_errors": number(r"Socket errors:\s+(.*)", "none"),
    }


if __name__ == "__main__":
    main()
