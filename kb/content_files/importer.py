"""Documents into pages: create or update, as drafts or published, all or nothing per file.

A batch is written in one transaction. Any file that fails while being written (a reference to a page that
does not exist, a value the model rejects) is reported and left out, and the batch is written again without
it, so no file is ever half-written and every good file still lands.
"""

from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import DatabaseError, transaction
from modelcluster.models import get_all_child_relations

from kb.content_types import BY_KEY
from kb.models import CityPage
from kb.names import city_name_problem
from kb.slugs import slug_for
from kb.structure import SiteStructure, ensure_site_structure

from .codecs import CODECS, parse_document
from .document import ContentDocument, ContentFileError, read_front_matter
from .exporter import document_for, latest_content
from .pages import find_city, find_page
from .schema import CITY_LABEL, Vocabulary

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"


@dataclass
class ImportReport:
    outcomes: list[tuple[ContentDocument, str]] = field(default_factory=list)
    errors: list[ContentFileError] = field(default_factory=list)


def import_paths(paths, *, publish: bool = False, dry_run: bool = False) -> ImportReport:
    report = ImportReport()
    documents = _read_documents(paths, report.errors)
    while True:
        try:
            with transaction.atomic():
                report.outcomes = PageWriter(publish).write(documents)
                if dry_run:
                    transaction.set_rollback(True)
            return report
        except ContentFileError as error:
            report.errors.append(error)
            documents = [document for document in documents if document.path != error.path]


def content_files(paths, errors: list) -> list[Path]:
    files = []
    for path in map(Path, paths):
        if path.is_dir():
            files += sorted(path.rglob("*.md"))
        elif path.is_file():
            files.append(path)
        else:
            errors.append(ContentFileError(path, None, "no such file or folder"))
    return files


def _read_documents(paths, errors: list) -> list[ContentDocument]:
    vocabulary = Vocabulary.load()
    documents: dict[str, ContentDocument] = {}
    for path in content_files(paths, errors):
        try:
            document = parse_document(*read_front_matter(path), path, vocabulary)
        except ContentFileError as error:
            errors.append(error)
            continue
        if document.reference in documents:
            first = documents[document.reference].path
            errors.append(ContentFileError(path, "slug", f"same page ({document.reference}) as {first}"))
            continue
        documents[document.reference] = document
    return list(documents.values())


class PageWriter:
    def __init__(self, publish: bool):
        self.publish = publish
        self.structure: SiteStructure = ensure_site_structure()
        self.created: set[str] = set()

    def write(self, documents: list[ContentDocument]) -> list[tuple[ContentDocument, str]]:
        # Cities first, then every page exists before any reference between pages is resolved.
        ordered = sources_first(sorted(documents, key=lambda document: document.type != "city"))
        pages = {document.reference: self._guard(document, self._existing_or_new, document) for document in ordered}
        return [
            (document, self._guard(document, self._apply, document, pages[document.reference])) for document in ordered
        ]

    def _guard(self, document: ContentDocument, step, *args):
        """Run one step for one file, turning model validation errors into a file error."""
        try:
            return step(*args)
        except ValidationError as error:
            name, message = _first_problem(error)
            raise ContentFileError(document.path, FRONT_MATTER_NAMES.get(name, name), message) from error
        except ContentFileError as error:
            if error.path is None:
                error.path = document.path
            raise
        except (ArithmeticError, DatabaseError, TypeError, ValueError) as error:
            # Validation should have caught it; whatever slipped through still fails this file alone.
            raise ContentFileError(document.path, None, f"could not be saved: {error}") from error

    def _existing_or_new(self, document: ContentDocument):
        model = BY_KEY[document.type].model
        codec = CODECS[document.type]
        parent = codec.parent(document, self)
        existing = parent.get_children().filter(slug=document.slug).first()
        if existing is not None:
            if not isinstance(existing.specific, model):
                raise ContentFileError(
                    None, "slug", f"'{document.slug}' is already a {type(existing.specific).__name__}"
                )
            return existing.specific
        page = model(title=document.title, slug=document.slug, live=False)
        codec.fill_fields(page, document, self)
        page.clean_fields(exclude=TREE_FIELDS)  # before the first write; the rest is checked with the revision
        parent.refresh_from_db()
        parent.add_child(instance=page)
        self.created.add(document.reference)
        return page

    def _apply(self, document: ContentDocument, page) -> str:
        # Reload: children added since this page was loaded changed its tree fields, which a stale copy would undo.
        page = latest_content(type(page).objects.get(pk=page.pk))
        is_new = document.reference in self.created
        published_and_current = page.live and not page.has_unpublished_changes
        if not is_new and document_for(page) == document and (published_and_current or not self.publish):
            return UNCHANGED
        codec = CODECS[document.type]
        codec.fill_fields(page, document, self)
        codec.fill_relations(page, document, self)
        validate(page)
        revision = page.save_revision(log_action=True)
        if self.publish:
            revision.publish()
        return CREATED if is_new else UPDATED

    def city(self, label: str, field_name: str) -> CityPage:
        """The city a ``Name (CC)`` label names, created as a stub profile if the network has none yet."""
        match = CITY_LABEL.match(label)
        name, country = match["name"].strip(), match["country"]
        city = find_city(self.structure, name)
        if city is None:
            slug = slug_for(name)
            if problem := city_name_problem(name, slug, CityPage.objects.all()):
                raise ContentFileError(None, field_name, problem)
            city = CityPage(title=name, slug=slug, country=country, live=False)
            self.structure.cities.refresh_from_db()
            self.structure.cities.add_child(instance=city)
            revision = city.save_revision()
            if self.publish:
                revision.publish()
        elif city.country.code != country:
            raise ContentFileError(None, field_name, f"{name} is a city in {city.country.code}, not {country}")
        return city

    def page(self, reference: str, field_name: str):
        page = find_page(self.structure, reference)
        if page is None:
            raise ContentFileError(None, field_name, f"'{reference}' names no page here or in this import")
        return page


