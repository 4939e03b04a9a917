"""What an Action Plan is made of once it is adopted: actions, their dated status updates, and indicators.

Every record here hangs off its plan page through a ``ParentalKey``, so the page's revisions hold the whole plan:
an edit in the admin, a spreadsheet upload or an import is one revision with its author, and the history of an
action is the history of its plan. The derived timeliness (on time, late, stale…) is computed in
``plans.progress``, never stored.
"""

from datetime import date

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.models import Orderable
from wagtail.snippets.models import register_snippet

from kb.models import MarkdownField, check_dates_in_order

MAX_EUROS = 10**12 - 1  # more than any city's whole budget; keeps a typo from breaking every sum
MAX_MAGNITUDE = 10**12  # indicator values: generous, but finite and storable in a 16-digit decimal


class ActionStatus(models.TextChoices):
    """What the city reports; the timeliness readers see is derived from it and the dates."""

    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    DELAYED = "delayed", _("Delayed")
    CANCELLED = "cancelled", _("Cancelled")


class Phase(models.TextChoices):
    """Where the work stands, independent of whether it is on time."""

    DESIGN = "design", _("Design")
    PROCUREMENT = "procurement", _("Procurement")
    IMPLEMENTATION = "implementation", _("Implementation")
    EVALUATION = "evaluation", _("Evaluation")


class Direction(models.TextChoices):
    INCREASE = "increase", _("Higher is better")
    DECREASE = "decrease", _("Lower is better")


def _euros(verbose_name):
    return models.DecimalField(
        verbose_name,
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(MAX_EUROS)],
    )


def _measure(verbose_name, **options):
    return models.DecimalField(
        verbose_name,
        max_digits=16,
        decimal_places=4,
        validators=[MinValueValidator(-MAX_MAGNITUDE), MaxValueValidator(MAX_MAGNITUDE)],
        **options,
    )


