"""The database backend on its own: what it matches, on SQLite and on PostgreSQL alike."""

import pytest

from search.analysis import fold, index_terms, word_variants
from search.backends import database_backend
from search.backends.database import snippet
from search.query import build_request
from tests.network import COLOGNE_LESSON_TITLE

pytestmark = pytest.mark.django_db


def titles(query: str, **filters) -> list[str]:
    return [hit.title for hit in database_backend().search(build_request(query, page_size=50, **filters)).results]


def test_folding_and_stemming_meet_across_forms():
    assert fold("Wärmepumpe ℋ Łódź Straße") == "warmepumpe h lodz strasse"
    assert index_terms("renovations of buildings", "en") == "renov of build"
    assert "renov" in word_variants("renovation", ["en"])


def test_a_word_finds_its_other_forms_and_the_glossary_other_languages(structure):
    assert COLOGNE_LESSON_TITLE in titles("rehabilitations")  # stemmed
    assert "Wärmepumpen im Mehrfamilienhaus – Erfahrungen aus Kölner Wohnungseigentümergemeinschaften" in titles(
        "heat pump"
    )  # the glossary's German term
    assert titles("-renovation heat")  # exclusions keep the rest
    assert titles('"proximity offices"') and not titles('"offices proximity"')  # phrases keep their order


@pytest.mark.parametrize("query", ["ℋ", "ᴴ x", "\u0301", '"\u0301 x"', "-\u0301 x", "ｒｅｎｏｖａｔｉｏｎ", "x" * 60])
def test_odd_characters_search_without_error(structure, query):
    database_backend().search(build_request(query))


def test_the_snippet_is_the_passage_that_matched():
    text = "Intro words. " * 30 + "What did not work: the opening hours <b>were</b> too short. " + "More. " * 30
    found = snippet(text, "en", set(word_variants("hours", ["en"])))
    assert "<mark>hours</mark>" in found and "&lt;b&gt;were&lt;/b&gt;" in found and len(found) < 300