def sources_first(documents: list[ContentDocument]) -> list[ContentDocument]:
    """The documents in their order, except that each comes after those of the batch it was adapted from: an
    adoption may name an action of its source plan, which exists once that plan's file is written."""
    by_reference = {document.reference: document for document in documents}
    placed: set[str] = set()
    ordered: list[ContentDocument] = []

    def place(document: ContentDocument, trail: frozenset) -> None:
        if document.reference in placed or document.reference in trail:  # a cycle keeps the given order
            return
        for reference in adoption_sources(document.meta):
            if reference in by_reference:
                place(by_reference[reference], trail | {document.reference})
        placed.add(document.reference)
        ordered.append(document)

    for document in documents:
        place(document, frozenset())
    return ordered


def adoption_sources(meta: dict) -> list[str]:
    """The pages a document's lesson or actions were adapted from (references without their ``#action``)."""
    adoptions = [*meta.get("adapted_from", [])]
    adoptions += [item for action in meta.get("actions", []) for item in action.get("adapted_from", [])]
    return [adoption["from"].partition("#")[0] for adoption in adoptions]


# Set by the page tree when a page is added, not by the file.
TREE_FIELDS = ["path", "depth", "numchild", "url_path", "content_type"]
# Model names of inline relations and their names in content files, where the two differ.
FRONT_MATTER_NAMES = {
    "twinnings": "twins",
    "description": "body",
    "adaptations": "adapted_from",
    "source_page": "from",
    "source_action": "from",
    "outcome_indicator": "indicator",
}


def validate(page) -> None:
    """The checks the admin's form makes: the page's fields and its inline rows, nested ones included.

    Wagtail validates a draft's title and slug only, and never an inline row on save; an import must not store
    what the admin would refuse.
    """
    page.full_clean()
    problem = _child_problem(page)
    if problem:
        raise ValidationError({problem[0]: problem[1]})


def _child_problem(record) -> tuple[str, str] | None:
    """``(relation, "item 2: goals item 1: field 'value': …")`` for the first invalid inline row, nested or not."""
    for relation in get_all_child_relations(type(record)):
        name = relation.get_accessor_name()
        for position, child in enumerate(getattr(record, name).all(), start=1):
            try:
                child.full_clean(exclude=[relation.field.name])
            except ValidationError as error:
                field_name, message = _first_problem(error)
                return name, f"item {position}: field '{FRONT_MATTER_NAMES.get(field_name, field_name)}': {message}"
            inner = _child_problem(child)
            if inner:
                return name, f"item {position}: {FRONT_MATTER_NAMES.get(inner[0], inner[0])} {inner[1]}"
    return None


def _first_problem(error: ValidationError) -> tuple[str | None, str]:
    messages = getattr(error, "message_dict", None) or {None: error.messages}
    name, problems = next(iter(messages.items()))
    return (None if name == NON_FIELD_ERRORS else name), "; ".join(problems)


