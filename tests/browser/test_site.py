"""What a reader does in a real browser: accessibility, the search journey, languages, keyboard use."""

import re

import pytest

from tests.network import COLOGNE_LESSON_TITLE

from .conftest import PAGES, axe_violations, screenshot, tab_until

pytestmark = pytest.mark.browser

EVERY_PAGE = {**PAGES, "not-found": "/no-such-page/"}


@pytest.mark.parametrize("name", EVERY_PAGE)
def test_pages_have_no_serious_accessibility_violations(page, name):
    response = page.goto(EVERY_PAGE[name])
    assert response.status == (404 if name == "not-found" else 200)
    screenshot(page, name)
    assert axe_violations(page) == []


def test_search_journey(strict_page, site):
    page = strict_page
    page.goto("/")
    page.get_by_label("Search lessons across the network").fill("proximity offices")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/search/\?q=proximity"))
    assert page.locator("article.result").count() >= 3
    page.get_by_role("checkbox", name=re.compile(r"^Lesson")).check()  # submits the filter form by itself
    page.wait_for_url(re.compile(r"type=lesson"))
    results = page.locator("article.result h3 a")
    first_title = results.first.inner_text()
    assert all("LESSON" in kind.upper() for kind in page.locator("article.result .card-type").all_inner_texts())
    results.first.click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == first_title
    screenshot(page, "search-journey-result")


def test_autocomplete_by_keyboard(strict_page):
    page = strict_page
    page.goto("/search/")
    box = page.locator("#q")
    box.press_sequentially("proxim", delay=40)
    option = page.locator("#q-suggestions [role=option]").first
    option.wait_for()
    expected = option.locator("a").get_attribute("href")
    box.press("ArrowDown")
    assert box.get_attribute("aria-activedescendant") == option.get_attribute("id")
    box.press("Enter")
    page.wait_for_url(f"**{expected}")


def test_language_switcher_changes_the_interface_not_the_content(page):
    page.goto("/cities/cologne/proximity-offices/")
    page.get_by_label("Language").select_option("de")
    page.get_by_role("button", name="Change").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "de"
    assert page.get_by_role("navigation", name="Hauptmenü").get_by_role("link", name="Städte").is_visible()
    assert page.locator("h1").inner_text() == COLOGNE_LESSON_TITLE
    assert page.locator("[lang=en] .lesson-section").first.is_visible()  # the lesson is still in English


def test_keyboard_reaches_main_content_and_search(strict_page):
    page = strict_page
    page.goto("/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.goto("/")
    reachable = tab_until(page, "document.activeElement.id === 'header-q'")
    assert reachable, "the search box cannot be reached with the keyboard"
    page.keyboard.type("heat pump")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/search/\?q=heat"))


def test_hostile_markdown_never_runs_a_script(page):
    """With the CSP bypassed, so that the sanitiser alone is tested (the CSP is a second wall)."""
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto("/cities/cologne/hostile-markdown/")
    page.wait_for_load_state("networkidle")
    for link in page.locator("main a").all():
        href = link.get_attribute("href") or ""
        assert not href.lower().lstrip().startswith(("javascript:", "data:")), href
    page.locator("main").click()  # focus and interaction handlers get their chance
    assert page.evaluate("typeof window.__xss") == "undefined"
    assert dialogs == []
    assert page.locator("main script, main iframe, main object, main embed, main form, main svg").count() == 0
    assert "Sections are sanitised too." in page.locator("main").inner_text()
    results = page.goto("/search/?q=hostile+markdown")
    assert results.status == 200 and page.evaluate("typeof window.__xss") == "undefined"
