"""What a search asks for, validated once and shared by the engine and the database implementations."""

import re
from dataclasses import dataclass, field
from functools import cached_property

from .facets import BY_NAME as FACETS_BY_NAME
from .facets import MAX_NUMBER_DIGITS

SORTS = ("relevance", "newest")
MAX_PAGE_SIZE = 50
MAX_RESULT_WINDOW = 10_000
MAX_QUERY_LENGTH = 500
# Words, phrases and prefixes searched per query; the rest are ignored and the response names them. A natural
# question has a dozen words; hundreds would only make every backend build a huge expression.
MAX_QUERY_TERMS = 32
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class InvalidSearch(ValueError):
    """A parameter the search cannot use; names the parameter so that the API can say which."""

    def __init__(self, parameter: str, message: str):
        super().__init__(message)
        self.parameter = parameter
        self.message = message


MODES = ("hybrid", "lexical", "semantic")


@dataclass(frozen=True)
class SearchRequest:
    query: str = ""
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    sort: str = "relevance"
    page: int = 1
    page_size: int = 10
    # How the text is matched: by words and meaning together (what readers get), or one of them alone (for
    # measuring each on the judged queries).
    mode: str = "hybrid"
    # Any one word may match, instead of the usual minimum: the second pass when all words find nothing.
    relaxed: bool = False
    # When the query finds nothing, search again for it spelled as the documents spell it.
    correct: bool = True
    # The query spelled as the documents spell it, when some of its words are in none of them: matched as well,
    # a little lower ("renovaton" finds what "renovation" finds).
    also: str = ""
    # Only the documents of these pages, when not empty: what an alert matches among the newly published pages.
    within: tuple[int, ...] = ()
    # Meaning's threshold lowered (``Fusion.widened_threshold``): the second chance of a search that finds
    # fewer than a few results.
    widened: bool = False
    # Some word of the query is in no document (``service.prepared``): passages are highlighted where a word
    # matched with a typo only then. True for a request built directly (tests, alerts): as tolerant as can be.
    misspelt: bool = True

    @cached_property
    def also_parsed(self) -> "ParsedQuery | None":
        return parse_query(self.also) if self.also else None

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size

    @cached_property
    def parsed(self) -> "ParsedQuery":
        return parse_query(self.query)

    @property
    def uses_meaning(self) -> bool:
        """Whether the query is matched by meaning too: not when it asks for exact words ("quotes")."""
        if self.mode == "semantic":
            return True
        return self.mode == "hybrid" and not any(group.phrases for group in self.parsed.groups)


def clean_query(text: str) -> str:
    """Drop control characters and surplus whitespace; an over-long query is cut, not refused."""
    return " ".join(_CONTROL.sub(" ", text or "").split())[:MAX_QUERY_LENGTH]


def build_request(
    query: str = "",
    *,
    sort: str = "relevance",
    page: int = 1,
    page_size: int = 10,
    correct: bool = True,
    **filters: list[str] | tuple[str, ...] | None,
) -> SearchRequest:
    if sort not in SORTS:
        raise InvalidSearch("sort", f"sort must be one of {', '.join(SORTS)}")
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise InvalidSearch("page_size", f"page_size must be between 1 and {MAX_PAGE_SIZE}")
    if page < 1:
        raise InvalidSearch("page", "page must be 1 or more")
    if page * page_size > MAX_RESULT_WINDOW:
        raise InvalidSearch("page", f"page {page} is beyond the last {MAX_RESULT_WINDOW} results; refine the search")
    unknown = set(filters) - set(FACETS_BY_NAME)
    if unknown:
        raise InvalidSearch(sorted(unknown)[0], "unknown filter")
    cleaned = {}
    for facet, values in filters.items():
        values = tuple(dict.fromkeys(_clean_value(facet, value) for value in values or () if value))
        if values:
            cleaned[facet] = values
    return SearchRequest(clean_query(query), cleaned, sort, page, page_size, correct=correct)


def _clean_value(name: str, value: str) -> str:
    """Normalise a filter value; values that match nothing are allowed (they simply find nothing)."""
    facet = FACETS_BY_NAME[name]
    value = clean_query(str(value))[:100]
    if not facet.valid(value):
        raise InvalidSearch(name, f"{name} must be a whole number of at most {MAX_NUMBER_DIGITS} digits")
    return facet.normalise(value)


@dataclass
class QueryGroup:
    """One OR-alternative of a query: what it requires and what it excludes."""

    words: list[str] = field(default_factory=list)
    phrases: list[str] = field(default_factory=list)
    prefixes: list[str] = field(default_factory=list)
    excluded_words: list[str] = field(default_factory=list)
    excluded_phrases: list[str] = field(default_factory=list)

    @property
    def required(self) -> bool:
        return bool(self.words or self.phrases or self.prefixes)


@dataclass
class ParsedQuery:
    """The OR-alternatives of a query, and the terms beyond ``MAX_QUERY_TERMS`` that are not searched."""

    groups: list[QueryGroup]
    ignored: list[str]

    @property
    def words(self) -> int:
        """How many words, phrases and prefixes the query searches for."""
        return sum(len(g.words) + len(g.phrases) + len(g.prefixes) for g in self.groups)

    def syntax(self) -> str:
        """The query rewritten in canonical syntax: only words, quotes, ``*``, ``-`` and ``|``, no nesting.

        Backends that take a query language get this, never the raw text, so no input can build a deeply
        nested or oversized expression.
        """
        alternatives = []
        for group in self.groups:
            parts = [*group.words, *(f'"{p}"' for p in group.phrases), *(f"{p}*" for p in group.prefixes)]
            parts += [f"-{word}" for word in group.excluded_words]
            parts += [f'-"{phrase}"' for phrase in group.excluded_phrases]
            alternatives.append(" ".join(parts))
        return " | ".join(alternatives)


_CLAUSE = re.compile(r'(?P<negate>-?)(?:"(?P<phrase>[^"]*)"?|(?P<word>[^\s"]+))')
_WORD = re.compile(r"\w+")


def parse_query(text: str, max_terms: int = MAX_QUERY_TERMS) -> ParsedQuery:
    """Our syntax — words, "phrases", -exclusions, OR, prefix* — as groups of plain words.

    Punctuation is dropped here, so that no engine or database ever sees raw query syntax from this path.
    Terms after the first ``max_terms`` are collected in ``ignored``.
    """
    groups = [QueryGroup()]
    ignored: list[str] = []
    count = 0

    def take(target: list[str], term: str) -> None:
        nonlocal count
        if count >= max_terms:
            ignored.append(term)
            return
        count += 1
        target.append(term)

    for match in _CLAUSE.finditer(text):
        if match["word"] == "OR" and not match["negate"]:
            groups.append(QueryGroup())
            continue
        group = groups[-1]
        if match["phrase"] is not None:
            phrase = " ".join(_WORD.findall(match["phrase"]))
            if phrase:
                take(group.excluded_phrases if match["negate"] else group.phrases, phrase)
            continue
        words = _WORD.findall(match["word"])
        if match["negate"]:
            target = group.excluded_words
        elif match["word"].endswith("*") and len(words) == 1:
            target = group.prefixes
        else:
            target = group.words
        for word in words:
            take(target, word)
    groups = [group for group in groups if group.required or group.excluded_words or group.excluded_phrases]
    return ParsedQuery(groups, ignored)
