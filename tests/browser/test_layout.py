"""What a reader sees, on a phone and on a desktop: nothing wider than the screen, results before filters, the map
readable without colour, the city's whole part in the network, Action Plans at a glance, the German interface."""

import re

import pytest

from .conftest import PAGES, axe_violations, screenshot, tab_until

pytestmark = pytest.mark.browser

HEADING_LEVELS = "[...document.querySelectorAll('h1, h2, h3, h4, h5, h6')].map(h => Number(h.tagName[1]))"


PHONE_PAGES = {**PAGES, "not-found": "/no-such-page/"}


@pytest.mark.parametrize("name", PHONE_PAGES)
def test_phone_pages_fit_the_screen_and_stay_accessible(phone_page, name):
    page = phone_page
    assert page.goto(PHONE_PAGES[name]).status == (404 if name == "not-found" else 200)
    screenshot(page, f"phone-{name}")
    width, screen = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
    assert width <= screen, f"{PHONE_PAGES[name]} is {width} px wide on a {screen} px screen"
    header = page.locator("header.site-header").bounding_box()["height"]
    assert header < 0.25 * page.viewport_size["height"], f"the header takes {header:.0f} px of the first screen"
    assert axe_violations(page) == []


@pytest.mark.parametrize("name", PAGES)
def test_headings_never_skip_a_level(page, name):
    page.goto(PAGES[name])
    levels = page.evaluate(HEADING_LEVELS)
    assert levels[0] == 1
    jumps = [(a, b) for a, b in zip(levels, levels[1:], strict=False) if b > a + 1]
    assert jumps == [], f"{PAGES[name]} jumps from one heading level to a deeper one: {jumps}"


def test_search_on_a_phone_shows_results_before_filters(phone_page):
    page = phone_page
    page.goto("/search/?q=renovation")
    first = page.locator("article.result").first.bounding_box()
    assert first["y"] < 844, "the first result is below the first screen"
    filters = page.locator(".facets input[type=checkbox]")
    assert not filters.first.is_visible()  # folded away, behind one line
    page.locator(".facets summary").click()
    assert filters.first.is_visible()
    header = page.locator(".site-header").bounding_box()
    assert header["height"] < 844 * 0.25


def test_search_filters_are_open_beside_the_results_on_a_desktop(page):
    page.goto("/search/?q=renovation")
    assert page.locator(".facets input[type=checkbox]").first.is_visible()


def test_header_and_home_search_boxes_suggest_titles(strict_page):
    page = strict_page
    page.goto("/")
    for box_id in ("home-q", "header-q"):
        box = page.locator(f"#{box_id}")
        assert box.get_attribute("role") == "combobox"
        box.press_sequentially("proxim", delay=40)
        option = page.locator(f"#{box_id}-suggestions [role=option]").first
        option.wait_for()
        box.press("ArrowDown")
        assert box.get_attribute("aria-activedescendant") == option.get_attribute("id")
        box.press("Escape")
        assert box.get_attribute("aria-expanded") == "false"
    assert page.locator("#header-q").get_attribute("aria-controls") == "header-q-suggestions"


def test_home_features_a_lesson_once_and_lists_the_latest_newest_first(page):
    page.goto("/")
    featured = page.locator("section[aria-labelledby=featured-heading] .card-title").all_inner_texts()
    latest = page.locator("section[aria-labelledby=latest-heading]")
    assert not set(featured) & set(latest.locator(".card-title").all_inner_texts())
    dates = latest.locator("time").evaluate_all("times => times.map(t => t.getAttribute('datetime'))")
    assert dates == sorted(dates, reverse=True) and dates


def test_map_shows_twinnings_and_roles_without_relying_on_colour(page):
    page.goto("/cities/")
    assert page.locator(".map-twinnings line").count() >= 3
    legend = page.locator(".legend").inner_text()
    for role in ("Pilot City", "Twin City", "Mission city", "Twinning"):
        assert role in legend
    shapes = page.locator(".map .marker").evaluate_all("uses => new Set(uses.map(u => u.getAttribute('href'))).size")
    assert shapes >= 3  # a shape per role, not only a colour
    centres = page.locator(".map .marker").evaluate_all(
        "uses => uses.map(u => u.getBoundingClientRect()).map(b => [b.x + b.width / 2, b.y + b.height / 2])"
    )
    closest = min(
        ((ax - bx) ** 2 + (ay - by) ** 2) ** 0.5 for i, (ax, ay) in enumerate(centres) for bx, by in centres[i + 1 :]
    )
    assert closest >= 10, f"two dots are {closest:.1f} px apart"


