"""Searching the index: every request body is built with elasticsearch-dsl and sent by the engine transport."""

import re
import time

from elasticsearch.dsl import A, Q, Search

from .conf import search_settings
from .engine import SearchEngine
from .mapping import LANGUAGES
from .query import FACETS, ParsedQuery, QueryGroup, SearchRequest
from .results import SearchHit, SearchResponse, facet_values, sanitise_highlight

FACET_FIELDS = {
    "type": "type",
    "country": "country",
    "city": "city",
    "role": "role",
    "cohort": "cohort",
    "theme": "themes",
    "language": "language",
    "year": "year",
}
FACET_SIZE = 100
FOLDED_FIELDS = ["title^3", "summary^2", "content"]
LANGUAGES_TTL = 60.0  # seconds a list of the index's languages is reused
QUERY_FLAGS = "AND|OR|NOT|PHRASE|PREFIX|PRECEDENCE|ESCAPE|WHITESPACE"
RETURNED_FIELDS = ["id", "type", "title", "summary", "url", "language", "date", "display"]
_NEGATION = re.compile(r"(^|\s)-(?=\S)")


def query_string(parsed: ParsedQuery) -> str:
    """The canonical syntax in ``simple_query_string``'s: an exclusion must hold whatever the operator."""
    return _NEGATION.sub(r"\1+-", parsed.syntax())


# Short queries need every word, long ones (often questions) half of them.
MINIMUM_SHOULD_MATCH = "3<-1 5<50%"


_languages_seen: dict[str, tuple[float, tuple[str, ...]]] = {}


def indexed_languages(engine: SearchEngine) -> tuple[str, ...]:
    """Languages that documents in the index are written in (with a field of their own), briefly cached.

    Searching only these fields, not all of the EU's, halves the work of every query.
    """
    alias = search_settings().alias
    cached = _languages_seen.get(alias)
    if cached and time.monotonic() - cached[0] < LANGUAGES_TTL:
        return cached[1]
    search = Search().extra(size=0)
    search.aggs.bucket("languages", A("terms", field="language", size=100))
    buckets = engine.search(alias, search.to_dict())["aggregations"]["languages"]["buckets"]
    languages = tuple(sorted(bucket["key"] for bucket in buckets if bucket["key"] in LANGUAGES))
    _languages_seen[alias] = (time.monotonic(), languages)
    return languages


def language_fields(languages: tuple[str, ...]) -> list[str]:
    return [f"title_{code}^3" for code in languages] + [f"content_{code}" for code in languages]


def text_query(parsed: ParsedQuery, languages: tuple[str, ...] = tuple(LANGUAGES)) -> Q:
    """Two ways to match, either enough: the query syntax on the folded fields, and the words of each
    alternative on the language fields, analysed whole so that stemming and glossary phrases apply.
    Exclusions hold for both."""
    if not parsed.groups:
        return Q("match_none")  # punctuation only: nothing to search for
    syntax_text = query_string(parsed)
    syntax = Q(
        "simple_query_string",
        query=syntax_text,
        fields=FOLDED_FIELDS,
        default_operator="or",
        flags=QUERY_FLAGS,
        analyze_wildcard=True,
        lenient=True,
        **({} if "|" in syntax_text else {"minimum_should_match": MINIMUM_SHOULD_MATCH}),
    )
    groups = parsed.groups
    fields = language_fields(languages)
    language = [language_query(group, fields) for group in groups if fields and (group.words or group.phrases)]
    excluded = [
        Q("multi_match", query=term, fields=FOLDED_FIELDS + fields, type="phrase")
        for group in groups
        for term in group.excluded_words + group.excluded_phrases
    ]
    return Q("bool", should=[syntax, *language], minimum_should_match=1, must_not=excluded)


def language_query(group: QueryGroup, fields: list[str]) -> Q:
    # A phrase needs all its words here, not their order: positional matching over every language field and
    # its glossary expansions cost four times the rest of the query at 100k documents. The folded fields still
    # match the phrase exactly.
    clauses = [Q("multi_match", query=phrase, fields=fields, operator="and") for phrase in group.phrases]
    if group.words:
        clauses.append(
            Q(
                "multi_match",
                query=" ".join(group.words),
                fields=fields,
                operator="or",
                minimum_should_match=MINIMUM_SHOULD_MATCH,
            )
        )
    return Q("bool", must=clauses)


def filter_clause(facet: str, values: tuple[str, ...]) -> Q:
    return Q("terms", **{FACET_FIELDS[facet]: list(values)})


