"""A worker killed in the middle of a batch loses nothing and leaves no duplicate behind."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from opensearchpy import OpenSearch

pytestmark = pytest.mark.engine
ROOT = Path(__file__).resolve().parents[2]


def test_worker_killed_mid_batch_resumes_without_loss(engine_url, tmp_path):
    prefix = f"crash{os.getpid()}_"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "DEBUG": "false",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'crash.sqlite3'}",
        "SEARCH_URL": engine_url,
        "SEARCH_INDEX_PREFIX": prefix,
        "SEARCH_INDEX_INLINE": "false",
        "SEARCH_WORKER_LEASE_SECONDS": "2",
        # Leases and crashes, not embeddings: 3,000 of them would take the worker minutes.
        "SEARCH_EMBEDDER": "",
    }

    def manage(*args, check=True):
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=check,
        )

    manage("migrate", "--noinput")
    manage("search_index", "rebuild")  # an empty index behind the alias
    manage("generate_corpus", "--docs", "3000", "--seed", "5")
    queued = int(manage("search_index", "enqueue").stdout.split()[1])
    engine = OpenSearch([engine_url])
    alias = f"{prefix}knowledge"

    worker = subprocess.Popen(
        [sys.executable, "manage.py", "search_worker", "--batch", "400"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            engine.indices.refresh(index=alias)
            if engine.count(index=alias)["count"] > 0:
                break
            time.sleep(0.05)
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
        engine.indices.refresh(index=alias)
        indexed_at_kill = engine.count(index=alias)["count"]
        assert 0 < indexed_at_kill < queued  # killed part-way

        time.sleep(2.5)  # the dead worker's lease runs out
        manage("search_worker", "--once")
        verify = manage("search_index", "verify", check=False)
        assert verify.returncode == 0, verify.stdout + verify.stderr
        engine.indices.refresh(index=alias)
        # Every document once (each page's and its actions'): ids are documents' ids, not positions in a batch.
        documents = int(manage("search_index", "status").stdout.split("database: ")[1].split()[0])
        assert documents > queued and engine.count(index=alias)["count"] == documents
    finally:
        if worker.poll() is None:
            worker.kill()
        for index in engine.indices.get(index=f"{prefix}*"):
            engine.indices.delete(index=index)
