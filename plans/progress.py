"""Timeliness derived from what a city reports: never typed in, so it cannot be left stale by hand.

An action is, in this order of precedence:

- **completed** or **cancelled** when its status says so;
- **late** when its planned end has passed, when its planned start has passed and it has not started, or when the
  city reported it delayed;
- **stale** when nothing was heard of it (a status update, or a value of an indicator it moves) within the plan's
  update interval;
- **on time** otherwise.

A plan takes the worst timeliness of its open actions; it is completed when every action is completed or cancelled.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from plans.models import Action, ActionStatus


class Timeliness(models.TextChoices):
    LATE = "late", _("Late")
    STALE = "stale", _("Not updated")
    ON_TIME = "on_time", _("On time")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


OPEN = (Timeliness.LATE, Timeliness.STALE, Timeliness.ON_TIME)  # worst first


@dataclass(frozen=True)
class ActionProgress:
    action: Action
    timeliness: Timeliness
    last_heard: date | None  # the latest status update or indicator value

    @property
    def label(self):
        return self.timeliness.label


def last_heard(action: Action) -> date | None:
    dates = [update.date for update in action.updates.all()]
    dates += [value.date for indicator in action.moved_indicators() for value in indicator.values.all()]
    return max(dates, default=None)


def timeliness(action: Action, *, interval_days: int, since: date | None, today: date | None = None) -> ActionProgress:
    """The action's timeliness on ``today``; ``since`` is when the plan started to be followed (adoption)."""
    today = today or timezone.localdate()
    heard = last_heard(action)
    if action.status == ActionStatus.COMPLETED:
        return ActionProgress(action, Timeliness.COMPLETED, heard)
    if action.status == ActionStatus.CANCELLED:
        return ActionProgress(action, Timeliness.CANCELLED, heard)
    overdue_end = action.planned_end and action.planned_end < today
    overdue_start = action.planned_start and action.planned_start < today and not action.actual_start
    if action.status == ActionStatus.DELAYED or overdue_end or overdue_start:
        return ActionProgress(action, Timeliness.LATE, heard)
    reference = heard or since
    if reference and reference < today - timedelta(days=interval_days):
        return ActionProgress(action, Timeliness.STALE, heard)
    return ActionProgress(action, Timeliness.ON_TIME, heard)


@dataclass(frozen=True)
class PlanProgress:
    actions: list[ActionProgress]

    @property
    def counts(self) -> list[tuple[Timeliness, int]]:
        """``(timeliness, number of actions)`` for every timeliness, worst first."""
        counted = Counter(progress.timeliness for progress in self.actions)
        return [(value, counted.get(value, 0)) for value in Timeliness]

    @property
    def timeliness(self) -> Timeliness | None:
        if not self.actions:
            return None
        found = {progress.timeliness for progress in self.actions}
        for value in OPEN:
            if value in found:
                return value
        return Timeliness.COMPLETED if Timeliness.COMPLETED in found else Timeliness.CANCELLED

    def of(self, action: Action) -> ActionProgress:
        return next(progress for progress in self.actions if progress.action.identifier == action.identifier)


def plan_progress(plan, today: date | None = None) -> PlanProgress:
    since = plan.adopted_on or (plan.first_published_at and timezone.localdate(plan.first_published_at))
    return PlanProgress(
        [
            timeliness(action, interval_days=plan.update_interval_days, since=since, today=today)
            for action in plan.actions.all()
        ]
    )


def status_on(action: Action, day: date) -> str:
    """The status the action had on ``day``: from the latest dated status update before it, else from its dates.

    An action with no dated updates counts as planned until its actual start, in progress until its actual end,
    and in its current status from then on; on or after today it is always in its current status.
    """
    if day >= timezone.localdate():
        return action.status
    reported = [update for update in action.updates.all() if update.status and update.date <= day]
    if reported:
        return max(reported, key=lambda update: update.date).status
    if action.actual_end and action.actual_end <= day:
        return action.status
    if action.actual_start and action.actual_start <= day:
        return ActionStatus.IN_PROGRESS.value
    return ActionStatus.PLANNED.value


def status_over_time(plan, days: list[date]) -> dict[str, list[int]]:
    """Actions per reported status on each of ``days``, replayed from the dated status updates and dates."""
    counts = {status: [0] * len(days) for status in ActionStatus.values}
    for action in plan.actions.all():
        for index, day in enumerate(days):
            counts[status_on(action, day)][index] += 1
    return counts
