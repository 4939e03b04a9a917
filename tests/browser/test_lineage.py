"""What travelled, as readers look at it: the transfer map with its table, by keyboard, under the site's CSP."""

import pytest

from .conftest import screenshot, tab_until

pytestmark = pytest.mark.browser


def test_the_map_is_reached_by_keyboard_and_pointing_at_a_city_brings_out_its_transfers(strict_page):
    page = strict_page
    assert page.goto("/transfers/").status == 200
    arrows = page.locator(".transfer-arrow")
    assert arrows.count() >= 5 and page.locator("#transfers-table tbody tr").count() == arrows.count()
    assert tab_until(page, "document.activeElement.classList.contains('skip-map')", presses=40)
    assert tab_until(page, "document.activeElement.classList.contains('transfer-arrow')")
    assert tab_until(page, "document.activeElement.getAttribute('data-city') === 'vitoria-gasteiz'", presses=40)
    linked = page.locator("#transfers-table tr.linked")
    assert linked.count() >= 2  # Cologne and Soria adapted the visit to Vitoria-Gasteiz
    assert all("Vitoria-Gasteiz" in linked.nth(index).inner_text() for index in range(linked.count()))
    assert page.locator("svg.focused .transfer-arrow.linked").count() == linked.count()
    screenshot(page, "transfer-map")


def test_the_city_page_lists_cities_like_it_with_reasons(page):
    assert page.goto("/cities/soria/").status == 200
    similar = page.locator("ol.similar > li")
    assert similar.count() == 5
    assert "/100" in similar.first.inner_text() and page.get_by_text("How the score is made").count() == 1
