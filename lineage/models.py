"""Adoption records: a lesson or an action of one city says what it was adapted from, and how that went.

The record belongs to what adopted (the later lesson or action), so it is written by the adopting city's editors
in that page's form and lives in its revisions, like every other part of a page; the page permissions that keep
a city editor to its own city's pages keep them to their own city's adoptions too. The source is a published
lesson, visit report or Action Plan (with one of its actions named by identifier, as actions' addresses are).
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.models import Orderable, Page

from kb.admin_forms import CityFirstPageChooserPanel

SOURCE_TYPES = ["kb.LessonPage", "kb.VisitReportPage", "kb.ActionPlanPage"]


class Outcome(models.TextChoices):
    """How the adapted idea went in the city that adopted it, as that city reports it."""

    WORKED = "worked", _("Worked")
    PARTLY = "partly", _("Partly worked")
    DID_NOT_WORK = "did_not_work", _("Did not work")


class Adoption(Orderable):
    source_page = models.ForeignKey(
        Page,
        verbose_name=_("adapted from"),
        null=True,  # a source taken down leaves the record (what changed, how it went) in place
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("A published lesson, visit report or Action Plan of another city."),
    )
    source_action = models.SlugField(
        _("action of that plan"),
        max_length=40,
        blank=True,
        help_text=_("When adapted from an action: its identifier in the Action Plan chosen above."),
    )
    changes = models.TextField(_("what was changed, and why"), blank=True)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices, blank=True)
    outcome_date = models.DateField(_("outcome reported on"), null=True, blank=True)
    outcome_note = models.TextField(_("about the outcome"), blank=True)

    panels = [
        FieldRowPanel([CityFirstPageChooserPanel("source_page", SOURCE_TYPES), FieldPanel("source_action")]),
        FieldPanel("changes"),
        MultiFieldPanel(
            [FieldRowPanel([FieldPanel("outcome"), FieldPanel("outcome_date")]), FieldPanel("outcome_note")],
            heading=_("Outcome"),
        ),
    ]

    class Meta(Orderable.Meta):
        abstract = True

    def clean(self):
        super().clean()
        check_source(self.source_page, self.source_action)
        if self.outcome_date and not self.outcome:
            raise ValidationError({"outcome": _("Say what the outcome was, or leave its date empty.")})


def check_source(page, action_identifier: str) -> None:
    """A source is a lesson, visit report or plan; an action is named only in a plan, and must be one of it.

    That it is published is checked by the admin's form (``kb.admin_forms``), and readers see only published
    sources (``lineage.transfers``).
    """
    from kb.models import ActionPlanPage, LessonPage, VisitReportPage

    if page is None:
        raise ValidationError({"source_page": _("Choose what it was adapted from.")})
    page = page.specific
    if not isinstance(page, (LessonPage, VisitReportPage, ActionPlanPage)):
        raise ValidationError({"source_page": _("Choose a lesson, a visit report or an Action Plan.")})
    if action_identifier and not isinstance(page, ActionPlanPage):
        raise ValidationError({"source_action": _("Only an Action Plan has actions.")})
    if action_identifier and not page.actions.filter(identifier=action_identifier).exists():
        raise ValidationError({"source_action": _("The chosen plan has no action with this identifier.")})


class LessonAdoption(Adoption):
    """A lesson of this city adapted from another city's work."""

    lesson = ParentalKey("kb.LessonPage", on_delete=models.CASCADE, related_name="adaptations")

    class Meta(Adoption.Meta):
        verbose_name = _("adapted from")
        verbose_name_plural = _("adapted from")


class ActionAdoption(Adoption):
    """An action of this city's plan adapted from another city's work; its outcome may be shown by an indicator."""

    action = ParentalKey("plans.Action", on_delete=models.CASCADE, related_name="adaptations")
    outcome_indicator = models.SlugField(
        _("indicator that shows the outcome"),
        max_length=40,
        blank=True,
        help_text=_("The identifier of one of this plan's indicators."),
    )

    panels = [*Adoption.panels, FieldPanel("outcome_indicator")]

    class Meta(Adoption.Meta):
        verbose_name = _("adapted from")
        verbose_name_plural = _("adapted from")
