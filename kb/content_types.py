"""Every kind of content the network publishes, declared once and read everywhere.

Importer and exporter, the search index, the database search, the listings, the theme pages and the home page
all take their list of kinds, keys, labels and indexed text from here. Adding a kind means a model, an entry
below and its Markdown codec (``kb/content_files/codecs.py``).
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kb.models import ActionPlanPage, CaseStudyPage, CityPage, LessonPage, VisitReportPage


@dataclass(frozen=True)
class ContentKind:
    key: str  # in content files, the index, the API and the listings: "lesson"
    model: type
    label: Promise  # "Lesson", translated when shown
    plural: Promise
    parent: str  # where its pages live: "cities" (the city index), "city" (a city), "case_studies"
    listing: str | None = None  # slug of the network-wide listing of the kind (/lessons/), if it has one
    indexed_markdown: tuple[str, ...] = ()  # Markdown fields whose text the search indexes, in order
    indexed_text: tuple[str, ...] = ()  # plain fields indexed after them
    indexed_extra: Callable | None = None  # more text, from related records: page → (markdown, plain) lists
    prefetch: tuple[str, ...] = ()  # relations the indexed text reads, loaded with the pages

    @property
    def themed(self) -> bool:
        return hasattr(self.model, "themes")

    @property
    def under_city(self) -> bool:
        return self.parent == "city"

    def text_of(self, page) -> tuple[list[str], list[str]]:
        """The page's indexed Markdown and plain text, as the search documents take them."""
        markdown = [getattr(page, name) for name in self.indexed_markdown]
        plain = [getattr(page, name) for name in self.indexed_text]
        if self.indexed_extra:
            extra_markdown, extra_plain = self.indexed_extra(page)
            markdown, plain = markdown + extra_markdown, plain + extra_plain
        return markdown, plain


def _plan_actions(page) -> tuple[list[str], list[str]]:
    actions = list(page.actions.all())
    plain = [text for action in actions for text in (action.title, action.status_reason) if text]
    return [action.description for action in actions], plain


def _case_study_notes(page) -> tuple[list[str], list[str]]:
    return [item.note for item in page.items.all()], []


KINDS: tuple[ContentKind, ...] = (
    ContentKind(
        "city",
        CityPage,
        _("City profile"),
        _("City profiles"),
        parent="cities",
        indexed_markdown=("description",),
    ),
    ContentKind(
        "lesson",
        LessonPage,
        _("Lesson"),
        _("Lessons"),
        parent="city",
        listing="lessons",
        indexed_markdown=("body", *(name for name, _label in LessonPage.SECTIONS)),
        indexed_text=("cost_effort",),
    ),
    ContentKind(
        "action_plan",
        ActionPlanPage,
        _("Action Plan"),
        _("Action Plans"),
        parent="city",
        listing="action-plans",
        indexed_markdown=("body",),
        indexed_extra=_plan_actions,
    ),
    ContentKind(
        "visit_report",
        VisitReportPage,
        _("Visit report"),
        _("Visit reports"),
        parent="city",
        listing="visit-reports",
        indexed_markdown=("body", "agenda", "findings"),
    ),
    ContentKind(
        "case_study",
        CaseStudyPage,
        _("Case study"),
        _("Case studies"),
        parent="case_studies",
        indexed_markdown=("body",),
        indexed_extra=_case_study_notes,
        prefetch=("items",),
    ),
)
BY_KEY: dict[str, ContentKind] = {kind.key: kind for kind in KINDS}
BY_MODEL: dict[type, ContentKind] = {kind.model: kind for kind in KINDS}
MODELS: tuple[type, ...] = tuple(BY_MODEL)
LISTED: tuple[ContentKind, ...] = tuple(kind for kind in KINDS if kind.listing)
# What cities and editors publish, as opposed to the cities' own profiles: theme pages, related content.
KNOWLEDGE: tuple[ContentKind, ...] = tuple(kind for kind in KINDS if kind.parent != "cities")


def kind_of(page_or_model) -> ContentKind:
    """The kind of a page (specific) or page model; ``KeyError`` for pages that are no content."""
    model = page_or_model if isinstance(page_or_model, type) else type(page_or_model)
    return BY_MODEL[model]


def is_content(page_or_model) -> bool:
    model = page_or_model if isinstance(page_or_model, type) else type(page_or_model)
    return model in BY_MODEL
