"""Queries of every length and shape the API allows answer on both backends, never with a 5xx (issue 10)."""

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest

from search.conf import search_settings
from search.engine import QueryTooComplex
from search.query import MAX_QUERY_LENGTH, MAX_QUERY_TERMS

QUESTION = (
    "how did the cities get residents of old apartment blocks to take part in the energy renovation of their "
    "buildings and what did it cost them"
)  # 25 words


def api(client, query: str, **params) -> tuple[int, dict]:
    extra = "".join(f"&{name}={value}" for name, value in params.items())
    response = client.get(f"/api/search?q={quote(query)}{extra}")
    return response.status_code, json.loads(response.content)


@pytest.mark.parametrize(
    "query",
    [
        QUESTION,
        " ".join(f"word{n}" for n in range(150)),
        " ".join(f"renov{n}*" for n in range(20)),
        " ".join(f'"proximity office {n}"' for n in range(20)),
        "(a|" * 150,
        "(" * 250 + "heat pump" + ")" * 240,
        " OR ".join(["heat"] * 120),
        "-" * 499 + "x",
    ],
    ids=["question", "150-words", "20-prefixes", "20-phrases", "nested", "parentheses", "or-chain", "dashes"],
)
def test_long_and_odd_queries_are_answered_by_the_backend_asked(client, any_engine, query):
    status, body = api(client, query[:MAX_QUERY_LENGTH])
    assert status == 200, body
    assert body["engine"] == ("database" if any_engine is None else "opensearch")  # no fallback on the engine


def test_words_beyond_the_limit_are_reported_not_searched(client, any_engine):
    words = [f"term{n}" for n in range(MAX_QUERY_TERMS + 8)]
    status, body = api(client, " ".join(words))
    assert status == 200
    assert body["ignored_terms"] == words[MAX_QUERY_TERMS:]
    status, body = api(client, QUESTION)
    assert body["ignored_terms"] == [] and body["total"] > 0


@pytest.mark.parametrize("name", ["year", "cohort"])
def test_an_integer_filter_beyond_any_column_is_a_400(client, name, settings, structure):
    settings.SEARCH = {**settings.SEARCH, "URL": "http://127.0.0.1:9"}  # engine down: the database answers
    for value in ("99999999999999999999", "1e400", "-1"):
        status, body = api(client, "renovation", **{name: value})
        assert status == 400 and body["parameter"] == name, (value, body)


def test_the_engine_refusing_a_query_for_its_size_is_told_as_such(search_engine):
    clauses = [{"match": {"title": f"word{n}"}} for n in range(5000)]  # Lucene allows 1,024
    body = {"query": {"bool": {"should": clauses}}}
    with pytest.raises(QueryTooComplex):
        search_engine.search(search_settings().alias, body)
    with pytest.raises(QueryTooComplex):  # one of the searches sent together, the others fine
        search_engine.search_many(search_settings().alias, [{"query": {"match_all": {}}}, body])


@pytest.mark.parametrize("feed", ["/feeds/lessons/", "/feeds/lessons/atom/", "/feeds/search/", "/feeds/search/atom/"])
def test_feeds_clean_control_characters_from_the_query(client, structure, feed):
    response = client.get(f"{feed}?q=a%00b%01c%1b")
    assert response.status_code == 200
    assert b"\x00" not in response.content and b"\x1b" not in response.content


def test_production_does_not_preload_hsts_unless_asked(tmp_path):
    script = "from django.conf import settings; print(settings.SECURE_HSTS_PRELOAD, settings.SECURE_HSTS_SECONDS)"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.production", "SECRET_KEY": "x" * 50}
    root = Path(__file__).resolve().parents[2]
    run = [sys.executable, "-c", f"import django; django.setup(); {script}"]
    assert subprocess.run(run, env=env, cwd=root, capture_output=True, text=True, check=True).stdout.split() == [
        "False", "31536000"
    ]  # fmt: skip
    env["SECURE_HSTS_PRELOAD"] = "true"
    assert subprocess.run(run, env=env, cwd=root, capture_output=True, text=True, check=True).stdout.startswith("True")
