import pytest

from kb.markdown import markdown_to_text, render_markdown


@pytest.mark.parametrize(
    "source, forbidden",
    [
        ("<script>alert(1)</script>", "<script"),
        ('<img src="x.png" onerror="alert(1)">', "onerror"),
        ("[click](javascript:alert(1))", "javascript:"),
        ("[click](JaVaScRiPt:alert(1))", "javascript"),
        ('<a href="javascript:alert(1)">x</a>', "javascript:"),
        ("![pixel](data:image/png;base64,iVBORw0KGgo=)", "data:"),
        ('<a href="data:text/html,<script>alert(1)</script>">x</a>', "data:"),
        ('<iframe src="https://evil.example"></iframe>', "<iframe"),
        ("<style>body{display:none}</style>", "<style"),
        ('<div onclick="alert(1)">hi</div>', "onclick"),
        ('<svg onload="alert(1)"><circle r="1"/></svg>', "onload"),
        ('<form action="https://evil.example"><input name="x"></form>', "<form"),
        ('<p style="background:url(javascript:alert(1))">x</p>', "style="),
    ],
)
def test_dangerous_markup_is_removed(source, forbidden):
    assert forbidden.lower() not in render_markdown(source).lower()


def test_raw_html_keeps_harmless_text():
    html = render_markdown("Before <script>alert(1)</script> <b>bold</b> after")
    assert "<b>bold</b>" in html
    assert "alert(1)" not in html


def test_links_get_noopener_and_keep_safe_urls():
    html = render_markdown("[Mission](https://example.org/mission) and [mail](mailto:a@example.org)")
    assert 'href="https://example.org/mission"' in html
    assert 'rel="noopener noreferrer"' in html
    assert 'href="mailto:a@example.org"' in html


def test_tables_lists_headings_images_and_footnotes_render():
    html = render_markdown(
        "## Heading\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n- one\n- two\n\n"
        "![A roof](https://example.org/roof.jpg)\n\nText with a note.[^1]\n\n[^1]: The note."
    )
    assert "<h2>Heading</h2>" in html
    assert "<table>" in html and "<td>1</td>" in html
    assert "<li>one</li>" in html
    assert '<img alt="A roof" src="https://example.org/roof.jpg">' in html
    assert 'class="footnote-ref"' in html and "The note." in html


def test_plain_text_strips_markup():
    assert markdown_to_text("# Title\n\nSome **bold** &amp; text") == "Title Some bold & text"
