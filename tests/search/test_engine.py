"""The network search against the real OpenSearch node (see `make opensearch`)."""

import io
import json
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from wagtail.models import PageViewRestriction

from kb.content_files.pages import find_page
from kb.content_types import KINDS
from kb.models import CityPage, LessonPage, Theme
from plans.models import Action
from search.backends import database_backend, engine_backend
from search.backends.engine import build_search
from search.conf import search_settings
from search.facets import NAMES as FACETS
from search.indexer import count_indexable, verify
from search.mapping import LANGUAGES, passage_fields
from search.query import build_request
from search.service import prepared, search
from tests.network import COLOGNE_LESSON, COLOGNE_LESSON_TITLE, SORIA_LESSON

from .helpers import indexed_ids, sync, titles

pytestmark = [pytest.mark.django_db, pytest.mark.engine]


def test_index_has_the_mapping_and_analyzers(search_engine):
    alias = search_settings().alias
    (index,) = search_engine.indices_for_alias(alias)
    settings = search_engine.call("indices.get_settings", index=index)[index]["settings"]["index"]
    analyzers = settings["analysis"]["analyzer"]
    assert {"folding", "autocomplete_index", "en_text", "de_text", "es_text"} <= analyzers.keys()
    assert "greek_accents" in settings["analysis"]["char_filter"]
    mapping = search_engine.call("indices.get_mapping", index=index)[index]["mappings"]
    assert mapping["properties"]["content_de"]["analyzer"] == "de_text"
    assert mapping["properties"]["title"]["fields"]["autocomplete"]["analyzer"] == "autocomplete_index"
    # Every field whose passages results show keeps its words' offsets for the highlighter, and only those.
    with_offsets = {name for name, field in mapping["properties"].items() if field.get("index_options") == "offsets"}
    assert with_offsets == set(passage_fields(LANGUAGES)) and "content_fi" in with_offsets


def test_every_published_page_is_indexed_once_and_verify_is_clean(search_engine):
    assert verify().clean
    actions = Action.objects.published().count()
    expected = sum(kind.model.objects.published().count() for kind in KINDS) + actions
    assert actions and search_engine.count(search_settings().alias) == expected == count_indexable()


def test_publish_unpublish_delete_and_move_reach_the_index(search_engine, structure):
    lesson = find_page(structure, COLOGNE_LESSON)
    assert lesson.pk in indexed_ids(search_engine)

    lesson.unpublish()
    sync(search_engine)
    assert lesson.pk not in indexed_ids(search_engine)

    lesson.save_revision().publish()
    sync(search_engine)
    assert lesson.pk in indexed_ids(search_engine)

    soria = CityPage.objects.get(slug="soria")
    lesson.move(soria, pos="last-child")
    sync(search_engine)
    hit = next(h for h in search(build_request("proximity offices", city=["soria"])).results if h.id == lesson.pk)
    assert hit.url == "/cities/soria/proximity-offices/" and hit.city["slug"] == "soria"

    lesson.delete()
    sync(search_engine)
    assert lesson.pk not in indexed_ids(search_engine)
    assert verify().clean


def test_drafts_and_private_pages_never_reach_the_index(search_engine, structure):
    lesson = find_page(structure, COLOGNE_LESSON)
    draft = lesson.get_latest_revision_as_object()
    draft.title = "A secret draft title zyxwv"
    draft.save_revision()
    PageViewRestriction.objects.create(
        page=find_page(structure, SORIA_LESSON), restriction_type=PageViewRestriction.LOGIN
    )
    sync(search_engine)
    assert not [title for title in titles("zyxwv") if "zyxwv" in title]  # the draft's title is nowhere
    assert "Oficinas de proximidad para la rehabilitación de edificios" not in titles("oficinas proximidad")
    assert verify().clean


def test_editing_a_city_updates_the_documents_below_it(search_engine):
    cologne = CityPage.objects.get(slug="cologne")
    cologne.role = "twin"
    cologne.save_revision().publish()
    sync(search_engine)
    found = search(build_request("proximity offices", role=["twin"], city=["cologne"]))
    assert found.total >= 1 and verify().clean


