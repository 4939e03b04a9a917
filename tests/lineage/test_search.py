"""The search knows what travelled: a filter for what other cities reused, and what worked there a little higher."""

import pytest

from kb.content_files.pages import find_page
from search import ranking
from search.query import build_request
from search.service import search
from tests.network import SORIA_PLAN

from ..search.helpers import sync

pytestmark = pytest.mark.django_db

VISIT_TITLE = "Co-creation visit to Vitoria-Gasteiz: proximity offices for building renovation"
VALENCIA_TITLE = "Oficinas de la Energía: asesoramiento energético de barrio en Valencia"


def titles(**filters) -> set[str]:
    return {hit.title for hit in search(build_request("", page_size=50, **filters)).results}


def test_reused_and_proven_filter_on_both_backends(any_engine):
    assert titles(reuse=["reused"]) == {VISIT_TITLE, VALENCIA_TITLE}  # Soria's office is adapted from both
    assert titles(reuse=["proven"]) == {VISIT_TITLE}  # it worked in Cologne; Valencia's outcome is not reported
    labels = {value.value: value.label for value in search(build_request("")).facets["reuse"]}
    assert labels == {"reused": "Reused by other cities", "proven": "Worked in another city"}


def test_unpublishing_the_adopter_updates_the_source(any_engine, structure):
    find_page(structure, SORIA_PLAN).unpublish()  # the only plan that adapted Valencia's lesson
    any_engine and sync(any_engine)
    assert titles(reuse=["reused"]) == {VISIT_TITLE}  # Cologne still adapted the visit


def test_what_worked_elsewhere_ranks_higher_on_both_backends(any_engine, monkeypatch):
    query = build_request("proximity offices renovation", page_size=10)
    ordinary = [hit.title for hit in search(query).results]
    assert ordinary[0] != VISIT_TITLE  # without a weight, another page answers best
    monkeypatch.setattr(ranking, "PROVEN_WEIGHT", 50.0)
    assert search(query).results[0].title == VISIT_TITLE
