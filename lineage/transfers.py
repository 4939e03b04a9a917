"""What travelled: adoption records as readers see them, each with both ends published and their cities.

One place decides which records are shown: both the adopting lesson (or the adopting action's plan) and the source
are published (``published()``, the one visibility rule); a source taken down hides its record, it does not break
the page. Every list here is loaded in a fixed number of queries, however many records there are.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import date

from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from kb.models import ActionPlanPage, CityPage, LessonPage, attach_cities, pages
from plans.models import Action, Indicator

from .models import ActionAdoption, LessonAdoption, Outcome


@dataclass(frozen=True)
class Transfer:
    """One adoption: ``source`` (a lesson, visit report, plan or action) of ``source_city`` was adapted into
    ``adopter`` (a lesson or an action) of ``adopter_city``."""

    source: object
    source_city: CityPage
    adopter: object
    adopter_city: CityPage
    changes: str
    outcome: str
    outcome_date: date | None
    outcome_note: str
    outcome_indicator: str = ""  # the name of the adopting plan's indicator that shows the outcome
    themes: tuple = ()  # the adopting lesson's themes, or the adopting action's own theme

    @property
    def outcome_label(self) -> str:
        return str(Outcome(self.outcome).label) if self.outcome else ""

    @property
    def language(self) -> str:
        """The language the adopting city wrote the record in: its lesson's or plan's."""
        return self.adopter.plan.language if isinstance(self.adopter, Action) else self.adopter.language

    @property
    def source_is_action(self) -> bool:
        return isinstance(self.source, Action)



def transfers(
    source=None, *, adopter=None, source_city: CityPage | None = None, adopter_city: CityPage | None = None
) -> list[Transfer]:
    """Published adoptions, by adopting city: of ``source`` (a page, or an action: those of it alone), into
    ``adopter`` (a lesson or an action), from pages of ``source_city``, or into ``adopter_city``'s lessons and
    plans."""
    lesson_rows = LessonAdoption.objects.filter(lesson__in=LessonPage.objects.published())
    action_rows = ActionAdoption.objects.filter(action__plan__in=ActionPlanPage.objects.published())
    if isinstance(adopter, Action):
        lesson_rows, action_rows = lesson_rows.none(), action_rows.filter(action=adopter.pk)
    elif adopter is not None:
        lesson_rows, action_rows = lesson_rows.filter(lesson=adopter.pk), action_rows.none()
    if isinstance(source, Action):
        only = Q(source_page=source.plan_id, source_action=source.identifier)
        lesson_rows, action_rows = lesson_rows.filter(only), action_rows.filter(only)
    elif source is not None:
        lesson_rows, action_rows = lesson_rows.filter(source_page=source.pk), action_rows.filter(source_page=source.pk)
    if source_city is not None:
        under = Q(source_page__path__startswith=source_city.path, source_page__depth=source_city.depth + 1)
        lesson_rows, action_rows = lesson_rows.filter(under), action_rows.filter(under)
    if adopter_city is not None:
        lesson_rows = lesson_rows.filter(lesson__path__startswith=adopter_city.path)
        action_rows = action_rows.filter(action__plan__path__startswith=adopter_city.path)
    rows = list(lesson_rows.select_related("lesson").prefetch_related("lesson__themes"))
    rows += list(action_rows.select_related("action__plan", "action__theme"))
    return _resolved(rows)


def _resolved(rows) -> list[Transfer]:
    """The records with their published sources (actions looked up in their plans) and both ends' cities."""
    sources = {page.pk: page for page in pages().published().filter(pk__in={row.source_page_id for row in rows})}
    sources = {pk: page.specific for pk, page in sources.items()}
    wanted = Q(pk__in=[])
    for row in rows:
        if row.source_action:
            wanted |= Q(plan_id=row.source_page_id, identifier=row.source_action)
    actions = {(action.plan_id, action.identifier): action for action in Action.objects.filter(wanted)}
    adopters = [row.lesson if isinstance(row, LessonAdoption) else row.action.plan for row in rows]
    shown_by = Q(pk__in=[])
    for row in rows:
        if getattr(row, "outcome_indicator", ""):
            shown_by |= Q(plan_id=row.action.plan_id, identifier=row.outcome_indicator)
    indicators = {(item.plan_id, item.identifier): item.name for item in Indicator.objects.filter(shown_by)}
    attach_cities([*sources.values(), *adopters])
    found = []
    for row, adopter_page in zip(rows, adopters, strict=True):
        page = sources.get(row.source_page_id)
        source = actions.get((row.source_page_id, row.source_action)) if row.source_action else page
        if page is None or source is None or page.city is None or adopter_page.city is None:
            continue
        if isinstance(source, Action):
            source.plan = page  # its address and city come from the plan already loaded
        found.append(
            Transfer(
                source=source,
                source_city=page.city,
                adopter=row.lesson if isinstance(row, LessonAdoption) else row.action,
                adopter_city=adopter_page.city,
                changes=row.changes,
                outcome=row.outcome,
                outcome_date=row.outcome_date,
                outcome_note=row.outcome_note,
                outcome_indicator=indicators.get((adopter_page.pk, getattr(row, "outcome_indicator", "")), ""),
                themes=tuple(row.lesson.themes.all()) if isinstance(row, LessonAdoption) else _own(row.action.theme),
            )
        )
    return sorted(found, key=lambda transfer: (transfer.adopter_city.title, str(transfer.adopter)))


