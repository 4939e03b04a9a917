"""The same search answered from the database: Wagtail's database search for the text, ORM counts for facets.

Used when no engine is configured (``make run``) and whenever the engine is unreachable.
"""

from django.db.models import CharField, Count, F, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Cast, Coalesce, ExtractYear, Length, Substr, TruncDate
from modelsearch.query import Phrase, PlainText, SearchQuery
from wagtail.models import Page

from kb.models import CityPage

from .documents import DOCUMENT_TYPES, TYPE_SLUGS, DocumentBuilder
from .query import FACETS, SearchRequest
from .results import SearchHit, SearchResponse, facet_values

MAX_TEXT_MATCHES = 5000  # the database ranks at most this many text matches


def annotated(model):
    """A model's searchable pages with the facet fields the index would hold, as annotations."""
    pages = model.objects.live().public()
    if model is CityPage:
        city = {
            "city_slug": F("slug"),
            "city_country": F("country"),
            "city_role": F("role"),
            "city_cohort": Cast("cohort", CharField()),
        }
        date = Value(None, output_field=IntegerField())
    else:
        parent = CityPage.objects.filter(path=Substr(OuterRef("path"), 1, Length(OuterRef("path")) - Page.steplen))
        city = {
            "city_slug": Subquery(parent.values("slug")[:1]),
            "city_country": Subquery(parent.values("country")[:1]),
            "city_role": Subquery(parent.values("role")[:1]),
            "city_cohort": Cast(Subquery(parent.values("cohort")[:1]), CharField()),
        }
        date = ExtractYear(Coalesce("date", TruncDate("first_published_at")))
    return pages.annotate(**city, year_number=date)


FACET_LOOKUPS = {
    "country": "city_country",
    "city": "city_slug",
    "role": "city_role",
    "cohort": "city_cohort",
    "theme": "themes__slug",
    "language": "language",
}


def facet_filter(facet: str, values: tuple[str, ...]) -> Q:
    if facet == "year":
        return Q(year_number__in=[int(v) for v in values if v.isdigit()])
    return Q(**{f"{FACET_LOOKUPS[facet]}__in": values})


def search_database(request: SearchRequest) -> SearchResponse:
    ranked = _text_matches(request) if request.query else None
    counts: dict[str, dict[str, int]] = {facet: {} for facet in FACETS}
    hits_by_type = {}
    for kind, model in TYPE_SLUGS.items():
        pages = annotated(model)
        if ranked is not None:
            pages = pages.filter(pk__in=list(ranked))
        hits_by_type[kind] = _apply(pages, request.filters, kind)
        for facet in FACETS:
            others = {f: v for f, v in request.filters.items() if f != facet}
            subset = _apply(pages, others, kind)
            if subset is None:
                continue
            if facet == "type":
                if found := subset.count():
                    counts["type"][kind] = found
                continue
            field = "year_number" if facet == "year" else FACET_LOOKUPS[facet]
            for row in subset.values(field).annotate(n=Count("pk", distinct=True)).order_by():
                if row[field] is not None:
                    key = str(row[field])
                    counts[facet][key] = counts[facet].get(key, 0) + row["n"]
    matching = [(kind, qs) for kind, qs in hits_by_type.items() if qs is not None]
    ordered = _order(matching, request, ranked)
    total = len(ordered)
    window = ordered[request.offset : request.offset + request.page_size]
    return SearchResponse(
        request=request,
        total=total,
        engine="database",
        results=_hits(window),
        facets=facet_values(request, counts),
    )


def _apply(pages, filters: dict, kind: str):
    """Filter one model's pages; ``None`` when the type filter excludes the model altogether."""
    if "type" in filters and kind not in filters["type"]:
        return None
    for facet, values in filters.items():
        if facet != "type":
            pages = pages.filter(facet_filter(facet, values))
    return pages.distinct()