def build_search(request: SearchRequest, languages: tuple[str, ...] = tuple(LANGUAGES)) -> Search:
    # Editors' picks rank a little higher when they match at all.
    query = Q(
        "bool",
        must=[text_query(request.parsed, languages) if request.query else Q("match_all")],
        should=[Q("term", editors_pick={"value": True, "boost": 2})],
    )
    search = Search().query(query).source(RETURNED_FIELDS).extra(track_total_hits=True)
    all_filters = [filter_clause(facet, values) for facet, values in request.filters.items()]
    if all_filters:
        # A post filter narrows the hits but not the aggregations, which apply their own filters below.
        search = search.post_filter(Q("bool", filter=all_filters))
    for facet in FACETS:
        others = [filter_clause(f, v) for f, v in request.filters.items() if f != facet]
        bucket = A("filter", filter=Q("bool", filter=others) if others else Q("match_all"))
        bucket.bucket("values", A("terms", field=FACET_FIELDS[facet], size=FACET_SIZE))
        search.aggs.bucket(facet, bucket)
    if request.sort == "newest":
        search = search.sort({"date": {"order": "desc", "missing": "_last"}}, "_score")
    else:
        search = search.sort("_score", {"date": {"order": "desc", "missing": "_last"}})
    if request.query:
        search = search.highlight_options(
            pre_tags=["<mark>"],
            post_tags=["</mark>"],
            encoder="html",
            number_of_fragments=1,
            fragment_size=180,
            no_match_size=0,
            require_field_match=False,
        ).highlight("content", "summary", *[f"content_{code}" for code in languages])
        search = search.suggest("did_you_mean", request.query, term={"field": "content", "suggest_mode": "missing"})
    return search[request.offset : request.offset + request.page_size]


def search_engine(engine: SearchEngine, request: SearchRequest) -> SearchResponse:
    body = build_search(request, indexed_languages(engine)).to_dict()
    raw = engine.search(search_settings().alias, body)
    total = raw["hits"]["total"]["value"]
    counts = {
        facet: {
            bucket["key_as_string"] if "key_as_string" in bucket else str(bucket["key"]): bucket["doc_count"]
            for bucket in raw["aggregations"][facet]["values"]["buckets"]
        }
        for facet in FACETS
    }
    return SearchResponse(
        request=request,
        total=total,
        engine=engine.vendor.lower(),
        results=[hit_from(raw_hit) for raw_hit in raw["hits"]["hits"]],
        facets=facet_values(request, counts),
        suggestion=suggestion(request.query, raw.get("suggest", {}).get("did_you_mean", []), total),
    )


def hit_from(raw_hit: dict) -> SearchHit:
    source = raw_hit["_source"]
    fragments = [fragment for values in raw_hit.get("highlight", {}).values() for fragment in values]
    return SearchHit(
        id=int(source["id"]),
        slug=source["display"]["slug"],
        type=source["type"],
        title=source["title"],
        url=source["url"],
        summary=source.get("summary") or "",
        highlight=sanitise_highlight(fragments[0]) if fragments else "",
        city=source["display"]["city"],
        themes=source["display"]["themes"],
        language=source["language"],
        date=source.get("date"),
    )


def suggestion(query: str, entries: list[dict], total: int) -> str | None:
    """A corrected query when the search found little and the engine knows better spellings."""
    if total >= 3 or not entries:
        return None
    corrected, changed = query, False
    for entry in reversed(entries):  # right to left, so that offsets stay valid
        if entry["options"]:
            start, end = entry["offset"], entry["offset"] + entry["length"]
            corrected = corrected[:start] + entry["options"][0]["text"] + corrected[end:]
            changed = True
    return corrected if changed else None


def suggest_titles(engine: SearchEngine, text: str, limit: int = 8) -> list[dict]:
    search = (
        Search()
        .query(Q("match", **{"title.autocomplete": {"query": text, "operator": "and"}}))
        .source(["id", "title", "url", "type"])[:limit]
    )
    raw = engine.search(search_settings().alias, search.to_dict())
    return [
        {
            "id": int(h["_source"]["id"]),
            "title": h["_source"]["title"],
            "url": h["_source"]["url"],
            "type": h["_source"]["type"],
        }
        for h in raw["hits"]["hits"]
    ]


def related(engine: SearchEngine, page_id: int, limit: int = 5) -> list[SearchHit]:
    alias = search_settings().alias
    search = (
        Search()
        .query(
            Q(
                "more_like_this",
                fields=["title", "summary", "content"],
                like=[{"_index": alias, "_id": str(page_id)}],
                min_term_freq=1,
                min_doc_freq=1,
                max_query_terms=30,
                minimum_should_match="10%",
            )
        )
        .source(RETURNED_FIELDS)[:limit]
    )
    raw = engine.search(alias, search.to_dict())
    return [hit_from(raw_hit) for raw_hit in raw["hits"]["hits"]]
