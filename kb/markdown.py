"""Markdown to safe HTML: authors write Markdown, readers get HTML that nh3 has sanitised.

Raw HTML in the source is allowed through the Markdown step and then cleaned, so harmless tags survive and
anything executable (scripts, event handlers, ``javascript:`` or ``data:`` URLs) is removed.
"""

import re
from functools import lru_cache
from html import unescape

import markdown
import nh3

EXTENSIONS = ["tables", "footnotes", "fenced_code", "sane_lists", "attr_list", "def_list"]

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "dd", "del", "div", "dl", "dt", "em",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "li", "ol", "p", "pre", "s", "strong",
    "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
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


@lru_cache(maxsize=2048)
def render_markdown(text: str) -> str:
    """Render Markdown to sanitised HTML (cached: the same field renders on many pages)."""
    if not text:
        return ""
    html = markdown.markdown(text, extensions=EXTENSIONS, output_format="html")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def markdown_to_text(text: str) -> str:
    """Plain text of a Markdown field, for search documents and meta descriptions."""
    return " ".join(unescape(_HTML_TAG.sub(" ", render_markdown(text))).split())
