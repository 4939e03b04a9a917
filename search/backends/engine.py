"""The search engine as a backend: OpenSearch or Elasticsearch, through the transports in ``search/engine/``.

Every request body is built with elasticsearch-dsl. Documents live in versioned indices behind an alias, so a
rebuild fills a new index while searches keep using the old one.
"""

import json
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from itertools import islice

import numpy as np
from django.utils import timezone
from elasticsearch.dsl import A, Q, Search

from kb.content_types import RECORD_KINDS

from .. import analysis, embeddings, ranking, semantics
from ..conf import search_settings
from ..embeddings import get_embedder
from ..engine import EngineError, EngineUnavailable, SearchEngine
from ..facets import BY_NAME as FACETS_BY_NAME
from ..facets import FACETS
from ..mapping import LANGUAGES, knowledge_index, passage_fields
from ..models import IndexState
from ..query import MAX_RESULT_WINDOW, ParsedQuery, QueryGroup, SearchRequest
from ..ranking import Fusion
from ..results import SearchHit, SearchResponse, Suggestion, facet_values, hit_id, sanitise_highlight
from .base import BULK_SIZE, RebuildResult, SearchBackend

FACET_SIZE = 100
RECORD_TYPES = [kind.key for kind in RECORD_KINDS]
FOLDED_FIELDS = ["title^3", "summary^2", "content", "places"]
LANGUAGES_TTL = 60.0  # seconds a list of the index's languages is reused
QUERY_FLAGS = "AND|OR|NOT|PHRASE|PREFIX|PRECEDENCE|ESCAPE|WHITESPACE"
RETURNED_FIELDS = ["id", "page_id", "type", "title", "summary", "url", "language", "date", "display"]
# Short queries need every word, long ones (often questions) half of them.
MINIMUM_SHOULD_MATCH = "3<-1 5<50%"
_NEGATION = re.compile(r"(^|\s)-(?=\S)")


