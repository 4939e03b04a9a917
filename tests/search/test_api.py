"""The JSON API and the search page, on the database fallback and on the real engine."""

import re
from dataclasses import replace

import pytest

from kb.content_files.pages import find_page
from tests.network import COLOGNE_LESSON, COLOGNE_LESSON_TITLE

pytestmark = pytest.mark.django_db

HOSTILE_QUERIES = [
    '"unbalanced',
    "((((",
    ")))",
    "[]{}",
    "a" * 5000,
    "\x00\x01\x02null",
    "-",
    "--",
    "+",
    "|",
    "*",
    "~",
    "~2",
    "AND OR NOT",
    "OR",
    '"',
    '""',
    "foo\\",
    "\\",
    "title:x",
    "*:*",
    "a AND (b OR",
    "^2",
    "prox* -* +",
    "مرحبا بالعالم",
    "שלום",
    "\u202eevil",
    "😀🔥🏙️",
    "%00",
    "<script>alert(1)</script>",
    "'; DROP TABLE x; --",
    "\ufffd",
    "a" * 50 + " " + "b" * 50,
    "NOT NOT NOT",
    "proximity~",
    '"proximity offices"~2',
]


def test_search_returns_the_documented_shape(client, any_engine):
    response = client.get("/api/search", {"q": "proximity offices", "type": ["lesson", "visit_report"]})
    assert response.status_code == 200
    data = response.json()
    assert set(data) == {
        "query", "total", "page", "page_size", "engine", "suggestion", "corrected_from", "dropped_terms",
        "ignored_terms", "results", "facets",
    }
    assert data["engine"] == ("opensearch" if any_engine else "database")
    assert data["total"] >= 2
    result = data["results"][0]
    assert set(result) == {
        "id",
        "slug",
        "type",
        "title",
        "url",
        "summary",
        "highlight",
        "city",
        "themes",
        "language",
        "date",
        "by_meaning",
        "plan",
        "status",
    }
    assert result["type"] in ("lesson", "visit_report")
    assert set(result["city"]) == {"name", "slug", "country"}
    assert set(data["facets"]) == {"type", "country", "city", "role", "cohort", "theme", "language", "year", "reuse"}
    assert {"value", "label", "count"} == set(data["facets"]["type"][0])


def test_filters_take_slugs_and_codes(client, any_engine):
    data = client.get("/api/search", {"city": "cologne", "theme": "energy", "country": "de"}).json()
    assert data["total"] >= 1
    assert all(r["city"]["slug"] == "cologne" for r in data["results"])
    assert all("energy" in [t["slug"] for t in r["themes"]] for r in data["results"])


@pytest.mark.parametrize(
    "params, parameter",
    [
        ({"page": "0"}, "page"),
        ({"page": "-3"}, "page"),
        ({"page": "x"}, "page"),
        ({"page": "99999999999"}, "page"),
        ({"page_size": "51"}, "page_size"),
        ({"page_size": "0"}, "page_size"),
        ({"sort": "oldest"}, "sort"),
        ({"page": "1001", "page_size": "10"}, "page"),
    ],
)
def test_invalid_parameters_get_a_json_400_naming_the_parameter(client, params, parameter):
    response = client.get("/api/search", params)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["parameter"] == parameter


def test_last_page_in_the_window_is_fine(client):
    assert client.get("/api/search", {"page": "200", "page_size": "50"}).status_code == 200


@pytest.mark.parametrize("query", HOSTILE_QUERIES)
def test_hostile_queries_never_give_a_server_error(client, any_engine, query):
    response = client.get("/api/search", {"q": query, "country": "ZZ\x00", "theme": "<b>"})
    assert response.status_code == 200, response.content[:300]
    assert response.json()["total"] >= 0
    page = client.get("/search/", {"q": query})
    assert page.status_code == 200


def test_suggest_and_related(client, any_engine, structure):
    suggestions = client.get("/api/search/suggest", {"q": "proxim"}).json()["suggestions"]
    assert COLOGNE_LESSON_TITLE in [s["title"] for s in suggestions]
    assert client.get("/api/search/suggest", {"q": "p"}).json()["suggestions"] == []
    lesson = find_page(structure, COLOGNE_LESSON)
    related = client.get(f"/api/pages/{lesson.pk}/related").json()
    assert related["results"] and lesson.pk not in [r["id"] for r in related["results"]]
    assert client.get("/api/pages/999999/related").status_code == 404


def test_openapi_schema_is_published(client):
    schema = client.get("/api/openapi.json").json()
    assert {"/api/search", "/api/search/suggest", "/api/pages/{page_id}/related"} <= set(schema["paths"])
    assert client.get("/api/docs").status_code == 200


def test_search_page_works_without_javascript(client, any_engine):
    html = client.get("/search/", {"q": "proximity", "type": "lesson"}).content.decode()
    assert 'name="type" value="lesson" checked' in html
    assert COLOGNE_LESSON_TITLE in html
    heading = re.search(r'id="results-heading"[^>]*>\s*(\d+) results? for', html)
    assert heading and int(heading[1]) == html.count('<article class="card result">') >= 1


def test_search_page_reports_bad_parameters(client):
    response = client.get("/search/", {"page": "abc"})
    assert response.status_code == 400 and "page must be a whole number" in response.content.decode()


def test_empty_state_offers_help(client, any_engine):
    html = client.get("/search/", {"q": "zzqqxxnothing", "country": "DE"}).content.decode()
    assert "Nothing found" in html and "Search again without filters" in html


def test_misspelled_words_are_searched_as_the_documents_spell_them(client, any_engine, words_only):
    corrected = client.get("/api/search", {"q": "qoria"}).json()  # a first-letter typo: no fuzzy match for it
    assert corrected["total"] and corrected["suggestion"] == "soria"
    assert any(hit["city"] and hit["city"]["slug"] == "soria" for hit in corrected["results"])
    exact = client.get("/api/search", {"q": "qoria", "exact": "true"}).json()
    assert exact["total"] == 0 and exact["suggestion"] == "soria" and exact["corrected_from"] is None
    relaxed = client.get("/api/search", {"q": "proximity zzqxw"}).json()  # no document has the second word
    assert relaxed["total"] and relaxed["dropped_terms"] == ["zzqxw"]
    page = client.get("/search/", {"q": "qoria"}).content.decode()
    assert "Did you mean" in page and ">soria</a>" in page


def test_a_query_that_finds_nothing_is_searched_again_as_the_documents_spell_it(client, any_engine, words_only):
    from search.query import build_request
    from search.service import with_second_chance

    # The first answer finds nothing (as a backend gives before any correction), the corrected query does.
    seen = []

    def answer(request):
        seen.append(request.query)
        return database_or_engine(any_engine).search(request)

    response = with_second_chance(build_request("qoria", correct=True), lambda r: answer(replace(r, also="")))
    assert seen == ["qoria", "soria"] and response.corrected_from == "qoria" and response.total


def database_or_engine(engine):
    from search.backends import database_backend, engine_backend

    return engine_backend() if engine else database_backend()