@register_snippet
class CommonIndicator(models.Model):
    """An indicator the whole network measures the same way, so that cities can be compared on one chart."""

    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=120, unique=True)
    unit = models.CharField(_("unit"), max_length=40)
    direction = models.CharField(_("direction"), max_length=8, choices=Direction.choices, default=Direction.INCREASE)
    per_inhabitants = models.BooleanField(
        _("compare per 1,000 inhabitants"),
        default=True,
        help_text=_("Divide each city's values by its population (in thousands) when cities are compared."),
    )
    description = models.TextField(_("how it is measured"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("common indicator")
        verbose_name_plural = _("common indicators")

    def __str__(self):
        return self.name


class Indicator(Orderable, ClusterableModel):
    """Something a plan measures over time: a baseline, goals and dated values."""

    plan = ParentalKey("kb.ActionPlanPage", on_delete=models.CASCADE, related_name="indicators")
    identifier = models.SlugField(
        _("identifier"), max_length=60, help_text=_("Short and stable; spreadsheets and content files refer to it.")
    )
    name = models.CharField(_("name"), max_length=200)
    unit = models.CharField(_("unit"), max_length=40, blank=True)
    direction = models.CharField(_("direction"), max_length=8, choices=Direction.choices, default=Direction.INCREASE)
    common = models.ForeignKey(
        CommonIndicator,
        verbose_name=_("common indicator"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="indicators",
        help_text=_("The network-wide indicator this one reports, in the same unit."),
    )
    baseline_date = models.DateField(_("baseline date"), null=True, blank=True)
    baseline_value = _measure(_("baseline value"), null=True, blank=True)

    panels = [
        FieldRowPanel([FieldPanel("identifier"), FieldPanel("name")]),
        FieldRowPanel([FieldPanel("unit"), FieldPanel("direction"), FieldPanel("common")]),
        FieldRowPanel([FieldPanel("baseline_date"), FieldPanel("baseline_value")]),
        InlinePanel("goals", heading=_("Goals"), label=_("Goal")),
        InlinePanel("values", heading=_("Measured values"), label=_("Value")),
    ]

    class Meta(Orderable.Meta):
        constraints = [models.UniqueConstraint(fields=["plan", "identifier"], name="indicator_identifier_per_plan")]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")

    def __str__(self):
        return self.name

    def series(self) -> list["IndicatorValue"]:
        """The measured values in date order (works on unsaved revisions too: sorts in Python)."""
        return sorted(self.values.all(), key=lambda value: value.date)

    def latest(self) -> "IndicatorValue | None":
        series = self.series()
        return series[-1] if series else None

    def final_goal(self) -> "IndicatorGoal | None":
        goals = sorted(self.goals.all(), key=lambda goal: goal.date or date.max)
        return goals[-1] if goals else None

    def progress_percent(self) -> int | None:
        """How far the latest value has moved from the baseline towards the final goal, clamped to 0–100."""
        latest, goal = self.latest(), self.final_goal()
        if latest is None or goal is None or self.baseline_value is None or goal.value == self.baseline_value:
            return None
        share = (latest.value - self.baseline_value) / (goal.value - self.baseline_value)
        return int(max(0, min(1, share)) * 100)


class IndicatorGoal(Orderable):
    indicator = ParentalKey(Indicator, on_delete=models.CASCADE, related_name="goals")
    date = models.DateField(_("date"), null=True, blank=True, help_text=_("When the goal should be reached."))
    value = _measure(_("value"))

    panels = [FieldRowPanel([FieldPanel("date"), FieldPanel("value")])]

    class Meta(Orderable.Meta):
        verbose_name = _("goal")


class IndicatorValue(Orderable):
    indicator = ParentalKey(Indicator, on_delete=models.CASCADE, related_name="values")
    date = models.DateField(_("date"))
    value = _measure(_("value"))
    source = models.CharField(_("source"), max_length=255, blank=True, help_text=_("Where the figure comes from."))

    panels = [FieldRowPanel([FieldPanel("date"), FieldPanel("value"), FieldPanel("source")])]

    class Meta(Orderable.Meta):
        constraints = [models.UniqueConstraint(fields=["indicator", "date"], name="one_value_per_indicator_and_date")]
        verbose_name = _("measured value")


class ActionQuerySet(models.QuerySet):
    def published(self):
        """Actions of plans every reader may see (the plans' own visibility rule)."""
        from kb.models import ActionPlanPage

        return self.filter(plan__in=ActionPlanPage.objects.published())


class Action(Orderable, ClusterableModel):
    """One thing the plan commits the city to do, with its own address under the plan."""

    plan = ParentalKey("kb.ActionPlanPage", on_delete=models.CASCADE, related_name="actions")
    identifier = models.SlugField(
        _("identifier"),
        max_length=40,
        help_text=_("Part of the action's address (…/actions/<identifier>/); keep it once published."),
    )
    title = models.CharField(_("title"), max_length=255)
    description = MarkdownField(_("description"), blank=True)
    theme = models.ForeignKey(
        "kb.Theme", verbose_name=_("theme"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    lead_department = models.CharField(_("lead department"), max_length=200, blank=True)
    partners = models.CharField(_("partners"), max_length=500, blank=True, help_text=_("Separated by semicolons."))
    phase = models.CharField(_("phase"), max_length=16, choices=Phase.choices, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=ActionStatus.choices, default=ActionStatus.PLANNED)
    status_reason = models.CharField(
        _("reason for the status"), max_length=500, blank=True, help_text=_("Why it is delayed, cancelled…")
    )
    planned_start = models.DateField(_("planned start"), null=True, blank=True)
    planned_end = models.DateField(_("planned end"), null=True, blank=True)
    actual_start = models.DateField(_("actual start"), null=True, blank=True)
    actual_end = models.DateField(_("actual end"), null=True, blank=True)
    budget_planned_eur = _euros(_("planned budget (EUR)"))
    budget_spent_eur = _euros(_("spent so far (EUR)"))
    # By identifier rather than a foreign key: a plan's revision then holds the whole plan, new indicators and the
    # actions that move them included, before anything is saved (a key would need the indicators' rows first).
    indicator_ids = models.CharField(
        _("indicators it moves"),
        max_length=500,
        blank=True,
        help_text=_("Identifiers of the plan's indicators, separated by commas."),
    )
    lessons = ParentalManyToManyField(
        "kb.LessonPage", verbose_name=_("lessons that informed it"), blank=True, related_name="informed_actions"
    )

    objects = ActionQuerySet.as_manager()

    panels = [
        FieldRowPanel([FieldPanel("identifier"), FieldPanel("title")]),
        FieldPanel("description"),
        FieldRowPanel([FieldPanel("theme"), FieldPanel("phase")]),
        FieldRowPanel([FieldPanel("status"), FieldPanel("status_reason")]),
        FieldRowPanel([FieldPanel("lead_department"), FieldPanel("partners")]),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("planned_start"), FieldPanel("planned_end")]),
                FieldRowPanel([FieldPanel("actual_start"), FieldPanel("actual_end")]),
                FieldRowPanel([FieldPanel("budget_planned_eur"), FieldPanel("budget_spent_eur")]),
            ],
            heading=_("Dates and budget"),
        ),
        FieldRowPanel([FieldPanel("indicator_ids"), FieldPanel("lessons")]),
        InlinePanel("updates", heading=_("Status updates"), label=_("Status update")),
        InlinePanel("adaptations", heading=_("Adapted from another city's work"), label=_("Adapted from")),
    ]

    class Meta(Orderable.Meta):
        constraints = [models.UniqueConstraint(fields=["plan", "identifier"], name="action_identifier_per_plan")]
        verbose_name = _("action")
        verbose_name_plural = _("actions")

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        check_dates_in_order(self, ("planned_start", "planned_end"), ("actual_start", "actual_end"))

    def get_url(self, request=None) -> str:
        return f"{self.plan.get_url(request)}actions/{self.identifier}/"

    @property
    def url(self) -> str:
        return self.get_url()

    def indicator_identifiers(self) -> list[str]:
        return [identifier.strip() for identifier in self.indicator_ids.split(",") if identifier.strip()]

    def moved_indicators(self) -> list[Indicator]:
        """The plan's indicators this action names, in the order it names them."""
        by_identifier = {indicator.identifier: indicator for indicator in self.plan.indicators.all()}
        return [by_identifier[key] for key in self.indicator_identifiers() if key in by_identifier]

    def published_lessons(self):
        from kb.models import LessonPage

        return LessonPage.objects.published().filter(pk__in=[lesson.pk for lesson in self.lessons.all()])

    def partner_list(self) -> list[str]:
        return [name.strip() for name in self.partners.split(";") if name.strip()]

    def history(self) -> list["StatusUpdate"]:
        """Status updates, newest first (sorted in Python so that previews of unsaved revisions agree)."""
        return sorted(self.updates.all(), key=lambda update: update.date, reverse=True)


class StatusUpdate(Orderable):
    """A dated, signed line in an action's history: what happened, and the status it left the action in."""

    action = ParentalKey(Action, on_delete=models.CASCADE, related_name="updates")
    date = models.DateField(_("date"), default=date.today)
    author = models.CharField(_("author"), max_length=120)
    status = models.CharField(_("status"), max_length=12, choices=ActionStatus.choices, blank=True)
    text = models.TextField(_("what happened"), max_length=2000)

    panels = [FieldRowPanel([FieldPanel("date"), FieldPanel("author"), FieldPanel("status")]), FieldPanel("text")]

    class Meta(Orderable.Meta):
        verbose_name = _("status update")
        verbose_name_plural = _("status updates")


def record_prefetches() -> list[Prefetch]:
    """Every record of a plan its pages, the API and the downloads show, each kind loaded in one query.

    ``action.plan`` is the plan they were loaded with, so an action finds the indicators it moves among those
    already loaded (``moved_indicators``) instead of asking again.
    """
    from kb.models import LessonPage  # kb.models reads this module's progress rules at call time: no cycle

    lessons = LessonPage.objects.published().order_by("title")
    actions = Action.objects.select_related("theme").prefetch_related("updates", Prefetch("lessons", queryset=lessons))
    indicators = Indicator.objects.select_related("common").prefetch_related("goals", "values")
    return [Prefetch("actions", queryset=actions), Prefetch("indicators", queryset=indicators)]
