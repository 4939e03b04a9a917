"""Markdown to safe HTML: authors write Markdown, readers get HTML that nh3 has sanitised.

Raw HTML in the source is allowed through the Markdown step and then cleaned, so harmless tags survive and
anything executable (scripts, event handlers, ``javascript:`` or ``data:`` URLs) is removed.
"""

import re
import threading
from functools import lru_cache
from html import unescape

import markdown
import nh3
from markdown_it import MarkdownIt

EXTENSIONS = ["tables", "footnotes", "fenced_code", "sane_lists", "attr_list", "def_list"]

ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "caption",
    "code",
    "dd",
    "del",
    "div",
    "dl",
    "dt",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "ins",
    "li",
    "ol",
    "p",
    "pre",
    "s",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "id"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"align", "colspan", "rowspan"},
    "th": {"align", "colspan", "rowspan", "scope"},
    # Footnotes link a reference to its note by id.
    "li": {"id"},
    "sup": {"id"},
}
ALLOWED_CLASSES = {"a": {"footnote-ref", "footnote-backref"}, "div": {"footnote"}}
URL_SCHEMES = {"http", "https", "mailto"}

_HTML_TAG = re.compile(r"<[^>]+>")


_parsers = threading.local()


def _parser() -> markdown.Markdown:
    """A Markdown instance per thread: building one costs more than converting a page, and it is not thread-safe."""
    if not hasattr(_parsers, "html"):
        _parsers.html = markdown.Markdown(extensions=EXTENSIONS, output_format="html")
    return _parsers.html.reset()


@lru_cache(maxsize=2048)
def render_markdown(text: str) -> str:
    """Render Markdown to sanitised HTML (cached: the same field renders on many pages)."""
    if not text:
        return ""
    html = _parser().convert(text)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def markdown_to_text(*texts: str) -> str:
    """Plain text of Markdown fields, for search documents and descriptions.

    The text is never shown as HTML, so it needs no sanitising; a CommonMark parser (markdown-it-py) finds the
    words four times faster than the page renderer, which keeps indexing fast.
    """
    source = "\n\n".join(text for text in texts if text)
    if not source:
        return ""
    return " ".join(unescape(_HTML_TAG.sub(" ", _TEXT_PARSER.render(source))).split())


_TEXT_PARSER = MarkdownIt("commonmark").enable("table")
