"""Text analysis for the database backend: folding and stemming in Python, the same on SQLite and PostgreSQL.

The database only matches and ranks the terms this module produces, so both databases find the same pages.
Text is folded (case, accents, letters such as ``ł`` and ``ß``) and stemmed with the Snowball stemmer of its
own language (PyStemmer); a query word is expanded to its stem in every language the index holds, so that
"renovations" meets an English "renovation", and to the glossary's terms for the same concept in other
languages, as the engine's glossary does.
"""

import re
import unicodedata
from functools import lru_cache

import Stemmer

from kb.slugs import transliterate

from .mapping import glossary

# ISO 639-1 → Snowball algorithm; languages without one are folded only.
STEMMERS = {
    "ca": "catalan", "cs": "czech", "da": "danish", "de": "german", "el": "greek", "en": "english",
    "es": "spanish", "et": "estonian", "eu": "basque", "fi": "finnish", "fr": "french", "ga": "irish",
    "hu": "hungarian", "it": "italian", "lt": "lithuanian", "nl": "dutch", "no": "norwegian", "pl": "polish",
    "pt": "portuguese", "ro": "romanian", "sv": "swedish",
}  # fmt: skip
_TOKEN = re.compile(r"[^\W_]+")
MAX_TOKEN_LENGTH = 40  # longer "words" are noise (hashes, URLs); Lucene's standard tokenizer cuts at 255


# The combining diacritical marks NFKD splits off letters (Latin, Greek and Cyrillic ones and their supplements).
_MARKS = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


def fold(text: str) -> str:
    """Lower case, no accents: ``Wärmepumpe`` → ``warmepumpe``, ``Łódź`` → ``lodz``."""
    if text.isascii():
        return text.lower()
    # Decompose first: compatibility forms such as "ℋ" decompose to capitals, which must be folded too.
    return _MARKS.sub("", unicodedata.normalize("NFKD", transliterate(text))).casefold()


def tokens(text: str) -> list[str]:
    return [token for token in _TOKEN.findall(fold(text)) if len(token) <= MAX_TOKEN_LENGTH]


@lru_cache(maxsize=len(STEMMERS))
def _stemmer(language: str):
    algorithm = STEMMERS.get(language)
    return Stemmer.Stemmer(algorithm, 100_000) if algorithm else None  # with a word cache of its own


def stem(token: str, language: str) -> str:
    stemmer = _stemmer(language)
    return stemmer.stemWord(token) if stemmer else token


def index_terms(text: str, language: str) -> str:
    """The terms the database indexes for a text written in ``language``, space-separated."""
    stemmer = _stemmer(language)
    words = tokens(text)
    return " ".join(stemmer.stemWords(words) if stemmer else words)


def word_variants(word: str, languages) -> list[str]:
    """The terms a query word may meet: its stem in each of ``languages`` (and itself, folded)."""
    folded = fold(word)
    return sorted({folded, *(stem(folded, language) for language in languages)} - {""})


def phrase_variants(phrase: str, languages) -> list[list[str]]:
    """A phrase stemmed as a whole in each language: a document is stemmed in its own language only."""
    words = tokens(phrase)
    variants = {tuple(stem(word, language) for word in words) for language in {*languages, ""}}
    return sorted(variant for variant in variants if variant and all(variant))


@lru_cache(maxsize=1)
def _named() -> dict[tuple[str, ...], str]:
    """A glossary term's folded words, in any language → the id of its concept."""
    return {tuple(tokens(term)): concept for concept, terms in glossary().items() for names in terms.values()
            for term in names}  # fmt: skip


def concept_terms(concept: str) -> list[tuple[str, str]]:
    """(language, term) of every term of a glossary concept."""
    return [(language, term) for language, terms in glossary()[concept].items() for term in terms]


def concept_named(words: list[str]) -> str | None:
    """The glossary concept these words name together (in any of its languages), if any."""
    return _named().get(tuple(fold(word) for word in words))


def glossary_runs(words: list[str]) -> list[tuple[int, int, str]]:
    """(start, length, concept) of each longest run of query words (up to four) that names a glossary concept."""
    runs = []
    position = 0
    while position < len(words):
        for length in range(min(4, len(words) - position), 0, -1):
            if concept := concept_named(words[position : position + length]):
                runs.append((position, length, concept))
                position += length
                break
        else:
            position += 1
    return runs


@lru_cache(maxsize=64)
def _stemmed_terms(language: str) -> dict[str, dict[tuple[str, ...], str]]:
    """For one language: the glossary's terms in it, stemmed, by their first stem → {stems: concept}."""
    table: dict[str, dict[tuple[str, ...], str]] = {}
    for concept, terms in glossary().items():
        for term in terms.get(language, ()):
            stems = tuple(index_terms(term, language).split())
            if stems:
                table.setdefault(stems[0], {})[stems] = concept
    return table


def concepts_in(text: str, language: str) -> dict[str, int]:
    """The glossary concepts a text written in ``language`` names (in any form its stemmer meets), with how
    often: so that a query naming a concept in another language finds the document."""
    table = _stemmed_terms(language)
    if not table:
        return {}
    stems = index_terms(text, language).split()
    found: dict[str, int] = {}
    for position, first in enumerate(stems):
        for candidate, concept in table.get(first, {}).items():
            if tuple(stems[position : position + len(candidate)]) == candidate:
                found[concept] = found.get(concept, 0) + 1
    return found


def salient_concepts(heading: str, body: str, language: str) -> list[str]:
    """The concepts a document is about, not those it mentions in passing: named in its title or summary,
    or at least twice in its text."""
    named = set(concepts_in(heading, language))
    named |= {concept for concept, count in concepts_in(body, language).items() if count >= 2}
    return sorted(named)
