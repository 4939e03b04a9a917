"""Search documents: one per published, public lesson, action plan, visit report, case study and city, and one
per record such a page holds that readers find on their own (an Action Plan's actions: ``RECORD_KINDS``).

A document is what every backend stores, in one canonical form (each backend may add fields of its own when
it writes, such as the engine's per-language copies); its fingerprint covers that form.

A page's documents are built, written and removed together: its own (``id`` = the page id) first, then its
records' (``id`` = ``action-<page id>-<identifier>``, never a number, so never a page's id). Every document
names the page it comes from (``page_id``), and the page's document lists its records' ids (``parts``): a
backend replaces all of a page's documents at once, so a record removed from its page, or a page unpublished,
leaves no document behind.
"""

import datetime
import hashlib
import json
from collections.abc import Iterable, Iterator

from django.utils import translation

from home.models import HomePage
from kb.content_types import RECORDS_OF, ContentKind, RecordKind, kind_of
from kb.markdown import markdown_to_text
from kb.models import CityPage, parent_path
from lineage.transfers import reuse_by_source

from . import analysis
from .conf import search_settings
from .embeddings import embedding_key, embedding_text, get_embedder

RECORD_SUMMARY_CHARS = 300  # a record has no summary: the opening of its text stands for one


def indexable(kind: ContentKind):
    """Pages of a kind that belong in the index: what readers may see (drafts and private pages never)."""
    related = ["themes", *kind.prefetch] + (["partner_cities"] if kind.under_city else [])
    return kind.model.objects.published().prefetch_related(*related)


class DocumentBuilder:
    """Builds documents for many pages with a handful of queries: cities are looked up by tree path."""

    def __init__(self):
        self.cities = {city.path: city for city in CityPage.objects.all()}
        self.reuse = reuse_by_source()
        # Read, never create: builders run on every fallback search and every inline index update.
        self.root_url_path = HomePage.objects.values_list("url_path", flat=True).get(depth=2)

    def url(self, page) -> str:
        return "/" + page.url_path[len(self.root_url_path) :]

    def documents(self, page) -> list[dict]:
        """The page's document, then one per record it holds (an Action Plan's actions), in their order."""
        kind = kind_of(page)
        document = self._page_document(kind, page)
        records = [
            self._record_document(record_kind, record, page, document)
            for record_kind in RECORDS_OF.get(kind.key, ())
            for record in record_kind.records(page)
        ]
        document["parts"] = [record["id"] for record in records]
        return [_finished(document)] + [_finished(record) for record in records]

    def _page_document(self, kind: ContentKind, page) -> dict:
        city = page if kind.key == "city" else self.cities.get(parent_path(page))
        cap = search_settings().max_text_chars
        markdown, plain = kind.text_of(page)
        content = truncated(" ".join(part for part in [page.summary, markdown_to_text(*markdown), *plain] if part), cap)
        date = getattr(page, "date", None) or (page.first_published_at.date() if page.first_published_at else None)
        themes = sorted(page.themes.all(), key=lambda theme: theme.slug)
        partners = sorted(getattr(page, "partner_cities", CityPage.objects.none()).all(), key=lambda c: c.slug)
        dated = kind.key != "city"
        document = {
            "id": str(page.pk),
            "page_id": page.pk,
            "type": kind.key,
            "title": page.title,
            "summary": truncated(page.summary, cap),
            "content": content,
            "city": city.slug if city else None,
            "country": city.country.code if city else None,
            "role": city.role if city else None,
            "cohort": str(city.cohort) if city and city.cohort else None,
            "themes": [theme.slug for theme in themes],
            "partner_cities": [partner.slug for partner in partners],
            "language": page.language,
            "date": date.isoformat() if date and dated else None,
            "year": str(date.year) if date and dated else None,
            "url": self.url(page),
            "editors_pick": bool(getattr(page, "editors_pick", False)),
            "display": {
                "slug": page.slug,
                "city": {"name": city.title, "slug": city.slug, "country": city.country.code} if city else None,
                "themes": [{"name": theme.name, "slug": theme.slug} for theme in themes],
            },
            "parts": [],
        }
        reuse = self._reuse(list(self.reuse.get(page.pk, {}).values()))
        document["reuse"], document["display"]["reused_by"] = reuse["reuse"], reuse["reused_by"]
        document["places"] = places(city, partners, page.language)
        document["concepts"] = analysis.salient_concepts(f"{page.title} {page.summary}", content, page.language)
        return document

    def _reuse(self, reuses: list) -> dict:
        """Whether other cities adapted what the document is (a plan: itself or any of its actions): the
        ``reuse`` facet's values ("reused"; "proven" too once it worked somewhere), and the adopting pages, whose
        publishing changes this document (``lineage.signals``)."""
        values = (["reused", "proven"] if any(reuse.proven for reuse in reuses) else ["reused"]) if reuses else []
        adopters = sorted({adopter for reuse in reuses for adopter in reuse.adopters})
        return {"reuse": values, "reused_by": adopters}

    def _record_document(self, kind: RecordKind, record, page, page_document: dict) -> dict:
        """A record's document: its own title and text, in its page's city and language, under its own address.

        Its themes are its own theme, else its page's; its date the later of its page's and its last report's.
        """
        cap = search_settings().max_text_chars
        markdown, plain = kind.text_of(record)
        text = markdown_to_text(*markdown)
        summary = truncated(text, RECORD_SUMMARY_CHARS)
        content = truncated(" ".join(part for part in [text, *plain] if part), cap)
        own_theme = getattr(record, "theme", None)
        themes = [{"name": own_theme.name, "slug": own_theme.slug}] if own_theme else page_document["display"]["themes"]
        page_date = datetime.date.fromisoformat(page_document["date"]) if page_document["date"] else None
        dates = [day for day in (page_date, kind.latest(record) if kind.latest else None) if day]
        date = max(dates) if dates else None
        language = page_document["language"]
        document = {
            **page_document,
            "id": record_document_id(kind, page.pk, record),
            "type": kind.key,
            "title": record.title,
            "summary": summary,
            "content": content,
            "themes": [theme["slug"] for theme in themes],
            "date": date.isoformat() if date else None,
            "year": str(date.year) if date else None,
            "url": page_document["url"] + kind.path.format(identifier=record.identifier),
            "editors_pick": False,
            "display": {
                **page_document["display"],
                "slug": record.identifier,
                "themes": themes,
                "record": record.pk,
                "status": getattr(record, "status", None),
                "plan": {"id": page.pk, "title": page.title, "url": page_document["url"]},
            },
            "parts": [],
        }
        own = self.reuse.get(page.pk, {}).get(record.identifier)
        reuse = self._reuse([own] if own else [])
        document["reuse"], document["display"]["reused_by"] = reuse["reuse"], reuse["reused_by"]
        document["concepts"] = analysis.salient_concepts(f"{record.title} {summary}", content, language)
        return document

    def build_many(self, pages: Iterable) -> Iterator[dict]:
        """Every document of these pages: each page's, then its records'."""
        for page in pages:
            yield from self.documents(page)


