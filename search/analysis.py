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

from .mapping import glossary_concepts

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
def _glossary_index() -> dict[tuple[str, ...], list[tuple[str, str]]]:
    """Folded glossary term → the concept's terms as (language, term), to expand queries across languages."""
    index: dict[tuple[str, ...], list[tuple[str, str]]] = {}
    for concept in glossary_concepts():
        terms = [(language, term) for language, names in concept.items() for term in names]
        for _language, term in terms:
            index.setdefault(tuple(tokens(term)), []).extend(terms)
    return index


def concept_terms(words: list[str]) -> list[tuple[str, str]]:
    """(language, term) of the glossary concept these words name together, in all its languages; or none."""
    return _glossary_index().get(tuple(fold(word) for word in words), [])
