"""gunicorn on loopback for the benchmark and load scripts."""

import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@contextmanager
def gunicorn(env: dict, port: int, workers: int):
    """Serve the site with ``workers`` processes until the block ends; yields the server process."""
    command = [sys.executable, "-m", "gunicorn", "config.wsgi", "-b", f"127.0.0.1:{port}", "-w", str(workers),
               "--log-level", "warning"]  # fmt: skip
    server = subprocess.Popen(command, env=env, cwd=ROOT)
    try:
        for _attempt in range(150):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/search?q=warmup", timeout=5).read()
                break
            except OSError:
                time.sleep(0.2)
        yield server
    finally:
        server.terminate()
        server.wait(timeout=30)
