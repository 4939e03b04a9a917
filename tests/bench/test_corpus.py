"""The benchmark corpus: deterministic, and made of pages of the same kind as imported ones."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import transaction
from wagtail.models import Page

from bench.corpus.generator import CorpusGenerator
from kb.content_files.exporter import document_for, latest_content
from kb.models import ActionPlanPage, CaseStudyPage, LessonPage, VisitReportPage
from search.backends import database_backend
from search.documents import DocumentBuilder
from search.query import build_request

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def generated_titles(seed: int, docs: int) -> list[str]:
    with transaction.atomic():
        before = set(Page.objects.values_list("pk", flat=True))
        CorpusGenerator(seed).generate(docs)
        titles = list(Page.objects.exclude(pk__in=before).order_by("path").values_list("title", flat=True))
        transaction.set_rollback(True)
    return titles


def test_same_seed_same_corpus():
    first, again, other = generated_titles(7, 200), generated_titles(7, 200), generated_titles(8, 200)
    assert first == again and first != other
    assert len(first) >= 190


def test_generated_pages_are_like_imported_ones(client):
    stats = CorpusGenerator(3).generate(300)
    assert stats.documents >= 290
    for model in (LessonPage, ActionPlanPage, VisitReportPage, CaseStudyPage):
        page = model.objects.live().filter(live_revision__isnull=False).order_by("-pk").first()
        assert page is not None, model
        revision_copy = page.live_revision.as_object()
        assert (revision_copy.title, revision_copy.summary) == (page.title, page.summary)
        assert client.get(page.url).status_code == 200
        assert document_for(latest_content(page)).title == page.title
        document = DocumentBuilder().documents(page)[0]
        assert document["content"] and document["language"]
    lesson = LessonPage.objects.order_by("-pk").first()
    assert lesson.themes.exists() and lesson.city is not None and lesson.review_by
    assert database_backend().search(build_request(lesson.title.split()[1])).total >= 1  # in the database search


@pytest.mark.engine
def test_benchmark_smoke(engine_url, tmp_path):
    """The benchmark's measurements on a tiny corpus, so that the scripts do not rot."""
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'bench.sqlite3'}",
        "SEARCH_URL": engine_url,
        "SEARCH_INDEX_PREFIX": f"smoke{os.getpid()}_",
        "BENCH_REPEAT": "1",
        "BENCH_PUBLISHES": "2",
        "SEARCH_API_RATE": "100000/m",
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
    }
    finished = subprocess.run(
        # Twenty texts embedded by the model and stand-in vectors for the rest, as the 100k runs do: embedding all
        # 200 took a minute of the suite and tested nothing more.
        [sys.executable, "bench/measure.py", "--docs", "200", "--out", str(tmp_path), "--label", "smoke", "--meaning"]
        + ["--embed-sample", "20"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert finished.returncode == 0, finished.stderr[-4000:]  # the benchmark's own traceback, not just its exit code
    result = json.loads((tmp_path / "smoke.json").read_text())
    assert result["reindex"]["documents"] >= 190 and result["api"]["errors"] == 0
    assert result["api"]["engines"] == ["opensearch"]
    assert result["publish_inline"]["n"] == 2 and result["wagtail_backend"]["n"] > 0
    meaning = result["by_meaning"]
    assert meaning["texts_embedded"] == 20 and meaning["stand_in_vectors"] and meaning["service_hybrid"]["n"] > 0

    alias = f"{env['SEARCH_INDEX_PREFIX']}knowledge"  # the index measure.py built, timed part by part
    latency = [sys.executable, "bench/index_latency.py", alias, "--out", str(tmp_path / "latency.json"), "--per-query"]
    finished = subprocess.run(latency, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert finished.returncode == 0, finished.stderr[-4000:]
    parts = json.loads((tmp_path / "latency.json").read_text())
    assert parts["words and meaning, as readers get it"]["mean_total"] > 0
    assert parts["the service, words and meaning"]["mean_total"] > 0
    assert "how can residents renovate their" in finished.stdout  # the per-query table

    from bench.report import tables

    summary = {"machine": {}, "runs": [{"size": 200, "postgres": result, "sqlite": result}]}
    assert "Search latency (ms)" in tables(summary) and "Search by meaning" in tables(summary)
