"""Every kind of content the network publishes, declared once and read everywhere.

Importer and exporter, the search index, the database search, the listings, the theme pages and the home page
all take their list of kinds, keys, labels and indexed text from here. Adding a kind means a model, an entry
below and its Markdown codec (``kb/content_files/codecs.py``).

Some pages hold records that readers find on their own: an Action Plan's actions, each with its address under
the plan. They are no pages (``RECORD_KINDS``): the search makes a document of each, together with its page's
whenever the page is indexed or removed, so that no record outlives its page in the index.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kb.models import ActionPlanPage, CaseStudyPage, CityPage, LessonPage, Reviewable, VisitReportPage
from plans.models import Action


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
    featurable: bool = False  # editors may feature it on the home page
    schema_type: str | None = None  # its schema.org type in the page's structured data, if it has one

    @property
    def themed(self) -> bool:
        return hasattr(self.model, "themes")

    @property
    def reviewable(self) -> bool:
        """Whether it carries a date by which an editor should check it again (``kb.models.Reviewable``)."""
        return issubclass(self.model, Reviewable)

    @property
    def under_city(self) -> bool:
        return self.parent == "city"

    def text_of(self, page) -> tuple[list[str], list[str]]:
        """The page's indexed Markdown and plain text, as the search documents take them."""
        return indexed_text(self, page)


def indexed_text(kind, item) -> tuple[list[str], list[str]]:
    """What a kind of page or record (``kind``) indexes of ``item``: its Markdown fields, then its plain ones, each
    followed by what ``kind.indexed_extra`` adds."""
    markdown = [getattr(item, name) for name in kind.indexed_markdown]
    plain = [getattr(item, name) for name in kind.indexed_text]
    if kind.indexed_extra:
        extra_markdown, extra_plain = kind.indexed_extra(item)
        markdown, plain = markdown + extra_markdown, plain + extra_plain
    return markdown, plain


def _plan_actions(page) -> tuple[list[str], list[str]]:
    """A plan is found by its actions' words too (each action is also a document of its own, ``RECORD_KINDS``)."""
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
        featurable=True,
        schema_type="Article",
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
        prefetch=("actions__updates", "actions__theme"),
        featurable=True,
    ),
    ContentKind(
        "visit_report",
        VisitReportPage,
        _("Visit report"),
        _("Visit reports"),
        parent="city",
        listing="visit-reports",
        indexed_markdown=("body", "agenda", "findings"),
        schema_type="Report",
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
        featurable=True,
    ),
)
BY_KEY: dict[str, ContentKind] = {kind.key: kind for kind in KINDS}
BY_MODEL: dict[type, ContentKind] = {kind.model: kind for kind in KINDS}
MODELS: tuple[type, ...] = tuple(BY_MODEL)
LISTED: tuple[ContentKind, ...] = tuple(kind for kind in KINDS if kind.listing)
# What cities and editors publish, as opposed to the cities' own profiles: theme pages, related content.
KNOWLEDGE: tuple[ContentKind, ...] = tuple(kind for kind in KINDS if kind.parent != "cities")


@dataclass(frozen=True)
class RecordKind:
    """Records a page holds that the search shows as results of their own, with their page (its city, language,
    themes) around them: an Action Plan's actions."""

    key: str  # in the index, the API and the type facet: "action"
    model: type
    label: Promise
    plural: Promise
    parent: str  # the key of the kind whose pages hold the records: "action_plan"
    relation: str  # the page's relation to its records: "actions"
    parent_field: str  # the record's field naming its page: "plan"
    path: str  # its address below its page's, from its fields: "actions/{identifier}/"
    indexed_markdown: tuple[str, ...] = ()  # as for pages: Markdown fields, then plain ones, then related text
    indexed_text: tuple[str, ...] = ()
    indexed_extra: Callable | None = None  # record → (markdown, plain) lists
    latest: Callable | None = None  # record → the date it was last reported on, if any

    def records(self, page) -> list:
        return list(getattr(page, self.relation).all())

    def text_of(self, record) -> tuple[list[str], list[str]]:
        return indexed_text(self, record)


def _action_updates(action) -> tuple[list[str], list[str]]:
    return [], [update.text for update in action.history()]


def _latest_update(action):
    return max((update.date for update in action.updates.all()), default=None)


RECORD_KINDS: tuple[RecordKind, ...] = (
    RecordKind(
        "action",
        Action,
        _("Action"),
        _("Actions"),
        parent="action_plan",
        relation="actions",
        parent_field="plan",
        path="actions/{identifier}/",  # as ``Action.get_url`` and the plan's route
        indexed_markdown=("description",),
        indexed_text=("status_reason",),
        indexed_extra=_action_updates,
        latest=_latest_update,
    ),
)
RECORDS_OF: dict[str, tuple[RecordKind, ...]] = {
    kind.key: tuple(record for record in RECORD_KINDS if record.parent == kind.key) for kind in KINDS
}
# Every kind of search document, pages' and records': for the type facet and the results' labels.
DOCUMENT_KINDS: dict[str, ContentKind | RecordKind] = {**BY_KEY, **{kind.key: kind for kind in RECORD_KINDS}}


def kind_of(page_or_model) -> ContentKind:
    """The kind of a page (specific) or page model; ``KeyError`` for pages that are no content."""
    model = page_or_model if isinstance(page_or_model, type) else type(page_or_model)
    return BY_MODEL[model]


def is_content(page_or_model) -> bool:
    model = page_or_model if isinstance(page_or_model, type) else type(page_or_model)
    return model in BY_MODEL