class EngineBackend(SearchBackend):
    def __init__(self, engine: SearchEngine):
        self.engine = engine
        self.name = engine.vendor.lower()

    @property
    def alias(self) -> str:
        return search_settings().alias

    # --- reading ----------------------------------------------------------------------------------------

    fusion = ranking.ENGINE

    def search(self, request: SearchRequest) -> SearchResponse:
        geometry = semantics.query_geometry(request.query) if request.uses_meaning else None
        bodies = build_search(request, self.indexed_languages(), geometry, self.fusion, self.name)
        found, counted = self.engine.search_many(self.alias, [bodies.hits, bodies.facets])
        hits = found["hits"]["hits"]
        if diversifies(request):  # the first results were fetched, to be diversified
            head = hits[: ranking.DIVERSIFY_WINDOW]
            order = ranking.diversified([record_of(hit["_source"]) for hit in head], [score(hit) for hit in head])
            hits = [head[position] for position in order] + hits[ranking.DIVERSIFY_WINDOW :]
            hits = hits[request.offset : request.offset + request.page_size]
        passages = {}
        if bodies.highlight and hits:
            highlighted = self.engine.search(self.alias, bodies.highlighting([hit["_id"] for hit in hits]))
            passages = {hit["_id"]: hit.get("highlight", {}) for hit in highlighted["hits"]["hits"]}
        counts = {
            facet.name: {
                bucket["key_as_string"] if "key_as_string" in bucket else str(bucket["key"]): bucket["doc_count"]
                for bucket in counted["aggregations"][facet.name]["values"]["buckets"]
            }
            for facet in FACETS
        }
        return SearchResponse(
            request=request,
            total=found["hits"]["total"]["value"],
            engine=self.name,
            results=[hit_from(hit, passages.get(hit["_id"], {})) for hit in hits],
            facets=facet_values(request, counts),
        )

    def suggest(self, text: str, limit: int = 8) -> list[Suggestion]:
        search = (
            Search()
            .query(Q("match", **{"title.autocomplete": {"query": text, "operator": "and"}}))
            .source(["id", "title", "url", "type", "display"])[:limit]
        )
        raw = self.engine.search(self.alias, search.to_dict())
        return [
            Suggestion(hit_id(source["id"], source["display"]), source["title"], source["url"], source["type"])
            for source in (hit["_source"] for hit in raw["hits"]["hits"])
        ]

    def related(self, page, limit: int = 5) -> list[SearchHit]:
        """Documents like the page's (more like this), not its own records (a plan's actions, which share its text)."""
        like = Q(
            "more_like_this",
            fields=["title", "summary", "content"],
            like=[{"_index": self.alias, "_id": str(page.pk)}],
            min_term_freq=1,
            min_doc_freq=1,
            max_query_terms=30,
            minimum_should_match="10%",
        )
        search = (
            Search()
            .query(Q("bool", must=[like], must_not=[Q("term", page_id=page.pk)]))
            .source(RETURNED_FIELDS)[:limit]
        )
        raw = self.engine.search(self.alias, search.to_dict())
        return [hit_from(raw_hit, {}) for raw_hit in raw["hits"]["hits"]]

    _languages_seen: dict[str, tuple[float, tuple[str, ...]]] = {}

    def indexed_languages(self) -> tuple[str, ...]:
        """Languages that documents in the index are written in (with a field of their own), briefly cached.

        Searching only these fields, not all of the EU's, halves the work of every query.
        """
        cached = self._languages_seen.get(self.alias)
        if cached and time.monotonic() - cached[0] < LANGUAGES_TTL:
            return cached[1]
        search = Search().extra(size=0)
        search.aggs.bucket("languages", A("terms", field="language", size=100))
        buckets = self.engine.search(self.alias, search.to_dict())["aggregations"]["languages"]["buckets"]
        languages = tuple(sorted(bucket["key"] for bucket in buckets if bucket["key"] in LANGUAGES))
        self._languages_seen[self.alias] = (time.monotonic(), languages)
        return languages

    # --- writing ----------------------------------------------------------------------------------------

    def write(self, documents: dict[int, list[dict]], removed: Iterable[int]) -> dict[int, str]:
        """Replace the documents of the pages in ``documents`` (by page id) and remove those of ``removed``,
        records' documents included; return the engine's reason for each page it refused a document of."""
        removed = list(removed)
        failures: dict[int, str] = {}
        for target in self.write_targets():
            try:
                operations = replacing(self.engine, target, documents, removed)
            except EngineUnavailable:
                raise
            except EngineError as error:  # what it holds is unknown (no index yet?): every page is retried
                failures.update(dict.fromkeys([*documents, *removed], str(error)))
                continue
            failures.update(send(self.engine, operations))
        return failures

    def write_targets(self) -> list[str]:
        """The alias, plus the index a running rebuild is filling, so that no change misses either."""
        state = IndexState.objects.filter(alias=self.alias).first()
        building = state.building_index if state and state.building_index else None
        return [self.alias] + ([building] if building else [])

    def rebuild(self, documents: Iterable[dict], progress: Callable | None, touched: Callable) -> RebuildResult:
        """Fill a new versioned index, then point the alias at it; searches use the old index until then.

        ``touched()`` gives the documents of pages changed while loading (read before their change, perhaps),
        which are written once more before the alias moves.
        """
        alias = self.alias
        name = f"{alias}-{timezone.now():%Y%m%d%H%M%S%f}"
        started = time.perf_counter()
        embedder = get_embedder()
        dimensions = embedder.dimensions if embedder else 0
        self.engine.create_index(name, knowledge_index(name, self.name, dimensions).to_dict())
        try:
            # From here on the worker writes changes to the new index too.
            IndexState.objects.update_or_create(
                alias=alias, defaults={"building_index": name, "building_since": timezone.now()}
            )
            count, failures = _bulk_load(self.engine, name, documents, progress)
            current, removed = touched()
            failures.update(send(self.engine, replacing(self.engine, name, current, removed)))
            self.engine.refresh(name)
            old = [index for index in self.engine.indices_for_alias(alias) if index != name]
            self.engine.point_alias(alias, name)
        except BaseException:
            self.engine.delete_index(name)
            raise
        finally:
            IndexState.objects.filter(alias=alias).update(building_index="", building_since=None)
        stale = sorted(set(old) | {i for i in self.engine.indices_matching(f"{alias}-*") if i != name})
        for index in stale:
            self.engine.delete_index(index)
        return RebuildResult(self.name, name, count, time.perf_counter() - started, stale, failures)

    def fingerprints(self) -> dict[str, str]:
        self.engine.refresh(self.alias)  # compare with every write made so far, not the last periodic refresh
        hits = self.engine.scan(self.alias, {"query": {"match_all": {}}, "_source": ["fingerprint"]})
        return {hit["_id"]: hit["_source"].get("fingerprint") for hit in hits}

    def refresh(self) -> None:
        self.engine.refresh(self.alias)