@dataclass(frozen=True)
class Reuse:
    """What the search needs to know of a source: the outcomes other cities reported and who adopted it."""

    outcomes: frozenset[str]  # "" for adoptions whose outcome is not reported yet
    adopters: frozenset[int]  # page ids of the adopting lessons and plans

    @property
    def proven(self) -> bool:
        """It worked in at least one of the cities that adapted it."""
        return Outcome.WORKED.value in self.outcomes


def reuse_by_source() -> dict[int, dict[str, Reuse]]:
    """Source page id → action identifier (``""`` for the page itself) → its ``Reuse``, over the published
    adopters, in two queries. The source's own visibility is the search's to decide (it indexes only what readers
    may see)."""
    found: dict[tuple[int, str], tuple[set, set]] = {}
    lessons = LessonAdoption.objects.filter(lesson__in=LessonPage.objects.published(), source_page__isnull=False)
    actions = ActionAdoption.objects.filter(
        action__plan__in=ActionPlanPage.objects.published(), source_page__isnull=False
    )
    rows = [*lessons.values_list("source_page_id", "source_action", "outcome", "lesson_id")]
    rows += [*actions.values_list("source_page_id", "source_action", "outcome", "action__plan_id")]
    for source, action, outcome, adopter in rows:
        outcomes, adopters = found.setdefault((source, action), (set(), set()))
        outcomes.add(outcome)
        adopters.add(adopter)
    by_page: dict[int, dict[str, Reuse]] = {}
    for (source, action), (outcomes, adopters) in found.items():
        by_page.setdefault(source, {})[action] = Reuse(frozenset(outcomes), frozenset(adopters))
    return by_page


def _own(theme) -> tuple:
    return (theme,) if theme else ()


def reuse_summary(found: list[Transfer]) -> str:
    """Words such as "Reused by 3 cities: worked in 2, partly in 1". A city that adopted twice counts once, with
    its latest reported outcome."""
    by_city: dict[int, Transfer] = {}
    for transfer in sorted(found, key=lambda transfer: transfer.outcome_date or date.min):
        if transfer.outcome or transfer.adopter_city.pk not in by_city:
            by_city[transfer.adopter_city.pk] = transfer
    if not by_city:
        return ""
    outcomes = Counter(transfer.outcome for transfer in by_city.values() if transfer.outcome)
    cities = len(by_city)
    text = ngettext("Reused by %(count)d city", "Reused by %(count)d cities", cities) % {"count": cities}
    parts = [str(OUTCOME_IN[value]) % {"count": outcomes[value]} for value in Outcome.values if outcomes.get(value)]
    return f"{text}: {', '.join(parts)}" if parts else text


OUTCOME_IN = {
    Outcome.WORKED.value: _("worked in %(count)d"),
    Outcome.PARTLY.value: _("partly in %(count)d"),
    Outcome.DID_NOT_WORK.value: _("did not work in %(count)d"),
}
