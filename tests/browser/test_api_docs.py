"""The API's documentation renders under the site's own Content-Security-Policy (its assets come from the site)."""

import pytest

pytestmark = pytest.mark.browser


def test_api_docs_render_under_the_sites_csp(strict_page):
    page = strict_page
    response = page.goto("/api/docs")
    assert response.status == 200
    assert "script-src 'self'" in response.headers["content-security-policy"]
    operation = page.locator(".opblock-summary-path", has_text="/api/search").first
    operation.wait_for(timeout=15_000)  # drawn by Swagger UI's script from the OpenAPI schema
    assert page.locator(".info .title").inner_text().startswith("EU Cities Mission knowledge base")


def test_api_docs_fit_a_phone(phone_page):
    page = phone_page
    page.goto("/api/docs")
    page.locator(".opblock-summary-path", has_text="/api/search").first.wait_for(timeout=15_000)
    width, screen = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
    assert width <= screen, f"/api/docs is {width} px wide on a {screen} px screen"