# --- queries ---------------------------------------------------------------------------------------------


def query_string(parsed: ParsedQuery) -> str:
    """The canonical syntax in ``simple_query_string``'s: an exclusion must hold whatever the operator."""
    return _NEGATION.sub(r"\1+-", parsed.syntax())


def language_fields(languages: tuple[str, ...]) -> list[str]:
    return [f"title_{code}^3" for code in languages] + [f"content_{code}" for code in languages]


def text_query(
    parsed: ParsedQuery, languages: tuple[str, ...] = tuple(LANGUAGES), relaxed: bool = False, typos: bool = True
) -> Q:
    """Three ways to match, any enough: the query syntax on the folded fields, the words of each alternative
    on the language fields (analysed whole, so that stemming and glossary phrases apply), and, with ``typos``,
    the longer words with a typo or two. Exclusions hold for all. ``relaxed``: any one word may match."""
    if not parsed.groups:
        return Q("match_none")  # punctuation only: nothing to search for
    minimum = "1" if relaxed else MINIMUM_SHOULD_MATCH
    syntax_text = query_string(parsed)
    syntax = Q(
        "simple_query_string",
        query=syntax_text,
        fields=FOLDED_FIELDS,
        default_operator="or",
        flags=QUERY_FLAGS,
        analyze_wildcard=True,
        lenient=True,
        **({} if "|" in syntax_text else {"minimum_should_match": minimum}),
    )
    fields = language_fields(languages)
    words = [group for group in parsed.groups if fields and (group.words or group.phrases)]
    language = [language_query(group, fields, minimum, relaxed) for group in words]
    lettered = ([w for w in group.words if w.isalpha()] for group in parsed.groups)
    with_typos = [typo_query(words, minimum) for words in lettered if words] if typos else []
    concepts = [concept_query(concept) for group in parsed.groups for concept in concepts_named(group)]
    return Q(
        "bool",
        should=[syntax, *language, *with_typos, *concepts],
        minimum_should_match=1,
        must_not=excluded(parsed, languages),
    )


def concepts_named(group: QueryGroup) -> list[str]:
    """The glossary concepts the group's words or phrases name."""
    named = [concept for _start, _length, concept in analysis.glossary_runs(group.words)]
    named += [concept for phrase in group.phrases if (concept := analysis.concept_named(phrase.split()))]
    return named


MEANINGLESS = 1e-6  # below any score meaning gives what stands out (weight × 0.01): the rest is not found by it
ALSO_BOOST = 0.8  # the query as the documents spell it counts a little less than the query as typed
CONCEPT_BOOST = 3.0  # about a word's BM25 score in a matching title


def concept_query(concept: str) -> Q:
    """Documents naming a glossary concept the query names, in whatever language they are written.

    The language fields rewrite glossary terms too, but only within the whole query, which must also match
    enough of its other words in that language; a named concept alone is good evidence of what a document is
    about.
    """
    return Q("constant_score", filter=Q("term", concepts=concept), boost=CONCEPT_BOOST)


def excluded(parsed: ParsedQuery, languages: tuple[str, ...]) -> list[Q]:
    """What the query's exclusions name, in any field: nothing that matches them is found, by words or meaning."""
    fields = FOLDED_FIELDS + language_fields(languages)
    return [
        Q("multi_match", query=term, fields=fields, type="phrase")
        for group in parsed.groups
        for term in group.excluded_words + group.excluded_phrases
    ]


def typo_query(words: list[str], minimum: str) -> Q:
    """The words with a typo: one edit from five letters, two from nine; short words must be right (fuzzy
    matching of "bus" or "tree" finds too much), and the first letter too; codes and numbers (anything with a
    digit) exactly. Worth less than an exact match."""
    return Q(
        "multi_match",
        query=" ".join(words),
        fields=["title^3", "summary^2", "content", "places"],
        fuzziness="AUTO:5,9",
        prefix_length=1,
        max_expansions=20,
        operator="or",
        minimum_should_match=minimum,
        boost=0.4,
    )


