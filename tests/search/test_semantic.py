"""Search by meaning, with the bundled multilingual model, on both backends: nothing here fakes a vector."""

import io
import re
from dataclasses import replace

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from kb.content_files.pages import find_page
from kb.management.commands.load_demo import DEMO_VECTORS
from search import semantics
from search.backends import database_backend, engine_backend
from search.embeddings import embedding_key, embedding_text, get_embedder
from search.indexer import drain, rebuild
from search.models import Embedding, IndexQueueEntry, SearchDocument
from search.query import build_request
from search.service import FEW_RESULTS, search
from tests.network import SORIA_LESSON

from . import embedders

pytestmark = pytest.mark.django_db

SORIA_TITLE = "Oficinas de proximidad para la rehabilitación de edificios"


QUESTION = "help for homeowners to rehabilitate old houses in the historic centre"


def test_an_english_question_finds_the_spanish_lesson(any_engine, structure):
    response = search(build_request(QUESTION, page_size=5))
    assert SORIA_TITLE in [hit.title for hit in response.results]
    assert response.engine == ("opensearch" if any_engine else "database")


def test_results_found_by_meaning_alone_say_so_and_quotes_keep_words_exact(any_engine):
    request = build_request(QUESTION, page_size=50)
    by_words = {hit.id for hit in search(replace(request, mode="lexical")).results}
    by_meaning = {hit.id for hit in search(request).results if hit.by_meaning}
    assert by_meaning and not by_meaning & by_words  # related, though no word of the query matched
    exact = search(build_request('"proximity offices"', page_size=50))
    assert exact.total and not any(hit.by_meaning for hit in exact.results)


def test_meaning_respects_exclusions(any_engine):
    def titles(query: str) -> list[str]:
        return [hit.title for hit in search(build_request(query, page_size=50)).results]

    with_soria = titles("proximity office renovation advice")
    without = titles("proximity office renovation advice -Soria")
    assert SORIA_TITLE in with_soria and SORIA_TITLE not in without


def test_language_directions_bring_one_concept_in_two_languages_closer():
    german, english, other_german = get_embedder().passages(["Wärmepumpe", "heat pump", "Fahrradstraße"])
    # How much closer the same concept in English is than another concept in German, before and after.
    before = float(german @ english) - float(german @ other_german)
    german, english, other_german = semantics.neutral(np.vstack([german, english, other_german]))
    assert float(german @ english) - float(german @ other_german) > before
    assert semantics.language_directions().shape[0] >= 10  # one fewer than the glossary's languages


def test_embeddings_are_computed_once_per_text_and_never_in_the_editors_request(
    settings, structure, django_capture_on_commit_callbacks
):
    settings.SEARCH = {**settings.SEARCH, "EMBEDDER": "tests.search.embedders.CountingE5", "INDEX_INLINE": True}
    get_embedder().passages(["warm-up"])  # the model loaded, the glossary's vectors known
    call_command("search_index", "embed", stdout=open("/dev/null", "w"))
    embedders.embedded.clear()
    rebuild()  # the database's documents again: every text is unchanged
    assert embedders.embedded == []

    lesson = find_page(structure, SORIA_LESSON)
    lesson.summary = "Una oficina de barrio acompaña a las comunidades de vecinos en cada paso."
    with django_capture_on_commit_callbacks(execute=True):
        lesson.save_revision().publish()
    assert embedders.embedded == []  # the editor's request (with its inline indexing) embedded nothing
    document = SearchDocument.objects.get(page_id=lesson.pk)
    assert not Embedding.objects.filter(key=document.embedding_key).exists()
    assert IndexQueueEntry.objects.filter(page_id=lesson.pk).exists()  # waiting for the worker

    drain()  # what the worker does
    assert len(embedders.embedded) == 1 and lesson.summary in embedders.embedded[0]
    assert Embedding.objects.filter(key=document.embedding_key).exists()
    assert not IndexQueueEntry.objects.filter(page_id=lesson.pk).exists()
    assert document.embedding_key == embedding_key("multilingual-e5-small", embedders.embedded[0])


def test_the_demo_ships_the_vectors_of_its_current_texts(demo):
    """kb/demo/vectors.npz holds the model's vector of every demo document and glossary term.

    When this fails after the demo or the glossary changed, load the demo into a fresh database and save them again:
    `python manage.py search_index save-vectors kb/demo/vectors.npz`.
    """
    with np.load(DEMO_VECTORS) as data:
        shipped = dict(zip(data["keys"].tolist(), data["vectors"], strict=True))
    embedder = get_embedder()
    documents = {document.embedding_key: document for document in SearchDocument.objects.all()}
    terms = {embedding_key(embedder.model, term) for terms in semantics.glossary_texts().values() for term in terms}
    assert len(documents) > 100 and len(terms) > 1000
    assert sorted(documents.keys() - shipped.keys()) == [] and sorted(terms - shipped.keys()) == []
    # The model's own vectors: one document's computed again here.
    soria = SearchDocument.objects.get(page_id=find_page(demo, SORIA_LESSON).pk)
    (computed,) = embedder.passages([embedding_text(soria.as_document())])
    assert float(computed @ shipped[soria.embedding_key]) > 0.99


