"""The glossary is edited by hand: these checks catch what would silently break the synonym rules."""

from collections import defaultdict

from search.analysis import concept_named, concepts_in
from search.mapping import LANGUAGES, glossary_concepts

FORBIDDEN = (",", "=>", "#", "(", ")")


def test_every_concept_spans_several_languages_with_clean_terms():
    concepts = glossary_concepts()
    assert len(concepts) >= 50
    for concept in concepts:
        assert len(concept) >= 4, concept
        for code, terms in concept.items():
            assert code in LANGUAGES, code
            for term in terms:
                assert term == term.strip() and term and term == term.lower(), term
                assert not any(mark in term for mark in FORBIDDEN), term
                assert len(term.split()) <= 5, term


def test_a_term_names_one_concept_per_language():
    owners = defaultdict(set)
    for number, concept in enumerate(glossary_concepts()):
        for code, terms in concept.items():
            for term in terms:
                owners[(code, term)].add(number)
    assert [key for key, numbers in owners.items() if len(numbers) > 1] == []


def test_concepts_are_named_in_any_language_and_found_in_any_form():
    assert concept_named(["heat", "pump"]) == concept_named(["Wärmepumpe"]) == concept_named(["bomba", "de", "calor"])
    assert concept_named(["heat"]) is None
    # A document names the concept in its own language, inflected as its stemmer knows.
    assert concept_named(["Wärmepumpe"]) in concepts_in("Der Einbau von Wärmepumpen im Altbau", "de")
    assert concept_named(["district", "heating"]) in concepts_in("Ampliación de la red de calor urbana", "es")