def language_query(group: QueryGroup, fields: list[str], minimum: str = MINIMUM_SHOULD_MATCH, relaxed=False) -> Q:
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
                minimum_should_match=minimum,
            )
        )
    if relaxed and group.phrases and group.words:  # the phrases must match, the words may
        return Q("bool", must=clauses[:-1], should=clauses[-1:])
    return Q("bool", must=clauses)


def matching(request: SearchRequest, languages, geometry, fusion: Fusion, vendor: str) -> Q:
    """Which documents a query finds, and how well: see ``search/ranking.py`` for how the evidence is fused."""
    if not request.query:
        return Q("match_all")
    # Matching with typos costs a third of a query at 100,000 documents (BENCHMARKS.md): only for a query some
    # word of which is in no document.
    lexical = text_query(request.parsed, languages, request.relaxed, typos=request.misspelt)
    if request.also_parsed:
        also = text_query(request.also_parsed, languages, request.relaxed)
        lexical = Q("bool", should=[lexical, Q("bool", must=[also], boost=ALSO_BOOST)], minimum_should_match=1)
    if geometry is None or not request.uses_meaning:
        return lexical
    clauses = [semantic_query(geometry, fusion, vendor, request)]
    if request.mode == "hybrid":
        lexical = Q("bool", must=[lexical], _name="lexical")
        saturation = fusion.saturation_for(request.parsed.words)
        saturated = {"source": "_score / (_score + params.k)", "params": {"k": saturation}}
        clauses.insert(0, Q("script_score", query=lexical, script=saturated))
    return Q("bool", should=clauses, minimum_should_match=1, must_not=excluded(request.parsed, languages))


def semantic_query(geometry, fusion: Fusion, vendor: str, request: SearchRequest) -> Q:
    """The ``ranking.NEIGHBOURS`` documents nearest to the query among those the filters allow, of which those
    whose similarity stands out by the threshold's standard deviations, scored by how far (``search/ranking.py``).

    A fixed number of neighbours, not every document above the threshold (a radial search): at 100,000
    documents a tenth of them stand out, and finding and counting them all took half a second a query. The
    filters are applied within the neighbour search, so that a narrow filter still gets its nearest documents;
    the facets' counts of other values then include only what words find there. Both engines score
    (1 + cosine) / 2; the script turns that into the z-score and leaves out (``min_score``) what does not stand
    out.
    """
    vector, mean, spread = geometry
    threshold = fusion.threshold_for(request.widened)
    vector = [float(value) for value in vector]
    allowed = [filter_clause(name, values) for name, values in request.filters.items()]
    if request.within:
        allowed.append(Q("terms", page_id=list(request.within)))
    within = {"filter": Q("bool", filter=allowed).to_dict()} if allowed else {}
    if vendor == "opensearch":
        knn = Q("knn", embedding={"vector": vector, "k": ranking.NEIGHBOURS, **within})
    else:
        knn = Q("knn", field="embedding", query_vector=vector, k=ranking.NEIGHBOURS, **within)
    stands_out = {
        "source": "double z = (2 * _score - 1 - params.mean) / params.spread;"
        " return z > params.z ? params.w * Math.max(0.01, (z - params.z) / params.s) : 0;",
        "params": {"w": fusion.weight, "mean": mean, "spread": spread, "z": threshold, "s": ranking.SPREAD},
    }
    return Q("script_score", query=knn, script=stands_out, min_score=MEANINGLESS, _name="semantic")


def filter_clause(name: str, values: tuple[str, ...]) -> Q:
    return Q("terms", **{FACETS_BY_NAME[name].field: list(values)})


@dataclass(frozen=True)
class SearchBodies:
    """One search as the engine is asked it, in two steps.

    First the hits (the query within the filters, sorted, the page or the first results to diversify) and the
    facets' counts (the same query unscored and without the filters: each facet counts under the other facets'
    filters), sent together (``_msearch``) so that the engine works on both at once. Then the passages of the
    hits shown, known only once the first results are diversified: highlighting all 30 fetched, and scoring
    every document the words match before a post filter dropped most of them, cost half of a search at 100,000
    documents (BENCHMARKS.md).
    """

    hits: dict
    facets: dict
    highlight: dict | None  # the highlighting asked for the hits shown; ``None`` without a query

    def highlighting(self, ids: list[str]) -> dict:
        """The request for the passages of these documents that matched the query best."""
        shown = Search().query(Q("ids", values=ids)).source(False)
        return shown.extra(size=len(ids), highlight=self.highlight).to_dict()