def _text_matches(request: SearchRequest) -> dict[int, float]:
    """Page ids matching the text, with Wagtail's database relevance score.

    Every term is its own small query and the sets are combined here (all terms of an alternative, minus its
    exclusions): a database full-text expression nests one level per term, and SQLite's parser overflows at
    about 17. A plain query with several words that match nowhere together is retried with any of them
    (questions rarely match word for word).
    """
    pages = Page.objects.live().public().type(*DOCUMENT_TYPES)
    groups = request.parsed.groups
    scores: dict[int, float] = {}
    for group in groups:
        required = [PlainText(word) for word in group.words + group.prefixes] + [Phrase(p) for p in group.phrases]
        if required:
            found = _all_of(pages, required)
        else:
            found = dict.fromkeys(pages.values_list("pk", flat=True)[:MAX_TEXT_MATCHES], 0.0)
        for excluded in [PlainText(word) for word in group.excluded_words] + [
            Phrase(p) for p in group.excluded_phrases
        ]:
            for page_id in _scores(pages, excluded):
                found.pop(page_id, None)
        for page_id, score in found.items():
            scores[page_id] = max(scores.get(page_id, 0.0), score)
    if not scores and len(groups) == 1 and len(groups[0].words) > 1 and not groups[0].excluded_words:
        for word in groups[0].words:
            for page_id, score in _scores(pages, PlainText(word)).items():
                scores[page_id] = scores.get(page_id, 0.0) + score
    return scores


def _all_of(pages, terms: list[SearchQuery]) -> dict[int, float]:
    """Pages matching every term, scored by the sum of the terms' scores; stops as soon as nothing is left."""
    found = _scores(pages, terms[0])
    for term in terms[1:]:
        if not found:
            break
        matches = _scores(pages.filter(pk__in=list(found)), term)
        found = {page_id: score + matches[page_id] for page_id, score in found.items() if page_id in matches}
    return found


def _scores(pages, search_query: SearchQuery) -> dict[int, float]:
    results = pages.search(search_query).annotate_score("_score")[:MAX_TEXT_MATCHES]
    return {page.pk: float(getattr(page, "_score", 0) or 0) for page in results}


def _order(matching, request: SearchRequest, ranked: dict[int, float] | None) -> list[int]:
    rows = []
    for kind, pages in matching:
        date_field = "first_published_at" if kind == "city" else "date"
        for pk, date, published in pages.values_list("pk", date_field, "first_published_at"):
            newest = str(date or published or "")
            rows.append((pk, newest))
    rows.sort(key=lambda row: row[1], reverse=True)  # newest first ...
    if request.sort == "relevance" and ranked is not None:
        rows.sort(key=lambda row: -ranked.get(row[0], 0))  # ... then by score; the sort is stable
    return [pk for pk, _date in rows]


def _hits(page_ids: list[int]) -> list[SearchHit]:
    if not page_ids:
        return []
    builder = DocumentBuilder()
    pages = {page.pk: page for page in Page.objects.filter(pk__in=page_ids).specific()}
    hits = []
    for page_id in page_ids:
        document = builder.build(pages[page_id])
        hits.append(
            SearchHit(
                id=page_id,
                slug=document["display"]["slug"],
                type=document["type"],
                title=document["title"],
                url=document["url"],
                summary=document["summary"] or "",
                highlight="",
                city=document["display"]["city"],
                themes=document["display"]["themes"],
                language=document["language"],
                date=document["date"],
            )
        )
    return hits


def suggest_database(text: str, limit: int = 8) -> list[dict]:
    pages = Page.objects.live().public().type(*DOCUMENT_TYPES).filter(title__icontains=text)[:limit]
    builder = DocumentBuilder()
    return [
        {"id": page.pk, "title": page.title, "url": builder.url(page), "type": DOCUMENT_TYPES[page.specific_class]}
        for page in pages.specific()
    ]


def related_database(page, limit: int = 5) -> list[SearchHit]:
    """Pages sharing the most themes with ``page``."""
    theme_ids = list(page.themes.values_list("pk", flat=True))
    if not theme_ids:
        return []
    scores: dict[int, int] = {}
    for model in DOCUMENT_TYPES:
        for pk, shared in (
            model.objects.live()
            .public()
            .filter(themes__in=theme_ids)
            .exclude(pk=page.pk)
            .values("pk")
            .annotate(shared=Count("themes"))
            .values_list("pk", "shared")
        ):
            scores[pk] = shared
    best = sorted(scores, key=lambda pk: (-scores[pk], -pk))[:limit]
    return _hits(best)
