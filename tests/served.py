"""The site served by gunicorn in a process of its own, with its own database, as a visitor reaches it."""

import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Served:
    url: str
    access_log: Path

    def served_by(self) -> list[str]:
        """The worker process id of each request, in order (from the access log)."""
        return [line.split()[0] for line in self.access_log.read_text().splitlines() if line.strip()]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def manage(env: dict, *command: str) -> str:
    """Run a management command for the served site; what it printed."""
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *command], env=env, cwd=ROOT, check=True, capture_output=True,
        timeout=300, text=True,
    ).stdout


@contextmanager
def served(folder: Path, env: dict, *, workers: int = 2, ready_path: str = "/"):
    """Start gunicorn with ``env`` (a full environment) on a free loopback port; stop it afterwards."""
    port = free_port()
    access_log = folder / "access.log"
    log = open(folder / "gunicorn.log", "w")
    server = subprocess.Popen(
        [
            sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{port}", "--workers",
            str(workers), "--access-logfile", str(access_log), "--access-logformat", "%(p)s %(s)s %(U)s",
        ],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(url + ready_path, timeout=5):
                break
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                pytest.fail(f"the site did not start; see {folder / 'gunicorn.log'}")
            time.sleep(0.3)
    access_log.write_text("")  # what the readiness probe left
    try:
        yield Served(url, access_log)
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()