def build_search(
    request: SearchRequest,
    languages: tuple[str, ...] = tuple(LANGUAGES),
    geometry=None,
    fusion: Fusion = ranking.ENGINE,
    vendor: str = "opensearch",
) -> SearchBodies:
    """The request bodies of a search: the matching (words, meaning or both), facets, highlights and paging.

    ``geometry``: the query's language-neutral vector with the mean and spread of its similarities
    (``semantics.query_geometry``), or ``None`` to match words only.
    """
    matched = matching(request, languages, geometry, fusion, vendor)
    # Editors' picks rank a little higher when they match at all; records (actions) lower, as in the database.
    weights = [{"filter": Q("term", editors_pick=True), "weight": 1.2}]
    if ranking.PROVEN_WEIGHT != 1.0:  # what worked in another city, a little higher, as in the database
        weights.append({"filter": Q("term", reuse="proven"), "weight": ranking.PROVEN_WEIGHT})
    if request.query and ranking.RECORD_WEIGHT != 1.0:
        weights.append({"filter": Q("terms", type=RECORD_TYPES), "weight": ranking.RECORD_WEIGHT})
    ranked = Q("function_score", query=matched, functions=weights)
    # ``within`` restricts what is searched, unlike the filters: the facets count within it too.
    within = [Q("terms", page_id=list(request.within))] if request.within else []
    all_filters = [filter_clause(name, values) for name, values in request.filters.items()]
    hits = Search().query(Q("bool", must=[ranked], filter=within + all_filters) if within + all_filters else ranked)
    hits = hits.source(RETURNED_FIELDS).extra(track_total_hits=True)
    if request.sort == "newest":
        hits = hits.sort({"date": {"order": "desc", "missing": "_last"}}, "_score")
    else:
        hits = hits.sort("_score", {"date": {"order": "desc", "missing": "_last"}})
    start, stop = fetched(request)
    facets = Search().query(Q("constant_score", filter=Q("bool", must=[matched], filter=within)))
    facets = facets.extra(size=0, track_total_hits=False)
    for facet in FACETS:
        others = [filter_clause(name, values) for name, values in request.filters.items() if name != facet.name]
        bucket = A("filter", filter=Q("bool", filter=others) if others else Q("match_all"))
        bucket.bucket("values", A("terms", field=facet.field, size=FACET_SIZE))
        facets.aggs.bucket(facet.name, bucket)
    highlight = None
    if request.query:
        passages = Search().highlight_options(
            pre_tags=["<mark>"],
            post_tags=["</mark>"],
            encoder="html",
            number_of_fragments=1,
            fragment_size=180,
            no_match_size=0,
            require_field_match=False,
            order="score",  # the passage that matched best, not the first that matched (often the summary)
            # Highlighting the words as matched with a typo costs as much as the rest of a query at 100,000
            # documents (BENCHMARKS.md): only for a query some word of which is in no document.
            highlight_query=text_query(request.parsed, languages, relaxed=True, typos=request.misspelt).to_dict(),
        )
        highlight = passages.highlight(*passage_fields(languages)).to_dict()["highlight"]
    return SearchBodies(hits[start:stop].to_dict(), facets.to_dict(), highlight)


def diversifies(request: SearchRequest) -> bool:
    """Whether the page asked for begins in the first results, which are diversified (``ranking.diversified``)."""
    return request.sort == "relevance" and request.offset < ranking.DIVERSIFY_WINDOW


def fetched(request: SearchRequest) -> tuple[int, int]:
    """Which results to fetch: the page asked for, or, when it begins in the diversified window, every result
    from the first to the end of the window or of the page."""
    stop = request.offset + request.page_size
    if diversifies(request):
        return 0, max(stop, ranking.DIVERSIFY_WINDOW)
    return request.offset, stop


def record_of(source: dict) -> int | None:
    """The page whose record the document is (an action's plan), or ``None`` for a page's own document."""
    page_id = source.get("page_id")  # absent from an index built before records had documents
    return None if page_id is None or source["id"] == str(page_id) else page_id


