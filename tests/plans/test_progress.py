"""Timeliness is derived from what the city reported and its dates, never typed in."""

from datetime import date
from decimal import Decimal

import pytest

from kb.models import ActionPlanPage
from plans.models import Action, Indicator, IndicatorGoal, IndicatorValue, StatusUpdate
from plans.progress import Timeliness, plan_progress, status_on, status_over_time, timeliness

pytestmark = pytest.mark.django_db  # unsaved clusters may still ask the database for their children

TODAY = date(2026, 12, 1)


def plan_with(*actions, indicators=(), adopted_on=date(2025, 3, 1), interval=90) -> ActionPlanPage:
    plan = ActionPlanPage(title="Plan", adopted_on=adopted_on, update_interval_days=interval)
    plan.indicators = list(indicators)
    plan.actions = list(actions)
    for action in actions:
        action.plan = plan
    return plan


def action(identifier="1", status="in_progress", updates=(), **fields) -> Action:
    record = Action(identifier=identifier, title=f"Action {identifier}", status=status, **fields)
    record.updates = [StatusUpdate(date=day, author="Ana", status=reported, text="…") for day, reported in updates]
    return record


def judged(record: Action, plan=None, today=TODAY) -> Timeliness:
    plan = plan or plan_with(record)
    return timeliness(record, interval_days=plan.update_interval_days, since=plan.adopted_on, today=today).timeliness


@pytest.mark.parametrize(
    "fields, expected",
    [
        ({"status": "completed", "planned_end": date(2025, 1, 1)}, Timeliness.COMPLETED),  # done, even if late
        ({"status": "cancelled"}, Timeliness.CANCELLED),
        ({"status": "delayed", "updates": [(date(2026, 11, 1), "delayed")]}, Timeliness.LATE),  # the city said so
        ({"planned_end": date(2026, 11, 30), "updates": [(date(2026, 11, 1), "")]}, Timeliness.LATE),  # overdue
        ({"status": "planned", "planned_start": date(2026, 6, 1)}, Timeliness.LATE),  # should have started
        (
            {"status": "planned", "planned_start": date(2027, 6, 1), "updates": [(date(2026, 10, 1), "")]},
            Timeliness.ON_TIME,
        ),
        ({"updates": [(date(2026, 9, 2), "")]}, Timeliness.ON_TIME),  # 90 days ago, just
        ({"updates": [(date(2026, 9, 1), "")]}, Timeliness.STALE),  # 91 days ago
        ({}, Timeliness.STALE),  # never heard of since the adoption, 21 months ago
    ],
)
def test_timeliness(fields, expected):
    assert judged(action(**fields)) == expected


def test_a_value_of_an_indicator_the_action_moves_counts_as_news():
    indicator = Indicator(identifier="homes", name="Homes")
    indicator.values = [IndicatorValue(date=date(2026, 11, 15), value=Decimal(3))]
    quiet = action(updates=[(date(2025, 5, 1), "in_progress")], indicator_ids="homes")
    plan = plan_with(quiet, indicators=[indicator])
    assert judged(quiet, plan) == Timeliness.ON_TIME
    quiet.indicator_ids = ""
    assert judged(quiet, plan) == Timeliness.STALE


def test_the_plans_update_interval_decides_what_is_stale():
    record = action(updates=[(date(2026, 7, 1), "")])
    assert judged(record, plan_with(record, interval=90)) == Timeliness.STALE
    assert judged(record, plan_with(record, interval=365)) == Timeliness.ON_TIME


def test_a_plan_takes_the_worst_of_its_open_actions():
    done = action("1", status="completed")
    fine = action("2", updates=[(date(2026, 11, 20), "")])
    late = action("3", status="delayed")
    assert plan_progress(plan_with(done, fine), today=TODAY).timeliness == Timeliness.ON_TIME
    progress = plan_progress(plan_with(done, fine, late), today=TODAY)
    assert progress.timeliness == Timeliness.LATE
    assert dict(progress.counts)[Timeliness.LATE] == 1 and dict(progress.counts)[Timeliness.COMPLETED] == 1
    assert plan_progress(plan_with(done), today=TODAY).timeliness == Timeliness.COMPLETED
    assert plan_progress(plan_with(), today=TODAY).timeliness is None


def test_status_history_is_replayed_from_updates_and_dates():
    updates = [(date(2025, 5, 10), "in_progress"), (date(2026, 3, 2), "delayed")]
    reported = action("1", status="delayed", updates=updates)
    dated = action("2", status="completed", actual_start=date(2025, 4, 1), actual_end=date(2025, 12, 12))
    assert [status_on(reported, day) for day in (date(2025, 4, 30), date(2025, 6, 30), date(2026, 3, 31))] == [
        "planned",
        "in_progress",
        "delayed",
    ]
    assert [status_on(dated, day) for day in (date(2025, 3, 31), date(2025, 6, 30), date(2025, 12, 31))] == [
        "planned",
        "in_progress",
        "completed",
    ]
    counts = status_over_time(plan_with(reported, dated), [date(2025, 3, 31), date(2025, 6, 30)])
    assert counts["planned"] == [2, 0] and counts["in_progress"] == [0, 2]


@pytest.mark.parametrize(
    "baseline, latest, goal, percent",
    [(0, 310, 1200, 25), (100, 50, 0, 50), (0, 2000, 1000, 100), (10, 5, 20, 0), (5, 5, 5, None)],
)
def test_indicator_progress_towards_its_final_goal(baseline, latest, goal, percent):
    indicator = Indicator(identifier="k", name="k", baseline_value=Decimal(baseline))
    indicator.goals = [
        IndicatorGoal(date=date(2025, 1, 1), value=Decimal(-999)),  # an earlier goal: the final one counts
        IndicatorGoal(date=date(2027, 1, 1), value=Decimal(goal)),
    ]
    indicator.values = [
        IndicatorValue(date=date(2026, 6, 1), value=Decimal(latest)),
        IndicatorValue(date=date(2025, 6, 1), value=Decimal(-999)),  # older, listed later: order by date
    ]
    assert indicator.progress_percent() == percent


def test_rollups_count_by_status_and_sum_budgets():
    plan = plan_with(
        action("1", status="completed", budget_planned_eur=Decimal("1000.50"), budget_spent_eur=Decimal(900)),
        action("2", status="completed", budget_planned_eur=Decimal("200")),
        action("3", status="delayed"),
        action("4", status="in_progress", budget_planned_eur=Decimal("99.50")),
    )
    counts = {status: count for status, _label, count in plan.actions_by_status()}
    assert counts == {"planned": 0, "in_progress": 1, "completed": 2, "delayed": 1, "cancelled": 0}
    assert plan.total_budget() == Decimal("1300.00") and plan.total_spent() == Decimal(900)
