"""Hostile and generated input for the search API: property-based (Hypothesis) and schema-driven (Schemathesis).

More than 1,000 generated requests in all; none may give a 5xx, and every 4xx must be a JSON error naming the
parameter. The engine is used when it is up (the default in CI), the database fallback otherwise.
"""

import json

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
OPERATORS = ['"', "-", "+", "|", "*", "(", ")", "~", "\\", "OR", "AND", "NOT", "~2", "^"]
hostile_text = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=50),  # control, null, RTL, emoji, surrogates' kin
    st.lists(st.sampled_from(OPERATORS + ["heat", "pump", "Fernwärme", "\u202e", "😀", "\x00"]), max_size=20).map(
        " ".join
    ),
    st.just("a" * 20000),
)
facet_values = st.lists(st.text(max_size=40), max_size=4)
numbers = st.one_of(
    st.integers(), st.text(max_size=12), st.just("1e309"), st.just("-0"), st.just("999999999999999999999")
)


def assert_well_formed(response):
    assert response.status_code < 500, response.content[:500]
    body = json.loads(response.content)
    if response.status_code >= 400:
        assert response.status_code in (400, 404, 405, 422, 429)
        assert body.get("detail") and "parameter" in body
    return body


@pytest.fixture
def api_engine(request, structure):
    """The real engine when it runs, the database otherwise (hostile input must be safe on both)."""
    try:
        return request.getfixturevalue("search_engine")
    except pytest.skip.Exception:
        return None


@FUZZ
@given(
    q=hostile_text,
    country=facet_values,
    theme=facet_values,
    city=facet_values,
    page=numbers,
    size=numbers,
    sort=st.one_of(st.sampled_from(["relevance", "newest"]), st.text(max_size=10)),
)
def test_search_never_fails_on_hostile_input(client, api_engine, q, country, theme, city, page, size, sort):
    params = {"q": q, "country": country, "theme": theme, "city": city, "page": page, "page_size": size, "sort": sort}
    body = assert_well_formed(client.get("/api/search", params))
    if "results" in body:
        assert body["total"] >= 0 and len(body["results"]) <= 50


@FUZZ
@given(q=hostile_text)
def test_suggest_never_fails_on_hostile_input(client, api_engine, q):
    assert_well_formed(client.get("/api/search/suggest", {"q": q}))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(q=hostile_text)
def test_search_page_never_fails_on_hostile_input(client, api_engine, q):
    assert client.get("/search/", {"q": q, "page": "2"}).status_code < 500


schema = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())


@pytest.fixture
def test_transaction_kept():
    """Requests sent straight to the WSGI app would close the database connection after each response, and
    with it the test's transaction; Django's own test client avoids that the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_against_its_openapi_schema(case, api_engine, test_transaction_kept):
    response = case.call()
    assert response.status_code < 500, response.text[:500]
    if response.status_code >= 400:
        try:
            body = json.loads(response.text)
        except ValueError:
            pytest.fail(
                f"{response.status_code} without a JSON body for {case.path} {case.query}: {response.text[:300]}"
            )
        assert body.get("detail") and "parameter" in body