def test_map_can_be_skipped_by_keyboard(strict_page):
    page = strict_page
    page.goto("/cities/")
    page.locator("#main").focus()
    assert tab_until(page, "document.activeElement.className === 'skip-map'"), "no skip link before the map"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('#cities-table') !== null")


def test_map_dots_grow_on_a_phone(phone_page, page):
    sizes = []
    for reader in (page, phone_page):
        reader.goto("/cities/")
        sizes.append(reader.locator(".map .marker").first.bounding_box()["width"])
    desktop, phone = sizes
    assert phone >= 8, f"the dots are {phone:.1f} px wide on a phone"
    assert phone / phone_page.viewport_size["width"] > desktop / page.viewport_size["width"]


def test_city_lists_the_visits_it_made_its_partner_lessons_and_its_feed(page):
    page.goto("/cities/cologne/")
    made = page.locator("section[aria-labelledby=visits-made-heading]")
    assert "Vitoria-Gasteiz" in made.inner_text()
    assert page.locator("section[aria-labelledby=partner-lessons-heading] .card").count() >= 1
    assert page.locator("a[href='/feeds/cities/cologne/']").count() == 1
    assert page.locator("link[rel=alternate][href='/feeds/cities/cologne/atom/']").count() == 1
    assert "1,084,000" in page.locator(".facts").inner_text()


def test_action_plans_listing_summarises_each_plan(page):
    page.goto("/action-plans/")
    card = page.locator(".card").first
    assert card.locator(".status").count() == 1
    assert card.locator(".rollup li").count() >= 1
    assert re.search(r"Total budget €[\d,]+", card.inner_text())


def test_action_plan_is_cards_on_a_phone(phone_page):
    page = phone_page
    page.goto("/cities/cologne/aktionsplan-quartiersbueros/")
    row = page.locator("table.actions tbody tr").first
    assert row.locator(".status").is_visible()
    assert row.locator("td.num").is_visible()
    label = row.locator("td.num").evaluate("td => getComputedStyle(td, '::before').content")
    assert "Budget" in label


def test_search_page_in_german(page):
    page.goto("/search/?q=proximity+offices")
    page.get_by_label("Language").select_option("de")
    page.get_by_role("button", name="Change").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "de"
    filters = page.locator(".facets").inner_text()
    for label in ("Typ", "Erkenntnis", "Land", "Deutschland", "Spanien", "Thema", "Energie", "Kohorte 1"):
        assert label in filters, label
    results = page.locator(".results").inner_text()
    assert "Sortieren nach" in results and "Relevanz" in results
    assert "Cologne, Deutschland · 20. Mai 2025" in results
    assert "2025-05-20" not in results and "· DE" not in results


def test_city_population_in_german(page, site):
    page.context.add_cookies([{"name": "django_language", "value": "de", "url": site["url"]}])
    page.goto("/cities/cologne/")
    assert "1.084.000" in page.locator(".facts").inner_text()


def test_favicon(page, site):
    page.goto("/")
    icon = page.locator("link[rel=icon]").first.get_attribute("href")
    assert page.request.get(icon).status == 200
    assert page.request.get("/favicon.ico").status == 200


def test_map_places_dots_in_the_german_interface_too(page, site):
    """SVG coordinates are numbers, not "480,1" as the German interface writes decimals."""
    page.context.add_cookies([{"name": "django_language", "value": "de", "url": site["url"]}])
    page.goto("/cities/")
    boxes = page.locator(".map .marker").evaluate_all("uses => uses.map(u => u.getBoundingClientRect().x)")
    assert len(set(boxes)) > len(boxes) / 2  # not all in the corner


def test_listing_in_german(page, site):
    """Filter labels, countries, themes, card dates and the editor's pick badge in the reader's language."""
    page.context.add_cookies([{"name": "django_language", "value": "de", "url": site["url"]}])
    page.goto("/lessons/")
    filters = page.locator("form.filters").inner_text()
    for label in ("Thema", "Land", "Sprache", "Energie", "Deutschland", "Spanien"):
        assert label in filters, label
    cards = page.locator(".cards").inner_text()
    assert "Empfehlung der Redaktion" in cards
    months = "Januar|Februar|März|April|Mai|Juni|Juli|August|September|Oktober|November|Dezember"
    assert re.search(rf"\d{{1,2}}\. ({months}) \d{{4}}", cards)
    assert "Editor's pick" not in cards and not re.search(r"\b\d{4}-\d{2}-\d{2}\b", cards)
