"""A reproducible hostile run: query syntax, lengths up to the maximum, control characters, invalid encodings,
paging and filter abuse against the API, the search page and the feeds, with the engine up and unreachable.

No request may get a 5xx; every API error must be JSON naming the parameter.
"""

import json
import random
from urllib.parse import quote

import pytest

from search.query import MAX_QUERY_LENGTH

pytestmark = pytest.mark.django_db

SYNTAX = ['"', "-", "+", "|", "*", "(", ")", "~", "\\", "OR", "AND", "NOT", "~2", "^3", ":", "[", "]", "{", "}", "/"]
WORDS = ["heat", "pump", "renovation", "Wärmepumpe", "rehabilitación", "Kraków", "proximity", "a", "OR", "x" * 60]
RAW = ["%00", "%01", "%1f", "%7f", "%ff", "%fe", "%c3%28", "%ed%a0%80", "%e2%80%ae", "%f0%9f%98%80", "%", "%zz", "%2"]
NUMBERS = ["-1", "0", "1", "2", "50", "51", "9999", "99999999999999999999", "1e309", "x", "", "１", "٣"]
FILTERS = ["type", "country", "city", "theme", "role", "cohort", "language", "year", "sort", "bogus"]
TARGETS = ["/api/search", "/api/search", "/search/", "/feeds/lessons/", "/feeds/lessons/atom/", "/feeds/search/",
           "/api/search/suggest"]  # fmt: skip
REQUESTS_PER_STATE = 500


def hostile_query(rng: random.Random) -> str:
    """Raw (already percent-encoded) query text up to a little beyond the maximum length."""
    parts, length = [], rng.choice([5, 40, 200, MAX_QUERY_LENGTH, MAX_QUERY_LENGTH + 20])
    while sum(map(len, parts)) < length:
        kind = rng.random()
        if kind < 0.35:
            parts.append(quote(rng.choice(WORDS)))
        elif kind < 0.65:
            parts.append(quote(rng.choice(SYNTAX)))
        elif kind < 0.85:
            parts.append(rng.choice(RAW))
        else:
            parts.append(quote("".join(chr(rng.randrange(0x20, 0x3000)) for _ in range(rng.randrange(1, 8)))))
        parts.append(rng.choice(["+", "%20", "", "%09"]))
    return "".join(parts)


def hostile_urls(seed: int, count: int) -> list[str]:
    rng = random.Random(seed)
    urls = []
    for _ in range(count):
        target = rng.choice(TARGETS)
        params = [f"q={hostile_query(rng)}"]
        for _extra in range(rng.randrange(0, 6)):
            name = rng.choice(FILTERS + ["page", "page_size"])
            value = rng.choice(NUMBERS + RAW + [quote(rng.choice(WORDS)), "de", "lesson", "pilot"])
            params.append(f"{name}={value}")
        rng.shuffle(params)
        urls.append(f"{target}?{'&'.join(params)}")
    return urls


def check(client, url: str) -> int:
    response = client.get(url)
    if url.startswith("/api/") and response.status_code >= 400:
        body = json.loads(response.content)
        assert body.get("detail") and "parameter" in body, (url, body)
    return response.status_code


@pytest.fixture(params=["engine up", "engine unreachable"])
def engine_state(request, settings, structure):
    if request.param == "engine up":
        return request.getfixturevalue("search_engine")
    settings.SEARCH = {**settings.SEARCH, "URL": "http://127.0.0.1:9", "INDEX_PREFIX": "unreachable_"}  # refused
    return None


def test_no_hostile_request_gets_a_server_error(client, engine_state):
    statuses = [check(client, url) for url in hostile_urls(seed=10, count=REQUESTS_PER_STATE)]
    server_errors = [status for status in statuses if status >= 500]
    assert server_errors == []
    assert statuses.count(200) > REQUESTS_PER_STATE // 3  # most hostile text is still a search
    assert {400} <= set(statuses)  # and bad parameters are told so
