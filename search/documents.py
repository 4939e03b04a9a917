"""Search documents: one per published, public lesson, action plan, visit report, case study and city."""

import hashlib
import json
from collections.abc import Iterable, Iterator

from home.models import HomePage
from kb.markdown import markdown_to_text
from kb.models import ActionPlanPage, CaseStudyPage, CityPage, LessonPage, VisitReportPage

from .conf import search_settings
from .mapping import LANGUAGES

DOCUMENT_TYPES = {
    LessonPage: "lesson",
    ActionPlanPage: "action_plan",
    VisitReportPage: "visit_report",
    CaseStudyPage: "case_study",
    CityPage: "city",
}
TYPE_LABELS = {
    "lesson": "Lesson",
    "action_plan": "Action Plan",
    "visit_report": "Visit report",
    "case_study": "Case study",
    "city": "City profile",
}
TYPE_SLUGS = {kind: model for model, kind in DOCUMENT_TYPES.items()}


def indexable(model):
    """Pages that belong in the index: live and without view restrictions (drafts and private pages never)."""
    queryset = model.objects.live().public().prefetch_related("themes")
    if model is not CityPage and model is not CaseStudyPage:
        queryset = queryset.prefetch_related("partner_cities")
    if model is CaseStudyPage:
        queryset = queryset.prefetch_related("items")
    return queryset


class DocumentBuilder:
    """Builds documents for many pages with a handful of queries: cities are looked up by tree path."""

    def __init__(self):
        self.cities = {city.path: city for city in CityPage.objects.all()}
        # Read, never create: builders run on every fallback search and every inline index update.
        self.root_url_path = HomePage.objects.values_list("url_path", flat=True).get(depth=2)

    def url(self, page) -> str:
        return "/" + page.url_path[len(self.root_url_path) :]

    def build(self, page) -> dict:
        kind = DOCUMENT_TYPES[type(page)]
        city = page if kind == "city" else self.cities.get(page.path[: -page.steplen])
        cap = search_settings().max_text_chars
        content = truncated(" ".join(part for part in _text_parts(page) if part), cap)
        date = getattr(page, "date", None) or (page.first_published_at.date() if page.first_published_at else None)
        themes = sorted(page.themes.all(), key=lambda theme: theme.slug)
        partners = sorted(getattr(page, "partner_cities", CityPage.objects.none()).all(), key=lambda c: c.slug)
        document = {
            "id": str(page.pk),
            "type": kind,
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
            "date": date.isoformat() if date and kind != "city" else None,
            "year": str(date.year) if date and kind != "city" else None,
            "url": self.url(page),
            "editors_pick": bool(getattr(page, "editors_pick", False)),
            "display": {
                "slug": page.slug,
                "city": {"name": city.title, "slug": city.slug, "country": city.country.code} if city else None,
                "themes": [{"name": theme.name, "slug": theme.slug} for theme in themes],
            },
        }
        if page.language in LANGUAGES:
            document[f"title_{page.language}"] = page.title
            document[f"content_{page.language}"] = content
        document["fingerprint"] = fingerprint(document)
        return document

    def build_many(self, pages: Iterable) -> Iterator[dict]:
        for page in pages:
            yield self.build(page)


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


def _text_parts(page) -> list[str]:
    """The page's text: summary, then its Markdown fields rendered to plain text in one pass."""
    if isinstance(page, CityPage):
        return [page.summary, markdown_to_text(page.description)]
    markdown_fields = [page.body]
    extra = []
    if isinstance(page, LessonPage):
        markdown_fields += [getattr(page, name) for name, _label in LessonPage.SECTIONS]
        extra.append(page.cost_effort)
    elif isinstance(page, VisitReportPage):
        markdown_fields += [page.agenda, page.findings]
    elif isinstance(page, ActionPlanPage):
        # The stored JSON: titles and descriptions need none of the blocks' database lookups.
        for action in page.actions.raw_data:
            extra.append(action["value"].get("title") or "")
            markdown_fields.append(action["value"].get("description") or "")
    elif isinstance(page, CaseStudyPage):
        markdown_fields += [item.note for item in page.items.all()]
    return [page.summary, markdown_to_text(*markdown_fields), *extra]
