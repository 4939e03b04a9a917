"""The glossary is edited by hand: these checks catch what would silently break the synonym rules."""

from collections import defaultdict

from search.mapping import LANGUAGES, glossary_concepts, glossary_rules

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


def test_rules_rewrite_any_language_into_the_field_language():
    rule = next(rule for rule in glossary_rules("de") if "wärmepumpe" in rule.split("=>")[1])
    sources, targets = rule.split("=>")
    assert "heat pump" in sources and "bomba de calor" in sources
    assert "heat pump" not in targets