@pytest.mark.parametrize(
    "query, expected_title",
    [
        ("renovating buildings", COLOGNE_LESSON_TITLE),  # English stemming
        (
            "Wärmepumpe",
            "Wärmepumpen im Mehrfamilienhaus – Erfahrungen aus Kölner Wohnungseigentümergemeinschaften",
        ),  # German plural → singular
        ("oficina proximidad", "Oficinas de proximidad para la rehabilitación de edificios"),  # Spanish plural
    ],
)
def test_stemming(search_engine, query, expected_title):
    assert expected_title in titles(query)


@pytest.mark.parametrize(
    "query, expected_title",
    [
        ("Malmo", "Malmö"),
        ("Rzeszow", "Rzeszów"),
        ("gasteiz", "Vitoria-Gasteiz"),
        ("ENERGIA", "Oficinas de la Energía: asesoramiento energético de barrio en Valencia"),
    ],
)
def test_accent_and_case_folding(search_engine, query, expected_title):
    assert expected_title in titles(query)


@pytest.mark.parametrize(
    "query, expected_title",
    [
        (
            "heat pump",
            "Wärmepumpen im Mehrfamilienhaus – Erfahrungen aus Kölner Wohnungseigentümergemeinschaften",
        ),  # English → German
        ("green roofs", "Gründächer fördern: Das Programm GRÜN hoch 3"),  # English → German
        ("district heating", "Rehabilitación energética de viviendas en el casco histórico"),  # English → Spanish
        ("Gründach", "Gröna tak och öppen dagvattenhantering i Augustenborg"),  # German → Swedish
    ],
)
def test_glossary_matches_across_languages(search_engine, query, expected_title):
    assert expected_title in titles(query)


def test_facet_counts_equal_database_counts(search_engine):
    for filters in ({}, {"country": ("ES",)}, {"type": ("lesson",), "language": ("de", "es")}, {"theme": ("energy",)}):
        request = build_request("", **filters)
        from_engine, from_database = (
            {facet: {v.value: v.count for v in values} for facet, values in backend.search(request).facets.items()}
            for backend in (engine_backend(), database_backend())
        )
        assert from_engine == from_database, filters


def test_facets_are_disjunctive_within_a_facet_and_conjunctive_across(search_engine):
    everything = search(build_request(""))
    countries = {v.value: v.count for v in everything.facets["country"]}
    spain = search(build_request("", country=["ES"]))
    # A facet's own selection does not narrow its counts ...
    assert {v.value: v.count for v in spain.facets["country"]} == countries
    # ... selections within a facet are OR-ed ...
    both = search(build_request("", country=["ES", "DE"]))
    assert both.total == countries["ES"] + countries["DE"]
    # ... and facets are AND-ed, each counted under the other's selection.
    lessons_in_spain = search(build_request("", country=["ES"], type=["lesson"]))
    assert lessons_in_spain.total == {v.value: v.count for v in spain.facets["type"]}["lesson"]
    assert all(hit.type == "lesson" and hit.city["country"] == "ES" for hit in lessons_in_spain.results)


def test_highlights_mark_matches_and_nothing_else(search_engine, structure):
    lesson = find_page(structure, COLOGNE_LESSON)
    lesson.summary = 'Proximity <script>alert("x")</script> <img src=x onerror=alert(1)> offices'
    lesson.save_revision().publish()
    sync(search_engine)
    hit = next(h for h in search(build_request("proximity")).results if h.id == lesson.pk)
    tags = TagCollector()
    tags.feed(hit.highlight)
    assert tags.seen and set(tags.seen) == {("mark", ())}
    assert "&lt;script&gt;" in hit.highlight  # the author's markup is shown as text, never run


class TagCollector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.seen = []

    def handle_starttag(self, tag, attrs):
        self.seen.append((tag, tuple(attrs)))


def test_typos_are_forgiven_and_suggestions_complete_titles(search_engine):
    found = search(build_request("renovaton"))
    assert found.total and "renovation" in " ".join(hit.title for hit in found.results[:5]).lower()
    from search.service import suggest

    suggestions, engine = suggest("proxim")
    assert engine == "opensearch"
    assert COLOGNE_LESSON_TITLE in [s.title for s in suggestions]


