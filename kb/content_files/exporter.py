"""Pages back to documents and files: the inverse of the importer."""

from pathlib import Path

from kb.content_types import KINDS

from .codecs import codec_of, relative_path, yaml_safe
from .document import ContentDocument, write_document


def latest_content(page):
    """A page as its newest revision has it, drafts included."""
    return page.get_latest_revision_as_object() if page.latest_revision_id else page


def document_for(page) -> ContentDocument:
    return codec_of(page).document(page)


def export_all(directory: Path) -> list[Path]:
    """Write every page (its latest revision) as a file; return the paths written."""
    written = []
    for kind in KINDS:
        for page in kind.model.objects.order_by("path"):
            document = document_for(latest_content(page))
            path = directory / relative_path(page)
            write_document(document, path, front_matter(document))
            written.append(path)
    return written


def front_matter(document: ContentDocument) -> dict:
    return {"type": document.type, "title": document.title, "slug": document.slug, **yaml_safe(document.meta)}
