"""Action Plans as readers look at them: charts drawn by the server, with their numbers one click away, an action's
own page with its history, and one common indicator across the network."""

import re

import pytest

from .conftest import screenshot

pytestmark = pytest.mark.browser

PLAN = "/cities/cologne/aktionsplan-quartiersbueros/"


def test_plan_draws_its_history_and_each_indicator_under_the_sites_csp(strict_page):
    page = strict_page
    assert page.goto(PLAN).status == 200
    charts = page.locator("svg.chart[role=img]")
    indicators = page.locator(".chart-grid > div").count()
    assert indicators >= 8 and charts.count() == indicators + 1  # the plan's history, then one per indicator
    for index in range(charts.count()):
        chart = charts.nth(index)
        assert chart.locator(":scope > title").text_content() and chart.locator(":scope > desc").text_content()
        assert chart.bounding_box()["width"] > 300  # drawn, not collapsed by the stylesheet
    history = page.locator(".chart-figure").first
    history.get_by_text("Show the numbers").click()
    assert history.locator("tbody tr").count() >= 12  # a row per month since the plan's adoption
    screenshot(page, "plan-charts")


def test_plan_page_weight(strict_page):
    """Everything the Action Plan page loads; printed for the closing note (BENCHMARKS.md says how it is made)."""
    page = strict_page
    sizes = []
    page.on("response", lambda response: sizes.append(len(response.body())) if response.ok else None)
    page.goto(PLAN, wait_until="networkidle")
    html = page.evaluate("document.documentElement.outerHTML.length")
    kib = sum(sizes) / 1024
    print(f"\nAction Plan page: {len(sizes)} requests, {kib:.0f} KiB transferred, HTML {html / 1024:.0f} KiB")
    assert len(sizes) < 15  # no chart library, no CDN: the page, the stylesheet, a few small scripts


def test_late_and_stale_actions_say_so_in_words(page):
    page.goto(PLAN)
    rows = page.locator("table.actions tbody tr")
    texts = [rows.nth(index).inner_text() for index in range(rows.count())]
    assert any("Late" in text for text in texts) and any("Not updated" in text for text in texts)


def test_action_page_tells_its_history_newest_first(page):
    assert page.goto(f"{PLAN}actions/3/").status == 200
    dates = page.locator(".history time").evaluate_all("times => times.map(t => t.getAttribute('datetime'))")
    assert len(dates) >= 3 and dates == sorted(dates, reverse=True)
    assert page.locator("svg.chart").count() >= 1
    assert page.get_by_role("link", name=re.compile("Aktionsplan Quartiersbüros")).count() >= 1


def test_network_view_highlights_the_city_it_came_from(phone_page):
    page = phone_page
    assert page.goto("/indicators/households-advised/?city=cologne").status == 200
    chart = page.locator("svg.chart")
    assert chart.locator(".end.highlighted").count() == 1 and chart.locator(".end.muted").count() >= 2  # Soria, Malmö
    width, screen = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
    assert width <= screen
    screenshot(page, "phone-common-indicator")


def test_plan_in_german(page, site):
    page.context.add_cookies([{"name": "django_language", "value": "de", "url": site["url"]}])
    page.goto(PLAN)
    assert "Verspätet" in page.locator("table.actions").inner_text()
    ticks = " ".join(page.locator("svg.chart .tick").all_text_contents())
    assert re.search(r"Januar|Februar|März|April|Mai|Juni|Juli|August|September|Oktober|November|Dezember", ticks)