def _finished(document: dict) -> dict:
    """The document with its embedding's key and its fingerprint, once every other field is set."""
    embedder = get_embedder()
    document["embedding_key"] = embedding_key(embedder.model, embedding_text(document)) if embedder else ""
    document["fingerprint"] = fingerprint(document)
    return document


def record_document_id(kind: RecordKind, page_id: int, record) -> str:
    """A record's document id: never a number, so never a page's (``action-12-3``: action 3 of plan 12)."""
    return f"{kind.key}-{page_id}-{record.identifier}"


def places(city, partners, language: str) -> str:
    """The names a reader may search a document by: its city, the city's country and the partner cities.

    The country is named in English and in the document's language ("Cologne Germany Deutschland").
    """
    if city is None:
        return ""
    names = [city.title]
    for code in dict.fromkeys(("en", language)):
        with translation.override(code):
            names.append(str(city.country.name))
    names += [partner.title for partner in partners]
    return " ".join(dict.fromkeys(names))


def truncated(text: str, limit: int) -> str:
    """At most ``limit`` characters, cut at a word boundary: a very long page is indexed truncated, not refused."""
    if len(text) <= limit:
        return text
    cut = text[:limit]
    return cut[: cut.rfind(" ")] if " " in cut[limit // 2 :] else cut


def fingerprint(document: dict) -> str:
    """A hash of everything indexed, so that ``verify`` can tell a stale document from a current one."""
    payload = json.dumps({k: v for k, v in document.items() if k != "fingerprint"}, sort_keys=True, default=str)
    return hashlib.blake2b(payload.encode(), digest_size=12).hexdigest()