def test_vectors_saved_in_one_database_load_in_another(structure, tmp_path):
    file = tmp_path / "vectors.npz"
    call_command("search_index", "save-vectors", str(file), stdout=io.StringIO())
    before = dict(Embedding.objects.values_list("key", "vector"))
    Embedding.objects.all().delete()
    assert not search(replace(build_request(QUESTION), mode="semantic")).total
    output = io.StringIO()
    call_command("search_index", "load-vectors", str(file), stdout=output)
    assert f"loaded {len(before)} new vectors" in output.getvalue()
    assert {key: bytes(vector) for key, vector in Embedding.objects.values_list("key", "vector")} == {
        key: bytes(vector) for key, vector in before.items()
    }
    assert SORIA_TITLE in [hit.title for hit in search(replace(build_request(QUESTION), mode="semantic")).results]
    call_command("search_index", "load-vectors", str(file), stdout=output)
    assert "loaded 0 new vectors" in output.getvalue()


def test_a_vector_file_of_another_model_or_no_vector_file_is_refused_by_name(structure, tmp_path):
    other = tmp_path / "other.npz"
    np.savez(other, model=np.array("another-model"), keys=np.array(["k"]), vectors=np.zeros((1, 384), np.float32))
    with pytest.raises(CommandError, match=rf"{re.escape(str(other))}: vectors of the model 'another-model'"):
        call_command("search_index", "load-vectors", str(other))
    wrong_size = tmp_path / "small.npz"
    np.savez(wrong_size, model=np.array("multilingual-e5-small"), keys=np.array(["k"]), vectors=np.zeros((1, 3)))
    with pytest.raises(CommandError, match=rf"{re.escape(str(wrong_size))}: 1 keys and vectors of shape \(1, 3\)"):
        call_command("search_index", "load-vectors", str(wrong_size))
    text = tmp_path / "notes.md"
    text.write_text("# not vectors")
    with pytest.raises(CommandError, match=rf"{re.escape(str(text))}: not a vector file"):
        call_command("search_index", "load-vectors", str(text))
    with pytest.raises(CommandError, match="load-vectors takes a file"):
        call_command("search_index", "load-vectors")
    assert not Embedding.objects.filter(key="k").exists()


@pytest.mark.engine
def test_the_engine_indexes_vectors_with_the_lucene_engine_only(search_engine):
    from search.conf import search_settings

    (index,) = search_engine.indices_for_alias(search_settings().alias)
    mapping = search_engine.call("indices.get_mapping", index=index)[index]["mappings"]
    field = mapping["properties"]["embedding"]
    assert field["type"] == "knn_vector" and field["method"]["engine"] == "lucene"
    assert field["dimension"] == get_embedder().dimensions
    assert mapping["_source"]["excludes"] == ["embedding"]


def test_a_search_that_finds_few_widens_what_counts_as_related_by_meaning(any_engine):
    """Malmö's few pages, none about heat pumps: few stand out by meaning among all documents, so the service asks
    again with meaning's threshold lowered, and shows what that finds, with totals and facets of its own."""
    backend = engine_backend() if any_engine else database_backend()
    request = build_request("heat pumps", page_size=50, country=["se"])
    strict = backend.search(request)
    wide = backend.search(replace(request, widened=True))
    assert strict.total < FEW_RESULTS and wide.total > strict.total
    assert {hit.id for hit in strict.results} < {hit.id for hit in wide.results}
    answered = search(request)
    assert [hit.id for hit in answered.results] == [hit.id for hit in wide.results]
    counted = {value.value: value.count for value in answered.facets["country"]}
    assert answered.total == len(answered.results) == counted["SE"]


@pytest.mark.engine
def test_the_engine_finds_the_nearest_documents_by_meaning_among_those_the_filters_allow(search_engine, monkeypatch):
    """At most ``ranking.NEIGHBOURS`` documents by meaning alone, the nearest ones, searched within the filters:
    a narrow filter keeps its own nearest documents instead of what is left of the nearest of all."""
    from search import ranking

    request = replace(build_request(QUESTION, page_size=50), mode="semantic")
    everything = engine_backend().search(request)
    monkeypatch.setattr(ranking, "NEIGHBOURS", 2)
    nearest = engine_backend().search(request)
    assert everything.total > 2 and nearest.total == len(nearest.results) == 2
    assert {hit.key for hit in nearest.results} < {hit.key for hit in everything.results}
    # A type none of the nearest of all is of: filtering them afterwards would leave nothing of it.
    kind = next(hit.type for hit in everything.results if hit.type not in {h.type for h in nearest.results})
    of_kind = {hit.key for hit in everything.results if hit.type == kind}
    filtered = engine_backend().search(replace(request, filters={"type": (kind,)}))
    assert filtered.total == min(2, len(of_kind)) and {hit.key for hit in filtered.results} <= of_kind


@pytest.mark.parametrize("vendor", ["opensearch", "elasticsearch"])
def test_both_engines_are_asked_for_the_nearest_documents_within_the_filters(vendor):
    from search import ranking
    from search.backends.engine import build_search

    request = build_request("heat pumps", country=["se"])
    geometry = (np.ones(4, dtype=np.float32) / 2, 0.8, 0.05)
    body = build_search(request, ("en",), geometry, vendor=vendor).hits
    clauses = body["query"]["bool"]["must"][0]["function_score"]["query"]["bool"]["should"]
    (semantic,) = [clause for clause in clauses if clause.get("script_score", {}).get("_name") == "semantic"]
    knn = semantic["script_score"]["query"]["knn"]
    asked = knn["embedding"] if vendor == "opensearch" else knn
    assert asked["k"] == ranking.NEIGHBOURS
    within = asked["filter"] if vendor == "opensearch" else asked["filter"][0]  # a list of queries in Elasticsearch
    assert within == {"bool": {"filter": [{"terms": {"country": ["SE"]}}]}}
    assert semantic["script_score"]["min_score"] > 0  # what does not stand out is not found by meaning
