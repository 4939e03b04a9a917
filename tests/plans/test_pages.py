"""The plan's public pages read their records once, however many actions and indicators the plan has."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kb.content_files.pages import find_page
from plans.models import Action, Indicator, IndicatorValue, StatusUpdate
from tests.network import COLOGNE_PLAN

pytestmark = pytest.mark.django_db


def queries_of(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def grown(plan, more: int) -> None:
    """The plan published again with ``more`` further actions, each moving a new indicator of its own."""
    revision = plan.get_latest_revision_as_object()
    indicators = [
        Indicator(
            identifier=f"extra-{n}",
            name=f"Extra indicator {n}",
            unit="count",
            baseline_value=0,
            baseline_date=date(2025, 1, 1),
            values=[IndicatorValue(date=date(2026, 1, 1), value=n)],
        )
        for n in range(more)
    ]
    actions = [
        Action(
            identifier=f"extra-{n}",
            title=f"Extra action {n}",
            status="in_progress",
            indicator_ids=f"extra-{n}",
            updates=[StatusUpdate(date=date(2026, 5, 1), author="Amt", text="Under way.", status="in_progress")],
        )
        for n in range(more)
    ]
    revision.indicators = [*revision.indicators.all(), *indicators]
    revision.actions = [*revision.actions.all(), *actions]
    revision.save_revision().publish()


def test_the_plan_page_and_an_action_page_do_not_query_per_action(client, structure):
    plan = find_page(structure, COLOGNE_PLAN)
    client.get(plan.url)  # caches warmed (site root, settings)
    before = queries_of(client, plan.url)
    action_url = plan.actions.get(identifier="1").url
    action_before = queries_of(client, action_url)
    grown(plan, 6)
    assert queries_of(client, plan.url) == before
    assert queries_of(client, action_url) == action_before
