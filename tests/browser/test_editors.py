"""A city editor in Chromium: changes a lesson and submits it to the network's review with the main button."""

import pytest

from .conftest import EDITOR, screenshot

pytestmark = pytest.mark.browser


def test_a_city_editor_submits_a_change_for_review(page):
    page.goto("/admin/login/")
    page.fill("#id_username", EDITOR["username"])
    page.fill("#id_password", EDITOR["password"])
    page.locator("button[type=submit]").first.click()
    page.wait_for_url("**/admin/")
    page.goto("/admin/pages/search/?q=proximity")
    page.get_by_role("link", name="Proximity offices for building rehabilitation").first.click()
    page.wait_for_url("**/edit/")
    title = page.locator("#id_title")
    title.fill(title.input_value() + " (revised)")
    main = page.locator("footer button[name=action-submit]")
    assert main.is_visible() and "Submit to Network review" in main.inner_text()
    screenshot(page, "editor-submit")
    main.click()
    page.wait_for_url("**/admin/pages/*/")  # back in the explorer, where the page now waits for review
    assert page.get_by_text("submitted for moderation").first.is_visible()
    page.goto("/admin/pages/search/?q=proximity")
    revised = page.locator("tr", has_text="Proximity offices for building rehabilitation (revised)")
    assert "in moderation" in revised.first.inner_text().lower()
