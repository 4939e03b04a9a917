"""One content file: its front matter and Markdown body, parsed into canonical form."""

import re
from dataclasses import dataclass, field
from pathlib import Path

import frontmatter
import yaml
from django.conf import settings
from frontmatter.default_handlers import YAMLHandler

from kb.slugs import slug_for

CASE_STUDY_OWNER = "case-studies"  # the "city" part of references to case studies: case_study:case-studies/slug


class _DatesAsTextLoader(yaml.SafeLoader):
    """Safe YAML that leaves dates as text, so that a bad date is reported against its field.

    Aliases are refused: front matter never needs them, and a few nested aliases (a "billion laughs") expand to
    gigabytes when a field is converted.
    """

    depth = 0  # nesting of the node being composed: 1 for the front matter's own fields
    field_name = None  # the front-matter field being composed, to name in an error

    def compose_node(self, parent, index):
        if self.depth == 1 and isinstance(index, yaml.ScalarNode):
            self.field_name = index.value  # composing a top-level value: ``index`` is its key
        if self.check_event(yaml.AliasEvent):
            raise _AliasRefused(self.field_name, self.peek_event())
        self.depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


class _AliasRefused(yaml.YAMLError):
    def __init__(self, field_name: str | None, event):
        self.field_name = field_name
        self.line = event.start_mark.line + 1
        super().__init__(f"YAML aliases (*{event.anchor}, line {self.line}) are not allowed in front matter")


_DatesAsTextLoader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class _FrontMatterHandler(YAMLHandler):
    def load(self, fm: str, **kwargs):
        return yaml.load(fm, Loader=_DatesAsTextLoader)  # noqa: S506 — a SafeLoader subclass


class ContentFileError(Exception):
    """A file that cannot be imported: names the file, the field and what is wrong."""

    def __init__(self, path, field_name: str | None, message: str):
        self.path = path
        self.field_name = field_name
        self.message = message
        super().__init__(str(self))

    def __str__(self):
        where = f"{self.path}"
        if self.field_name:
            where += f": field '{self.field_name}'"
        return f"{where}: {self.message}"


@dataclass
class ContentDocument:
    """Canonical content of one page. Two documents are equal when they would produce the same page."""

    type: str
    title: str
    slug: str
    meta: dict = field(default_factory=dict)
    body: str = ""
    path: Path | None = field(default=None, compare=False)

    @property
    def owner(self) -> str | None:
        """The city slug a page lives under (``case-studies`` for case studies, ``None`` for cities)."""
        if self.type == "city":
            return None
        if self.type == "case_study":
            return CASE_STUDY_OWNER
        return slug_for(self.meta["city"])

    @property
    def reference(self) -> str:
        """``type:owner/slug`` — how other files refer to this page."""
        return f"{self.type}:{self.owner}/{self.slug}" if self.owner else f"{self.type}:{self.slug}"


def read_front_matter(path: Path) -> tuple[dict, str]:
    """Split a file into its front matter mapping and its Markdown body."""
    limit = settings.CONTENT_FILE_MAX_BYTES
    size = path.stat().st_size
    if size > limit:
        raise ContentFileError(path, None, f"is {size:,} bytes; content files may have at most {limit:,} bytes")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise ContentFileError(path, None, f"not UTF-8 text ({error.reason} at byte {error.start})") from error
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise ContentFileError(path, None, f"contains a NUL character (line {line}); is it a text file?")
    if not text.lstrip().startswith("---"):
        raise ContentFileError(path, None, "no YAML front matter (the file must start with '---')")
    try:
        post = frontmatter.loads(text, handler=_FrontMatterHandler())
    except _AliasRefused as error:
        raise ContentFileError(path, error.field_name, str(error)) from error
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        problem = getattr(error, "problem", None) or str(error)
        raise ContentFileError(path, None, f"invalid YAML front matter{where}: {problem}") from error
    if not isinstance(post.metadata, dict) or not post.metadata:
        raise ContentFileError(path, None, "front matter must be a YAML mapping of fields")
    return dict(post.metadata), post.content


def write_document(document: ContentDocument, path: Path, front_matter: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    header = yaml.safe_dump(front_matter, allow_unicode=True, sort_keys=False, width=100)
    body = document.body.strip()
    path.write_text(f"---\n{header}---\n\n{body}\n" if body else f"---\n{header}---\n", encoding="utf-8")


SECTION_HEADING = re.compile(r"^##\s+(?P<name>.+?)\s*#*\s*$")


def split_sections(body: str, names: dict[str, str]) -> tuple[str, dict[str, str]]:
    """Split a body at level-2 headings whose text is in ``names`` (lower-case heading → field name).

    Text before the first known heading is the introduction; other headings stay inside their section.
    """
    intro: list[str] = []
    sections: dict[str, list[str]] = {}
    current = intro
    in_fence = False
    for line in body.splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            in_fence = not in_fence
        match = None if in_fence else SECTION_HEADING.match(line)
        if match and match["name"].strip().lower() in names:
            current = sections.setdefault(names[match["name"].strip().lower()], [])
            continue
        current.append(line)
    return "\n".join(intro).strip(), {name: "\n".join(lines).strip() for name, lines in sections.items()}


def join_sections(intro: str, sections: list[tuple[str, str]]) -> str:
    """Inverse of ``split_sections``: an introduction followed by ``## Heading`` sections that have text."""
    parts = [intro.strip()] if intro.strip() else []
    parts += [f"## {heading}\n\n{text.strip()}" for heading, text in sections if text.strip()]
    return "\n\n".join(parts)