def test_words_are_matched_and_highlighted_with_a_typo_only_when_some_word_is_in_no_document(search_engine):
    def fuzzy(query: str) -> tuple[bool, bool]:
        bodies = build_search(prepared(build_request(query))[0])
        return "fuzziness" in json.dumps(bodies.hits), "fuzziness" in json.dumps(bodies.highlight)

    assert fuzzy("renovaton offices") == (True, True)
    assert fuzzy("renovation offices") == (False, False)


def test_query_syntax(search_engine, words_only):
    assert titles('"proximity offices"')
    assert titles("Superilles OR Fahrradstraßen") and len(titles("Superilles OR Fahrradstraßen")) >= 2
    with_cologne = titles("proximity offices")
    without = titles("proximity offices -Vitoria")
    assert without and len(without) < len(with_cologne)
    assert COLOGNE_LESSON_TITLE in titles("proxim*")


def test_sort_by_newest(search_engine):
    results = search(build_request("", sort="newest", page_size=50)).results
    dates = [hit.date for hit in results if hit.date]
    assert dates == sorted(dates, reverse=True)


def test_related_content_uses_more_like_this(search_engine, structure):
    from search.service import related

    hits, engine = related(find_page(structure, COLOGNE_LESSON))
    assert engine == "opensearch" and hits
    assert find_page(structure, COLOGNE_LESSON).pk not in [hit.id for hit in hits]


def test_lesson_page_shows_related_content(search_engine, client, structure):
    html = client.get(find_page(structure, COLOGNE_LESSON).url).content.decode()
    assert "Related across the network" in html


@pytest.mark.parametrize("count", [0, 1])
def test_inline_indexing_after_commit(search_engine, settings, structure, django_capture_on_commit_callbacks, count):
    settings.SEARCH = {**settings.SEARCH, "INDEX_INLINE": True}
    lesson = LessonPage.objects.get(slug="fahrradstrassen")
    with django_capture_on_commit_callbacks(execute=True):
        lesson.unpublish() if count == 0 else lesson.save_revision().publish()
    search_engine.refresh(search_settings().alias)
    assert (lesson.pk in indexed_ids(search_engine)) is (count == 1)


def test_every_facet_is_reported(search_engine):
    assert set(search(build_request("")).facets) == set(FACETS)


def test_scheduled_publishing_reaches_the_index(search_engine, structure):
    lesson = find_page(structure, COLOGNE_LESSON)
    lesson.unpublish()
    sync(search_engine)
    revision = lesson.save_revision(approved_go_live_at=timezone.now() - timedelta(minutes=1))
    assert revision.approved_go_live_at
    call_command("publish_scheduled", stdout=io.StringIO())
    sync(search_engine)
    assert lesson.pk in indexed_ids(search_engine)


def test_renaming_a_theme_updates_its_documents(search_engine):
    theme = Theme.objects.get(slug="energy")
    theme.name = "Energy systems"
    theme.save()
    sync(search_engine)
    hits = search(build_request("", theme=["energy"])).results
    assert hits and all("Energy systems" in [t["name"] for t in hit.themes] for hit in hits)
    assert verify().clean


def test_worker_and_commands(search_engine, structure):
    lesson = find_page(structure, COLOGNE_LESSON)
    lesson.unpublish()
    out = io.StringIO()
    call_command("search_worker", "--once", stdout=out)
    assert "indexed 1" in out.getvalue()
    call_command("search_index", "verify", stdout=io.StringIO())  # clean: no error

    search_engine.call(
        "delete",
        index=search_settings().alias,
        id=str(find_page(structure, SORIA_LESSON).pk),
        refresh=True,
    )
    with pytest.raises(CommandError, match="drifted"):
        call_command("search_index", "verify", stdout=io.StringIO())
    status = io.StringIO()
    call_command("search_index", "status", stdout=status)
    assert "OpenSearch 2.19" in status.getvalue() and "queue: 0 pages waiting" in status.getvalue()
