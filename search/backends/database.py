"""The database as a search backend: the zero-setup default and the engine's fallback.

Documents are rows of ``SearchDocument`` with their terms in the database's own full-text index; matching
happens there, one small query per query term, and everything else (the minimum of terms to match, filters,
disjunctive facet counts, ordering, snippets) in Python over the documents' facet columns. At the scale a
database-only site serves (and the 10,000 documents the benchmarks try) that is a few tens of milliseconds.
"""

import html
import math
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from django.db import connection, transaction

from .. import analysis, ranking, semantics
from ..facets import BY_NAME as FACETS_BY_NAME
from ..facets import FACETS
from ..models import SearchDocument
from ..query import QueryGroup, SearchRequest
from ..results import SearchHit, SearchResponse, Suggestion, facet_values, hit_id
from .base import BULK_SIZE, RebuildResult, SearchBackend
from .columns import changed, columns
from .fulltext import Alternative, fulltext

LANGUAGES_TTL = 60.0
SNIPPET_LENGTH = 180
EDITORS_PICK_BOOST = 1.2
ALSO_WEIGHT = 0.8  # the query as the documents spell it counts a little less than the query as typed
TITLE_WEIGHT = 3.0  # a title match counts three times a body match, as in the engine


def minimum_to_match(count: int) -> int:
    """The engine's rule ("3<-1 5<50%"): up to 3 terms all of them, up to 5 all but one, then half."""
    if count <= 3:
        return count
    if count <= 5:
        return count - 1
    return max(1, count // 2)


class DatabaseBackend(SearchBackend):
    name = "database"

    # --- reading ----------------------------------------------------------------------------------------

    fusion = ranking.DATABASE

    def search(self, request: SearchRequest) -> SearchResponse:
        table = columns()
        scores, matched, by_meaning = self.match(table, request)
        if request.within:
            matched &= np.isin(table.page_ids, request.within)
        masks = {
            name: table.facets[FACETS_BY_NAME[name].field].mask(values) for name, values in request.filters.items()
        }
        counts = {}
        for facet in FACETS:  # disjunctive: each facet counted under every filter but its own
            among = matched.copy()
            for name, mask in masks.items():
                if name != facet.name:
                    among &= mask
            counts[facet.name] = table.facets[facet.field].counts(among)
        selected = matched.copy()
        for mask in masks.values():
            selected &= mask
        ordered = _order(table, np.flatnonzero(selected), scores, request.sort)
        if request.sort == "relevance":  # without a query every document counts the same (the engine's 1)
            relevance = scores * _weights(table, np.arange(len(table))) if request.query else np.ones(len(table))
            ordered = _diversified(table, ordered, relevance)
        window = ordered[request.offset : request.offset + request.page_size]
        return SearchResponse(
            request=request,
            total=len(ordered),
            engine=self.name,
            results=self.hits([int(table.ids[position]) for position in window], request, table, by_meaning),
            facets=facet_values(request, counts),
        )

    def match(self, table, request: SearchRequest) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Scores of every document, which ones the query finds, and which of those by meaning alone.

        Words and meaning are fused as ``search/ranking.py`` says; without a query every document is found.
        """
        scores = np.zeros(len(table))
        if not request.query:
            return scores, np.ones(len(table), dtype=bool), np.zeros(len(table), dtype=bool)
        lexical = np.zeros(len(table), dtype=bool)
        if request.mode != "semantic":
            for pk, score in self.text_scores(request).items():
                if (position := table.position.get(pk)) is not None:
                    lexical[position], scores[position] = True, score
            if request.mode == "hybrid":
                saturation = self.fusion.saturation_for(request.parsed.words)
                scores = np.where(lexical, scores / (scores + saturation), 0.0)
        semantic = np.zeros(len(table), dtype=bool)
        use = request.uses_meaning and table.has_vector.any()
        geometry = semantics.query_geometry(request.query) if use else None
        if geometry is not None:
            vector, mean, spread = geometry
            z = (table.vectors @ vector - mean) / spread
            threshold = self.fusion.threshold_for(request.widened)
            semantic = table.has_vector & (z > threshold) & ~self.excluded(table, request)
            stands_out = self.fusion.weight * np.maximum(0.01, (z - threshold) / ranking.SPREAD)
            scores = scores + np.where(semantic, stands_out, 0.0)
        return scores, lexical | semantic, semantic & ~lexical

    def excluded(self, table, request: SearchRequest) -> np.ndarray:
        """Documents the query's exclusions name: found by meaning or not, they stay out."""
        excluded = np.zeros(len(table), dtype=bool)
        languages = self.languages()
        with connection.cursor() as cursor:
            engine = fulltext()
            for group in request.parsed.groups:
                units = [[Alternative((term,)) for term in analysis.word_variants(word, languages)]
                         for word in group.excluded_words]  # fmt: skip
                units += [
                    [Alternative(t) for t in analysis.phrase_variants(p, languages)] for p in group.excluded_phrases
                ]
                for unit in units:
                    for pk in engine.match(cursor, unit):
                        if (position := table.position.get(pk)) is not None:
                            excluded[position] = True
        return excluded

    def text_scores(self, request: SearchRequest) -> dict[int, float]:
        """Document id → score of the documents the query's text matches."""
        languages = self.languages()
        scores: dict[int, float] = {}
        with connection.cursor() as cursor:
            engine = fulltext()
            table = columns()
            groups = [(group, 1.0) for group in request.parsed.groups]
            groups += [(group, ALSO_WEIGHT) for group in (request.also_parsed.groups if request.also_parsed else [])]
            for group, weight in groups:
                found = _group_scores(cursor, engine, group, languages, table, request.relaxed)
                for pk, score in found.items():
                    scores[pk] = max(scores.get(pk, 0.0), score * weight)
        return scores

    def hits(self, ids: list[int], request=None, table=None, by_meaning=None) -> list[SearchHit]:
        documents = SearchDocument.objects.in_bulk(ids)
        wanted = _highlight_terms(request.parsed.groups, self.languages()) if request and request.query else {}
        meaning_only = {int(table.ids[p]) for p in np.flatnonzero(by_meaning)} if by_meaning is not None else set()
        return [_hit(documents[pk], wanted, pk in meaning_only) for pk in ids if pk in documents]

    def suggest(self, text: str, limit: int = 8) -> list[Suggestion]:
        documents = SearchDocument.objects.filter(title_folded__contains=analysis.fold(text)).order_by("title")
        return [Suggestion(hit_id(doc.key, doc.display), doc.title, doc.url, doc.type) for doc in documents[:limit]]

    def related(self, page, limit: int = 5) -> list[SearchHit]:
        """Documents sharing the most themes with ``page`` (not its own records: a plan's actions)."""
        own = SearchDocument.objects.filter(key=str(page.pk)).values_list("themes", flat=True).first()
        if not own:
            return []
        shared = {
            pk: len(set(themes) & set(own))
            for pk, themes in SearchDocument.objects.exclude(page_id=page.pk).values_list("id", "themes")
        }
        best = sorted((pk for pk, count in shared.items() if count), key=lambda pk: (-shared[pk], -pk))[:limit]
        return self.hits(best)

    def knows(self, word: str) -> bool:
        """Whether any document contains the word, in any of its forms."""
        with connection.cursor() as cursor:
            variants = [Alternative((term,)) for term in analysis.word_variants(word, self.languages())]
            return bool(fulltext().match(cursor, variants))

    def missing_words(self, words: list[str], keys: list[str]) -> list[str]:
        """Those of ``words`` that none of these documents (by id) contains, in any form: what a relaxed search
        dropped."""
        languages = self.languages()
        present: set[str] = set()
        documents = SearchDocument.objects.filter(key__in=keys)
        for doc in documents.only("title", "summary", "content", "places", "language"):
            text = f"{doc.title} {doc.summary} {doc.content} {doc.places}"
            present |= {_forms(token, doc.language)[1] for token in analysis.tokens(text)} | set(analysis.tokens(text))
        return [word for word in words if not set(analysis.word_variants(word, languages)) & present]

    _languages_seen: tuple[float, tuple[str, ...]] | None = None

    def languages(self) -> tuple[str, ...]:
        """Languages the documents are written in: a query word is stemmed in each of them (briefly cached)."""
        cached = DatabaseBackend._languages_seen
        if cached and time.monotonic() - cached[0] < LANGUAGES_TTL:
            return cached[1]
        languages = tuple(sorted(set(SearchDocument.objects.values_list("language", flat=True).distinct())))
        DatabaseBackend._languages_seen = (time.monotonic(), languages)
        return languages

    # --- writing ----------------------------------------------------------------------------------------

    def write(self, documents: dict[int, list[dict]], removed: Iterable[int]) -> dict[int, str]:
        """Every document of the pages written or removed goes, and the written pages' documents come back: a
        record no longer in its page leaves with the rest."""
        with transaction.atomic(), connection.cursor() as cursor:
            _delete(cursor, SearchDocument.objects.filter(page_id__in={*documents, *removed}))
            _insert(cursor, [document for page_documents in documents.values() for document in page_documents])
            changed()
        return {}

    def rebuild(self, documents: Iterable[dict], progress: Callable | None, touched: Callable) -> RebuildResult:
        started = time.perf_counter()
        count = 0
        with transaction.atomic(), connection.cursor() as cursor:
            _delete(cursor, SearchDocument.objects.all())
            batch = []
            for document in documents:
                batch.append(document)
                if len(batch) == BULK_SIZE:
                    _insert(cursor, batch)
                    count += len(batch)
                    progress and progress(len(batch))
                    batch = []
            _insert(cursor, batch)
            count += len(batch)
            progress and batch and progress(len(batch))
            changed()
        return RebuildResult(self.name, SearchDocument._meta.db_table, count, time.perf_counter() - started)

    def fingerprints(self) -> dict[str, str]:
        return dict(SearchDocument.objects.values_list("key", "fingerprint"))


def _delete(cursor, rows) -> None:
    ids = list(rows.values_list("id", flat=True))
    fulltext().remove(cursor, ids)
    SearchDocument.objects.filter(id__in=ids).delete()


def _insert(cursor, documents: Iterable[dict]) -> None:
    documents = list(documents)
    if not documents:
        return
    rows = SearchDocument.objects.bulk_create(_row(document) for document in documents)
    terms = []
    for row, document in zip(rows, documents, strict=True):
        language = document["language"]
        body = f"{document['summary']} {document['content']} {document['places']}"
        terms.append((row.id, analysis.index_terms(document["title"], language), analysis.index_terms(body, language)))
    fulltext().store(cursor, terms)


def _row(document: dict) -> SearchDocument:
    return SearchDocument(
        key=document["id"],
        page_id=document["page_id"],
        type=document["type"],
        title=document["title"],
        title_folded=analysis.fold(document["title"])[:255],
        summary=document["summary"] or "",
        content=document["content"],
        city=document["city"] or "",
        country=document["country"] or "",
        role=document["role"] or "",
        cohort=document["cohort"] or "",
        themes=document["themes"],
        partner_cities=document["partner_cities"],
        language=document["language"],
        date=document["date"],
        year=document["year"] or "",
        url=document["url"],
        editors_pick=document["editors_pick"],
        display=document["display"],
        places=document["places"],
        concepts=document["concepts"],
        embedding_key=document["embedding_key"],
        parts=document["parts"],
        reuse=document["reuse"],
        fingerprint=document["fingerprint"],
    )


# --- matching --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Unit:
    """What one query term is met by: any of its alternatives in the text, or, for a term that names a glossary
    concept, any document that names the concept in its own language."""

    alternatives: tuple[Alternative, ...]
    concept: str | None = None

    def match(self, cursor, engine, table) -> dict[int, bool]:
        """Document id → whether in the title, for the documents this unit meets."""
        found = engine.match(cursor, list(self.alternatives))
        if self.concept is not None:
            for position in np.flatnonzero(table.facets["concepts"].mask([self.concept])):
                found.setdefault(int(table.ids[position]), False)
        return found


def _units(group: QueryGroup, languages) -> tuple[list[Unit], list[Unit]]:
    """The group's words, prefixes and phrases as units: (units that count towards the minimum, units required).

    A run of words that names a glossary concept is one unit, met by the words as a phrase or by documents
    naming the concept in any language, so "heat pump" finds a German lesson on Wärmepumpen as the engine does.
    """
    counted: list[Unit] = []
    words = group.words
    runs = {start: (length, concept) for start, length, concept in analysis.glossary_runs(words)}
    position = 0
    while position < len(words):
        if position in runs:
            length, concept = runs[position]
            counted.append(_phrase_unit(" ".join(words[position : position + length]), languages, concept))
            position += length
        else:
            counted.append(Unit(tuple(Alternative((t,)) for t in analysis.word_variants(words[position], languages))))
            position += 1
    counted += [Unit((Alternative((analysis.fold(p),), prefix=True),)) for p in group.prefixes if analysis.fold(p)]
    required = [_phrase_unit(phrase, languages, analysis.concept_named(phrase.split())) for phrase in group.phrases]
    # A word of nothing but marks folds to nothing: it can neither match nor be required.
    return [unit for unit in counted if unit.alternatives], [unit for unit in required if unit.alternatives]


def _phrase_unit(phrase: str, languages, concept: str | None) -> Unit:
    """Words in this order (stemmed in each language), or the glossary concept they name: any of its terms in
    the text (stemmed in the term's language), or a document naming it in its own language."""
    alternatives = [Alternative(terms) for terms in analysis.phrase_variants(phrase, languages)]
    if concept is not None:
        for code, term in analysis.concept_terms(concept):
            if terms := tuple(analysis.index_terms(term, code).split()):
                alternatives.append(Alternative(terms))
    return Unit(tuple(dict.fromkeys(alternatives)), concept)


def _unit_scores(found: dict[int, bool], documents: int) -> dict[int, float]:
    """What one matched unit adds to each document's score: rarer terms more, a match in the title three times.

    The rarity is the inverse document frequency of BM25; term frequencies are left out, which lets PostgreSQL
    answer from its index without reading the documents (see ``fulltext.py``).
    """
    rarity = math.log(1 + documents / max(1, len(found)))
    return {pk: rarity * (TITLE_WEIGHT if in_title else 1.0) for pk, in_title in found.items()}


COMMON = 0.5  # a term in more than half of the documents says little: it does not count towards the minimum


def _group_scores(cursor, engine, group: QueryGroup, languages, table, relaxed=False) -> dict[int, float]:
    """Documents matching the group: enough of its words (the engine's minimum, not counting common words),
    every phrase, none of the exclusions; scored by the rarity of what matched. ``relaxed``: any word, or
    none if there are phrases."""
    documents = len(table)
    counted, required = _units(group, languages)
    telling: Counter = Counter()  # matched units that are not common
    every: Counter = Counter()  # matched units
    scores: dict[int, float] = {}
    telling_units = 0
    for unit in counted:
        found = unit.match(cursor, engine, table)
        common = len(found) > COMMON * documents
        telling_units += not common
        for pk, score in _unit_scores(found, documents).items():
            every[pk] += 1
            telling[pk] += not common
            scores[pk] = scores.get(pk, 0.0) + score
    if not counted or (relaxed and required):
        candidates = None  # the phrases decide; words only add to the score
    elif relaxed:
        candidates = set(scores)
    elif telling_units:
        least = minimum_to_match(telling_units)
        candidates = {pk for pk, count in telling.items() if count >= least}
    else:  # only common words: all of them, then
        candidates = {pk for pk, count in every.items() if count >= minimum_to_match(len(counted))}
    for unit in required:
        found = _unit_scores(unit.match(cursor, engine, table), documents)
        candidates = set(found) if candidates is None else candidates & set(found)
        for pk in candidates:
            scores[pk] = scores.get(pk, 0.0) + found.get(pk, 0.0)
    if candidates is None:  # exclusions only: everything but what they name
        candidates = set(SearchDocument.objects.values_list("id", flat=True))
    for word in group.excluded_words:
        variants = [Alternative((term,)) for term in analysis.word_variants(word, languages)]
        candidates -= set(engine.match(cursor, variants))
    for phrase in group.excluded_phrases:
        candidates -= set(engine.match(cursor, [Alternative(t) for t in analysis.phrase_variants(phrase, languages)]))
    return {pk: scores.get(pk, 0.0) for pk in candidates}


def _weights(table, positions: np.ndarray) -> np.ndarray:
    """What a document's score is multiplied by: editors' picks and what worked in another city count a little
    more, records (actions) less."""
    picks = np.where(table.editors_pick[positions], EDITORS_PICK_BOOST, 1.0)
    proven = np.where(table.facets["reuse"].mask(["proven"])[positions], ranking.PROVEN_WEIGHT, 1.0)
    return picks * proven * np.where(table.record_of[positions] > 0, ranking.RECORD_WEIGHT, 1.0)


def _order(table, positions: np.ndarray, scores: np.ndarray, sort: str) -> np.ndarray:
    """Positions by relevance (editors' picks a little higher, records lower), newest first among equals; or the
    other way."""
    relevance = scores[positions] * _weights(table, positions)
    dates = table.dates[positions]
    keys = (-relevance, -dates) if sort == "newest" else (-dates, -relevance)
    return positions[np.lexsort(keys)]  # the last key sorts first


def _diversified(table, ordered: np.ndarray, relevance: np.ndarray) -> np.ndarray:
    """The first results reordered so that one page's records do not fill them (``ranking.diversified``)."""
    head = ordered[: ranking.DIVERSIFY_WINDOW]
    groups = [int(page) or None for page in table.record_of[head]]
    order = ranking.diversified(groups, [float(score) for score in relevance[head]])
    return np.concatenate([head[order], ordered[ranking.DIVERSIFY_WINDOW :]])


# --- results ---------------------------------------------------------------------------------------------

_WORD = re.compile(r"[^\W_]+")


def _highlight_terms(groups: list[QueryGroup], languages) -> set[str]:
    """Every term the query may have matched, folded and stemmed, to find them again in a document's text."""
    wanted: set[str] = set()
    for group in groups:
        for word in group.words + group.prefixes:
            wanted.update(analysis.word_variants(word, languages))
        for phrase in group.phrases:
            for variant in analysis.phrase_variants(phrase, languages):
                wanted.update(variant)
    return wanted


def _hit(document: SearchDocument, wanted: set[str], by_meaning: bool = False) -> SearchHit:
    return SearchHit(
        id=hit_id(document.key, document.display),
        slug=document.display["slug"],
        type=document.type,
        title=document.title,
        url=document.url,
        summary=document.summary,
        highlight=snippet(f"{document.summary} {document.content}", document.language, wanted) if wanted else "",
        city=document.display["city"],
        themes=document.display["themes"],
        language=document.language,
        date=document.date.isoformat() if document.date else None,
        by_meaning=by_meaning,
        plan=document.display.get("plan"),
        status=document.display.get("status"),
        key=document.key,
    )


@lru_cache(maxsize=100_000)
def _forms(word: str, language: str) -> tuple[str, str]:
    """A word of a text folded, and stemmed in the text's language (cached: texts repeat their words)."""
    folded = analysis.fold(word)
    return folded, analysis.stem(folded, language)


def _matches_term(word: str, language: str, wanted: set[str]) -> bool:
    folded, stemmed = _forms(word, language)
    return folded in wanted or stemmed in wanted


def snippet(text: str, language: str, wanted: set[str]) -> str:
    """The passage of ``text`` (about 180 characters) with the most matches, escaped, matches in ``<mark>``."""
    matches = [
        (match.start(), match.end()) for match in _WORD.finditer(text) if _matches_term(match.group(), language, wanted)
    ]
    if not matches:
        return ""
    best_start, best_count = matches[0][0], 0
    for index, (start, _end) in enumerate(matches):
        count = sum(1 for other, _e in matches[index:] if other - start < SNIPPET_LENGTH)
        if count > best_count:
            best_start, best_count = start, count
    begin = max(0, best_start - 30)
    begin = text.rfind(" ", 0, begin) + 1 if begin else 0
    end = min(len(text), begin + SNIPPET_LENGTH)
    parts, cursor = [], begin
    for start, stop in matches:
        if start >= begin and stop <= end:
            parts += [html.escape(text[cursor:start]), f"<mark>{html.escape(text[start:stop])}</mark>"]
            cursor = stop
    parts.append(html.escape(text[cursor:end]))
    return "".join(parts).strip()
