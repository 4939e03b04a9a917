"""A member on a phone, in German: signs in, follows a city and a search, and manages the alerts."""

import pytest

from .conftest import MEMBER, axe_violations, screenshot

pytestmark = pytest.mark.browser


def fits(page) -> None:
    width, screen = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
    assert width <= screen, f"{page.url} is {width} px wide on a {screen} px screen"


def test_a_member_follows_and_manages_alerts_on_a_phone_in_german(phone_page, site):
    page = phone_page
    page.context.add_cookies([{"name": "django_language", "value": "de", "url": site["url"]}])
    page.goto("/cities/cologne/")
    page.get_by_role("link", name="Dieser Stadt folgen").click()  # signed out: leads to signing in
    page.get_by_label("E-Mail").fill(MEMBER["email"])
    page.get_by_label("Passwort").fill(MEMBER["password"])
    page.locator(".account-form button[type=submit]").click()
    page.wait_for_url("**/cities/cologne/")  # back where the reader was
    page.get_by_role("button", name="Dieser Stadt folgen").click()
    page.wait_for_load_state()
    assert "Sie folgen jetzt Cologne" in page.locator(".messages").inner_text()
    page.goto("/search/?q=Sanierung&country=DE")
    page.get_by_role("button", name="Bei neuen Ergebnissen benachrichtigen").click()
    page.goto("/alerts/")
    screenshot(page, "phone-my-alerts-de")
    fits(page)
    follows = page.locator(".follows li")
    assert follows.count() == 2
    assert "“Sanierung” · Land: Deutschland" in follows.nth(1).inner_text()
    assert axe_violations(page) == []
    page.get_by_label("Täglich").check()
    page.get_by_role("button", name="Speichern").click()
    assert page.get_by_label("Täglich").is_checked()
    follows.first.get_by_role("button").click()
    assert page.locator(".follows li").count() == 1