def score(raw_hit: dict) -> float:
    """A hit's relevance (sorted by ``_score`` first, the engine gives it as the first sort value too)."""
    value = raw_hit.get("_score")
    return float(value if value is not None else raw_hit["sort"][0])


def hit_from(raw_hit: dict, highlight: dict) -> SearchHit:
    """The hit as results show it; ``highlight``: its passages that matched, by field."""
    source = raw_hit["_source"]
    fragments = [fragment for values in highlight.values() for fragment in values]
    matched = raw_hit.get("matched_queries", [])
    return SearchHit(
        id=hit_id(source["id"], source["display"]),
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
        by_meaning=matched == ["semantic"],
        plan=source["display"].get("plan"),
        status=source["display"].get("status"),
        key=source["id"],
    )


# --- bulk writes -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Operation:
    page_id: int  # the page whose documents it writes: a failure is that page's, and its outbox entry retries
    document_id: str
    payload: bytes


def engine_source(document: dict, vector=None) -> dict:
    """The document as the index holds it: its title and text copied to its language's fields, its vector
    (language-neutral already: ``neutral_vectors``)."""
    source = dict(document)
    if (language := document.get("language")) in LANGUAGES:
        source[f"title_{language}"], source[f"content_{language}"] = document["title"], document["content"]
    if vector is not None:
        # Six decimals in float64, so that the JSON holds "0.012345" and not float32's "0.012345000170171261".
        source["embedding"] = np.round(vector.astype(np.float64), 6).tolist()
    return source


def neutral_vectors(keys: Iterable[str]) -> dict[str, np.ndarray]:
    """The stored vectors of these embedding keys, language-neutral (``semantics.neutral``), as one matrix."""
    stored = embeddings.vectors(keys)
    if not stored:
        return {}
    return dict(zip(stored, semantics.neutral(np.stack(list(stored.values()))), strict=True))


def encode(action: str, index: str, document_id, document: dict | None = None, vector=None, **meta) -> bytes:
    """One bulk operation as NDJSON lines, encoded once: its size decides how requests are split."""
    header = json.dumps({action: {"_index": index, "_id": str(document_id), **meta}}, separators=(",", ":"))
    if document is None:
        return f"{header}\n".encode()
    source = json.dumps(engine_source(document, vector), separators=(",", ":"), ensure_ascii=False)
    return f"{header}\n{source}\n".encode()


def bulk_operations(index: str, documents: Iterable[dict], removed: dict[str, int] | None = None) -> list[Operation]:
    """Deletions first (``removed``: document id → its page's id), so that no document the engine refuses can
    hold back a page leaving the index; then the documents, each page's records before the page's own.

    Documents carry their stored vectors; one not computed yet is indexed without, and again once it is.
    """
    documents = list(documents)
    # Writing through the alias must never create an index of that name with a guessed mapping.
    through_alias = {"require_alias": True} if index == search_settings().alias else {}
    with_vectors = get_embedder() is not None  # the index has a vector field only with an embedder
    keys = (doc["embedding_key"] for doc in documents if doc.get("embedding_key")) if with_vectors else ()
    stored = neutral_vectors(keys)
    operations = [
        Operation(page_id, document_id, encode("delete", index, document_id))
        for document_id, page_id in (removed or {}).items()
    ]
    # A page's document lists its records' (``parts``): written last, it never names a record not yet sent.
    for doc in sorted(documents, key=lambda doc: doc["id"] == str(doc["page_id"])):
        vector = stored.get(doc.get("embedding_key"))
        payload = encode("index", index, doc["id"], doc, vector, **through_alias)
        operations.append(Operation(doc["page_id"], doc["id"], payload))
    return operations


def replacing(engine: SearchEngine, index: str, documents: dict[int, list[dict]], removed: list[int]) -> list:
    """Operations that make ``index`` hold exactly ``documents`` of these pages (by page id) and nothing of the
    ``removed`` pages: whatever it holds of them and is no longer current (a record taken out of its page, the
    records of a page unpublished) is deleted."""
    current = {doc["id"] for page_documents in documents.values() for doc in page_documents}
    held = held_documents(engine, index, [*documents, *removed])
    stale = {document_id: page_id for document_id, page_id in held.items() if document_id not in current}
    flat = [doc for page_documents in documents.values() for doc in page_documents]
    return bulk_operations(index, flat, stale)


def held_documents(engine: SearchEngine, index: str, page_ids: list[int]) -> dict[str, int]:
    """Document id → page id of every document ``index`` holds of these pages.

    Two ways, because a search sees only what the last refresh made visible: each page's own document, read by
    id (which is real-time), names its records' (``parts``), even those written a moment ago; and a search by
    ``page_id`` finds any the page's document no longer names (written by a batch that failed half-way).
    """
    if not page_ids:
        return {}
    held: dict[str, int] = {}
    for found in engine.get_many(index, [str(page_id) for page_id in page_ids], ["parts"]):
        held[found["_id"]] = int(found["_id"])
        held.update(dict.fromkeys(found["_source"].get("parts", []), int(found["_id"])))
    body = {"query": {"terms": {"page_id": page_ids}}, "_source": ["page_id"], "size": MAX_RESULT_WINDOW}
    hits = engine.search(index, body)["hits"]["hits"]
    if len(hits) >= MAX_RESULT_WINDOW:  # perhaps more than a search returns: read them all
        hits = engine.scan(index, {"query": body["query"], "_source": ["page_id"]})
    held.update({hit["_id"]: hit["_source"]["page_id"] for hit in hits})
    return held


def send(engine: SearchEngine, operations: list[Operation], *, refresh: bool | str = False) -> dict[int, str]:
    """Send operations in requests of bounded size; return the engine's reason for each page it refused.

    A request the engine refuses as a whole (413 for a body over its limit, say) is split in halves and the
    halves sent again, down to the single operation at fault: one bad document fails alone, with the
    engine's own words recorded against it. An unreachable engine is not any document's fault and is raised.
    """
    failures: dict[int, str] = {}
    for chunk in _chunks(operations, search_settings().bulk_max_bytes):
        failures.update(_send_chunk(engine, chunk, refresh))
    return failures


def _chunks(operations: list[Operation], max_bytes: int) -> Iterator[list[Operation]]:
    chunk: list[Operation] = []
    size = 0
    for operation in operations:
        if chunk and (size + len(operation.payload) > max_bytes or len(chunk) >= BULK_SIZE):
            yield chunk
            chunk, size = [], 0
        chunk.append(operation)
        size += len(operation.payload)
    if chunk:
        yield chunk


def _send_chunk(engine: SearchEngine, chunk: list[Operation], refresh) -> dict[int, str]:
    try:
        response = engine.bulk(b"".join(operation.payload for operation in chunk), refresh=refresh)
    except EngineUnavailable:
        raise
    except EngineError as error:
        if len(chunk) == 1:
            return {chunk[0].page_id: str(error)}
        middle = len(chunk) // 2
        return {**_send_chunk(engine, chunk[:middle], refresh), **_send_chunk(engine, chunk[middle:], refresh)}
    return failed_ids(response, {operation.document_id: operation.page_id for operation in chunk})


def failed_ids(response: dict, pages: dict[str, int]) -> dict[int, str]:
    """Page ids (``pages``: document id → page id) whose bulk item failed (a delete of a missing document is a
    success)."""
    failures = {}
    for item in response.get("items", []):
        ((action, result),) = item.items()
        if result.get("status", 500) >= 300 and not (action == "delete" and result.get("status") == 404):
            failures[pages[result["_id"]]] = str(result.get("error", result.get("status")))
    return failures


def _bulk_load(engine, index: str, documents: Iterable[dict], progress) -> tuple[int, dict[int, str]]:
    """Send documents in batches; the engine indexes one batch while the next is being built and encoded.

    Returns how many documents were indexed (not counting any of a page refused in part) and the failures.
    """
    per_page: Counter = Counter()
    failures: dict[int, str] = {}
    documents = iter(documents)
    with ThreadPoolExecutor(max_workers=1) as sender:
        in_flight = None
        while batch := list(islice(documents, BULK_SIZE)):
            operations = bulk_operations(index, batch)
            if in_flight is not None:
                failures.update(in_flight.result())
            in_flight = sender.submit(send, engine, operations)
            per_page.update(doc["page_id"] for doc in batch)
            if progress:
                progress(len(batch))
        if in_flight is not None:
            failures.update(in_flight.result())
    return sum(count for page_id, count in per_page.items() if page_id not in failures), failures
