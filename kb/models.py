"""The knowledge model of the Mission network: cities, and what each city publishes under its own page.

The page tree is organised by city (``/cities/<city>/<lesson>/``) so that editing permissions can follow it.
"""

from collections import Counter
from datetime import timedelta
from decimal import Decimal

from django import forms
from django.conf import global_settings
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel, PageChooserPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.models import Orderable, Page, PageManager
from wagtail.query import PageQuerySet
from wagtail.search import index
from wagtail.snippets.models import register_snippet

from kb.admin_forms import ActionPlanPageForm, CityFirstPageChooserPanel, KnowledgePageForm, MarkdownTextarea
from kb.europe_map import MAP_HEIGHT, MAP_WIDTH, project
from kb.names import city_name_problem
from kb.themes import theme_name


class KnowledgeQuerySet(PageQuerySet):
    """Pages with the network's rules: what readers may see, and which city each page belongs to."""

    _with_city = False

    def published(self):
        """What every reader may see: live, and under no view restriction. The one visibility rule."""
        return self.live().public()

    def with_city(self):
        """Give each page its owning city when the results load, with one query for the whole list."""
        clone = self._chain()
        clone._with_city = True
        return clone

    def under_any(self, cities):
        """Pages published under any of ``cities`` (a tree-path prefix match, one query)."""
        query = models.Q(pk__in=[])
        for city in cities:
            query |= models.Q(path__startswith=city.path, depth__gt=city.depth)
        return self.filter(query)

    def _clone(self):
        clone = super()._clone()
        clone._with_city = self._with_city
        return clone

    def _fetch_all(self):
        loaded = self._result_cache is not None
        super()._fetch_all()
        if self._with_city and not loaded:
            attach_cities(self._result_cache)


KnowledgeManager = PageManager.from_queryset(KnowledgeQuerySet)


def pages() -> KnowledgeQuerySet:
    """Pages of every type with the network's rules (``Page.objects`` is Wagtail's own)."""
    return KnowledgeQuerySet(Page).order_by("path")


def parent_path(page) -> str:
    """The tree path of a page's parent: for content under a city, the city's."""
    return page.path[: -page.steplen]


# Every ISO 639-1 language Django knows, with its English name: content may be written in any of them.
CONTENT_LANGUAGES = sorted((code, name) for code, name in global_settings.LANGUAGES if len(code) == 2)


class MarkdownField(models.TextField):
    """Long-form text authored in Markdown; rendered through ``kb.markdown.render_markdown``."""

    def formfield(self, **kwargs):
        return super().formfield(**{"widget": MarkdownTextarea(attrs={"class": "kb-markdown", "rows": 12}), **kwargs})


@register_snippet
class Theme(index.Indexed, models.Model):
    """A Mission action-plan domain or lever; a controlled vocabulary seeded by a data migration."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True)

    panels = [FieldPanel("name"), FieldPanel("slug"), FieldPanel("description")]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def label(self) -> str:
        """The name in the reader's language (seeded themes are translated)."""
        return theme_name(self.name)


class CityRole(models.TextChoices):
    PILOT = "pilot", _("Pilot City")
    TWIN = "twin", _("Twin City")
    MISSION = "mission", _("Mission city")
    MEMBER = "member", _("Other network member")


# Domain bounds, the same on every database (SQLite would store any integer): the admin and the importer both
# validate them through the model.
COHORT_RANGE = [MinValueValidator(1), MaxValueValidator(99)]


def check_dates_in_order(record, *pairs: tuple[str, str]) -> None:
    """Each ``(start, end)`` pair of date fields in order (either may be blank); each error on its end field."""
    errors = {}
    for start, end in pairs:
        first, last = getattr(record, start), getattr(record, end)
        if first and last and last < first:
            names = {
                "start": record._meta.get_field(start).verbose_name,
                "end": record._meta.get_field(end).verbose_name,
            }
            errors[end] = ValidationError(_("The %(end)s comes before the %(start)s.") % names)
    if errors:
        raise ValidationError(errors)


TARGET_YEAR_RANGE = [MinValueValidator(2020), MaxValueValidator(2100)]
MAX_POPULATION = 50_000_000  # larger than any city of the network
MAX_PARTICIPANTS = 10_000
DEFAULT_UPDATE_INTERVAL_DAYS = 90  # a quarter: the reporting rhythm most plans follow


class CityIndexPage(Page):
    intro = MarkdownField(blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["home.HomePage"]
    subpage_types = ["kb.CityPage"]
    max_count = 1

    def get_context(self, request, *args, **kwargs):
        from kb.filters import CityFilters

        context = super().get_context(request, *args, **kwargs)
        filters = CityFilters(request.GET, queryset=CityPage.objects.child_of(self).published().order_by("title"))
        context["filters"] = filters
        context["cities"] = filters.qs
        context["map_points"] = [point for point in map(map_point, filters.qs) if point]
        return context


def map_point(city) -> dict | None:
    """Where a city's dot goes on the bundled map (assets/img/europe.svg, same projection)."""
    if city.latitude is None or city.longitude is None:
        return None
    x, y = project(float(city.latitude), float(city.longitude))
    if not (0 <= x <= MAP_WIDTH and 0 <= y <= MAP_HEIGHT):
        return None
    return {"city": city, "x": round(x, 1), "y": round(y, 1)}


class CityPage(Page):
    """A city of the network: its profile, its twinnings, and (as children) everything it published."""

    country = CountryField(help_text=_("ISO 3166-1 country of the city."))
    role = models.CharField(max_length=10, choices=CityRole.choices, default=CityRole.MEMBER)
    cohort = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=COHORT_RANGE, help_text=_("Programme cohort, if any.")
    )
    population = models.PositiveIntegerField(null=True, blank=True, validators=[MaxValueValidator(MAX_POPULATION)])
    target_year = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=TARGET_YEAR_RANGE, help_text=_("Year the city aims to be climate-neutral.")
    )
    latitude = models.DecimalField(max_digits=8, decimal_places=5, null=True, blank=True)
    longitude = models.DecimalField(max_digits=8, decimal_places=5, null=True, blank=True)
    website = models.URLField(blank=True)
    language = models.CharField(max_length=2, choices=CONTENT_LANGUAGES, default="en")
    summary = models.TextField(blank=True)
    description = MarkdownField(blank=True)
    themes = ParentalManyToManyField("kb.Theme", blank=True, related_name="+", help_text=_("The city's focus themes."))

    objects = KnowledgeManager()
    base_form_class = KnowledgePageForm

    class Meta:
        verbose_name = _("city")
        verbose_name_plural = _("cities")

    content_panels = Page.content_panels + [
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("country"), FieldPanel("role"), FieldPanel("cohort")]),
                FieldRowPanel([FieldPanel("population"), FieldPanel("target_year")]),
                FieldRowPanel([FieldPanel("latitude"), FieldPanel("longitude")]),
                FieldPanel("website"),
            ],
            heading=_("Profile"),
        ),
        FieldPanel("language"),
        FieldPanel("summary"),
        FieldPanel("description"),
        FieldPanel("themes", widget=forms.CheckboxSelectMultiple),
        InlinePanel("twinnings", heading=_("Twin Cities (Pilot Cities only)"), label=_("Twinning")),
    ]
    search_fields = Page.search_fields + [index.SearchField("summary"), index.SearchField("description")]
    parent_page_types = ["kb.CityIndexPage"]
    subpage_types = ["kb.ActionPlanPage", "kb.VisitReportPage", "kb.LessonPage"]

    def clean(self):
        super().clean()
        if problem := city_name_problem(self.title, self.slug, CityPage.objects.exclude(pk=self.pk)):
            raise ValidationError({"title": problem})
        if self.latitude is not None and not -90 <= self.latitude <= 90:
            raise ValidationError({"latitude": _("Latitude must be between -90 and 90.")})
        if self.longitude is not None and not -180 <= self.longitude <= 180:
            raise ValidationError({"longitude": _("Longitude must be between -180 and 180.")})

    @property
    def label(self) -> str:
        """``Name (CC)``, the way content files refer to a city."""
        return f"{self.title} ({self.country.code})"

    def twinning_partners(self):
        """Cities this city is twinned with, in either direction, that readers may see."""
        partner_ids = set(self.twinnings.values_list("twin_id", flat=True))
        partner_ids |= set(Twinning.objects.filter(twin=self).values_list("city_id", flat=True))
        return CityPage.objects.filter(id__in=partner_ids).published().order_by("title")

    def published_content(self) -> dict[str, list]:
        """What the city published, by kind key (``lesson``, ``action_plan``, ...), newest first."""
        from kb.content_types import KINDS, kind_of

        content = {kind.key: [] for kind in KINDS if kind.under_city}
        for page in pages().child_of(self).published().specific().order_by("-first_published_at"):
            content[kind_of(page).key].append(page)
        return content

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["content"] = self.published_content()
        context["partners"] = self.twinning_partners()
        return context


class Twinning(Orderable):
    """A Pilot City paired with a Twin City for the Twinning Learning Programme."""

    city = ParentalKey(CityPage, on_delete=models.CASCADE, related_name="twinnings")
    twin = models.ForeignKey(CityPage, on_delete=models.CASCADE, related_name="twinned_with")
    cohort = models.PositiveSmallIntegerField(null=True, blank=True, validators=COHORT_RANGE)
    start = models.DateField(null=True, blank=True)
    end = models.DateField(null=True, blank=True)

    panels = [PageChooserPanel("twin", "kb.CityPage"), FieldPanel("cohort"), FieldPanel("start"), FieldPanel("end")]

    def clean(self):
        check_dates_in_order(self, ("start", "end"))


class ContentPage(Page):
    """Fields every piece of published knowledge shares."""

    language = models.CharField(
        max_length=2, choices=CONTENT_LANGUAGES, default="en", help_text=_("Language the text is written in.")
    )
    date = models.DateField(null=True, blank=True, help_text=_("Date the content refers to."))
    summary = models.TextField(blank=True, help_text=_("One paragraph, shown in listings and search results."))
    body = MarkdownField(blank=True)
    themes = ParentalManyToManyField(Theme, blank=True, related_name="+")
    editors_pick = models.BooleanField(
        default=False, verbose_name=_("editor's pick"), help_text=_("Highlighted by the network's editors.")
    )

    objects = KnowledgeManager()
    base_form_class = KnowledgePageForm

    meta_panels = [
        FieldRowPanel([FieldPanel("language"), FieldPanel("date")]),
        FieldPanel("themes", widget=forms.CheckboxSelectMultiple),
        FieldPanel("editors_pick", permission="kb.curate_content"),
    ]
    search_fields = Page.search_fields + [index.SearchField("summary"), index.SearchField("body")]

    class Meta:
        abstract = True


class CityContentPage(ContentPage):
    """Content owned by the city it is published under."""

    partner_cities = ParentalManyToManyField(CityPage, blank=True, related_name="+")

    parent_page_types = ["kb.CityPage"]
    subpage_types: list[str] = []

    class Meta:
        abstract = True

    @cached_property
    def city(self) -> CityPage | None:
        return CityPage.objects.filter(path=parent_path(self)).first() if self.path else None


REVIEW_INTERVAL = timedelta(days=365)


class Reviewable(models.Model):
    """Content that goes stale: it carries a date by which an editor should check it again."""

    review_by = models.DateField(
        null=True, blank=True, help_text=_("Check the content again by this date; empty means a year after publishing.")
    )
    last_reviewed = models.DateField(null=True, blank=True, help_text=_("When an editor last checked the content."))

    review_panels = [FieldRowPanel([FieldPanel("review_by"), FieldPanel("last_reviewed")])]

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.live and self.review_by is None:
            published = self.last_published_at or timezone.now()
            self.review_by = (published + REVIEW_INTERVAL).date()
        super().save(*args, **kwargs)

    @property
    def review_overdue(self) -> bool:
        return self.review_by is not None and self.review_by < timezone.localdate()

    @property
    def reviewed_on(self):
        """The date readers see on content past its review date."""
        return self.last_reviewed or (self.last_published_at and timezone.localdate(self.last_published_at))


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ADOPTED = "adopted", _("Adopted")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")


class ActionPlanPage(RoutablePageMixin, Reviewable, CityContentPage):
    """A city's adopted plan; its actions and indicators are records of their own (``plans.models``)."""

    status = models.CharField(max_length=12, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    adopted_on = models.DateField(null=True, blank=True)
    update_interval_days = models.PositiveSmallIntegerField(
        _("update interval (days)"),
        default=DEFAULT_UPDATE_INTERVAL_DAYS,
        validators=[MinValueValidator(7), MaxValueValidator(730)],
        help_text=_("An action with no status update or indicator value for this long is shown as not updated."),
    )

    base_form_class = ActionPlanPageForm

    class Meta:
        verbose_name = _("Action Plan")
        verbose_name_plural = _("Action Plans")

    content_panels = Page.content_panels + [
        FieldRowPanel([FieldPanel("status"), FieldPanel("adopted_on"), FieldPanel("update_interval_days")]),
        FieldPanel("summary"),
        FieldPanel("body"),
        InlinePanel("actions", heading=_("Actions"), label=_("Action")),
        InlinePanel("indicators", heading=_("Indicators"), label=_("Indicator")),
        InlinePanel("attachments", heading=_("Attachments"), label=_("Document")),
        MultiFieldPanel(ContentPage.meta_panels + [FieldPanel("partner_cities")], heading=_("Classification")),
        MultiFieldPanel(Reviewable.review_panels, heading=_("Freshness")),
    ]

    def save(self, *args, **kwargs):
        # Wagtail re-reads the whole page to update its reference index after every row of it that is saved: for a
        # plan of 200 actions and 4,800 values, publishing took two minutes. Once, after all the rows, is the same.
        # (Imported here: Wagtail's signal handlers import models, which must not happen while this module loads.)
        from wagtail.signal_handlers import disable_reference_index_auto_update, reference_index_auto_update_disabled
        from wagtail.tasks import update_reference_index_task

        if getattr(reference_index_auto_update_disabled, "value", False):
            return super().save(*args, **kwargs)
        with disable_reference_index_auto_update():
            saved = super().save(*args, **kwargs)
        update_reference_index_task.enqueue(self._meta.app_label, self._meta.model_name, str(self.pk))
        return saved

    def get_context(self, request, *args, **kwargs):
        from django.db.models import prefetch_related_objects

        from plans.models import record_prefetches  # plans.models imports this module: import at call time
        from plans.progress import plan_progress

        if not getattr(self, "_cluster_related_objects", None):  # a preview's records are in memory, unsaved
            prefetch_related_objects([self], *record_prefetches())
        return {**super().get_context(request, *args, **kwargs), "progress": plan_progress(self)}

    @path("actions/<slug:identifier>/", name="action")
    def action_view(self, request, identifier):
        from plans.views import action_page

        return action_page(request, self, identifier)

    def actions_by_status(self) -> list[tuple[str, str, int]]:
        """``(status, label, count)`` for every status, in workflow order."""
        from plans.models import ActionStatus

        counts = Counter(action.status for action in self.actions.all())
        return [(value, label, counts.get(value, 0)) for value, label in ActionStatus.choices]

    def total_budget(self) -> Decimal:
        return sum((action.budget_planned_eur or Decimal(0) for action in self.actions.all()), Decimal(0))

    def total_spent(self) -> Decimal:
        return sum((action.budget_spent_eur or Decimal(0) for action in self.actions.all()), Decimal(0))

    def actions_by_theme(self) -> list[tuple[str, int, Decimal]]:
        """``(theme name, actions, budget)`` per theme, alphabetically."""
        totals: dict[str, tuple[int, Decimal]] = {}
        for action in self.actions.all():
            name = action.theme.name if action.theme else str(_("No theme"))
            count, budget = totals.get(name, (0, Decimal(0)))
            totals[name] = (count + 1, budget + (action.budget_planned_eur or Decimal(0)))
        return [(name, count, budget) for name, (count, budget) in sorted(totals.items())]


class ActionPlanAttachment(Orderable):
    page = ParentalKey(ActionPlanPage, on_delete=models.CASCADE, related_name="attachments")
    document = models.ForeignKey("wagtaildocs.Document", on_delete=models.CASCADE, related_name="+")

    panels = [FieldPanel("document")]


class ProgrammeModule(models.TextChoices):
    GETTING_STARTED = "getting_started", _("Getting started")
    CO_CREATING = "co_creating", _("Co-creating")
    CAPITALISING = "capitalising", _("Capitalising")


class VisitReportPage(CityContentPage):
    host_city = models.ForeignKey(CityPage, on_delete=models.PROTECT, related_name="hosted_visits")
    visiting_cities = ParentalManyToManyField(CityPage, blank=True, related_name="+")
    start_date = models.DateField()
    end_date = models.DateField()
    module = models.CharField(max_length=16, choices=ProgrammeModule.choices)
    participants = models.PositiveIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(MAX_PARTICIPANTS)], help_text=_("Number of participants.")
    )
    agenda = MarkdownField(blank=True)
    findings = MarkdownField(blank=True)

    class Meta:
        verbose_name = _("visit report")
        verbose_name_plural = _("visit reports")

    content_panels = Page.content_panels + [
        MultiFieldPanel(
            [
                PageChooserPanel("host_city", "kb.CityPage"),
                FieldPanel("visiting_cities"),
                FieldRowPanel([FieldPanel("start_date"), FieldPanel("end_date")]),
                FieldRowPanel([FieldPanel("module"), FieldPanel("participants")]),
            ],
            heading=_("Visit"),
        ),
        FieldPanel("summary"),
        FieldPanel("body"),
        FieldPanel("agenda"),
        FieldPanel("findings"),
        InlinePanel("outputs", heading=_("Lessons and plans it produced"), label=_("Output")),
        MultiFieldPanel(ContentPage.meta_panels + [FieldPanel("partner_cities")], heading=_("Classification")),
    ]
    search_fields = CityContentPage.search_fields + [index.SearchField("agenda"), index.SearchField("findings")]

    def clean(self):
        super().clean()
        check_dates_in_order(self, ("start_date", "end_date"))


class VisitReportOutput(Orderable):
    report = ParentalKey(VisitReportPage, on_delete=models.CASCADE, related_name="outputs")
    target = models.ForeignKey(Page, on_delete=models.CASCADE, related_name="+")

    panels = [CityFirstPageChooserPanel("target", ["kb.LessonPage", "kb.ActionPlanPage"])]


class LessonPage(Reviewable, CityContentPage):
    """What a city learned, structured so that another city can judge whether it transfers."""

    # Readers find lessons by theme and date (listings, feeds, the byline under the title): a lesson without them
    # is lost. Still nullable in the database, so that a draft may be saved before the date is known.
    date = models.DateField(null=True, help_text=_("Date the lesson refers to."))
    themes = ParentalManyToManyField(Theme, related_name="+", help_text=_("At least one theme."))
    challenge = MarkdownField(blank=True)
    what_we_did = MarkdownField(blank=True)
    results = MarkdownField(blank=True)
    what_did_not_work = MarkdownField(blank=True)
    transferability = MarkdownField(blank=True, help_text=_("Conditions for transfer to another city."))
    cost_effort = models.CharField(
        max_length=255, blank=True, verbose_name=_("cost and effort"), help_text=_("In a few words.")
    )
    source = models.ForeignKey(
        Page,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The visit report or action plan this lesson comes from."),
    )

    SECTIONS = [
        ("challenge", _("Challenge")),
        ("what_we_did", _("What we did")),
        ("results", _("Results")),
        ("what_did_not_work", _("What did not work")),
        ("transferability", _("Transferability")),
    ]

    class Meta:
        verbose_name = _("lesson")
        verbose_name_plural = _("lessons")

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        FieldPanel("body", heading=_("Introduction")),
        *[FieldPanel(name) for name, _label in SECTIONS],
        FieldPanel("cost_effort"),
        CityFirstPageChooserPanel("source", ["kb.VisitReportPage", "kb.ActionPlanPage"]),
        InlinePanel("adaptations", heading=_("Adapted from another city's work"), label=_("Adapted from")),
        MultiFieldPanel(ContentPage.meta_panels + [FieldPanel("partner_cities")], heading=_("Classification")),
        MultiFieldPanel(Reviewable.review_panels, heading=_("Freshness")),
    ]
    search_fields = CityContentPage.search_fields + [index.SearchField(name) for name, _label in SECTIONS]

    def clean(self):
        super().clean()
        # Many-to-many values are not checked by Django's field validation; the importer relies on this check.
        if not self.themes.all():
            raise ValidationError({"themes": _("Choose at least one theme.")})
        if self.source_id and not isinstance(self.source.specific, (VisitReportPage, ActionPlanPage)):
            raise ValidationError({"source": _("The source must be a visit report or an action plan.")})

    def sections(self):
        return [(label, getattr(self, name)) for name, label in self.SECTIONS]


class CaseStudyIndexPage(Page):
    intro = MarkdownField(blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["home.HomePage"]
    subpage_types = ["kb.CaseStudyPage"]
    max_count = 1

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["case_studies"] = CaseStudyPage.objects.child_of(self).published().order_by("-date", "title")
        return context


class CaseStudyPage(ContentPage):
    """An editor's curated story across cities: an introduction and an annotated, ordered list of pages."""

    class Meta:
        verbose_name = _("case study")
        verbose_name_plural = _("case studies")
        permissions = [("curate_content", "Can mark editor's picks and choose the home page's featured items")]

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        FieldPanel("body", heading=_("Introduction")),
        InlinePanel("items", heading=_("Items"), label=_("Item")),
        MultiFieldPanel(ContentPage.meta_panels, heading=_("Classification")),
    ]
    parent_page_types = ["kb.CaseStudyIndexPage"]
    subpage_types: list[str] = []


class CaseStudyItem(Orderable):
    case_study = ParentalKey(CaseStudyPage, on_delete=models.CASCADE, related_name="items")
    target = models.ForeignKey(Page, on_delete=models.CASCADE, related_name="+")
    note = MarkdownField(blank=True, help_text=_("Editor's note on this item."))

    panels = [
        PageChooserPanel("target", ["kb.LessonPage", "kb.ActionPlanPage", "kb.VisitReportPage"]),
        FieldPanel("note"),
    ]


def _listed_kinds():
    from kb.content_types import LISTED

    return [(kind.key, kind.plural) for kind in LISTED]


class ListingPage(Page):
    """Every page of one kind across the network (lessons, Action Plans, visit reports), with filters."""

    listed_type = models.CharField(max_length=20, choices=_listed_kinds)
    intro = MarkdownField(blank=True)

    content_panels = Page.content_panels + [FieldPanel("listed_type"), FieldPanel("intro")]
    parent_page_types = ["home.HomePage"]
    subpage_types: list[str] = []
    PAGE_SIZE = 20

    @property
    def kind(self):
        from kb.content_types import BY_KEY

        return BY_KEY[self.listed_type]

    def get_context(self, request, *args, **kwargs):
        from kb.filters import KnowledgeFilters

        context = super().get_context(request, *args, **kwargs)
        model = self.kind.model
        filters = KnowledgeFilters.for_model(model)(
            request.GET, queryset=model.objects.published().with_city().order_by("-date", "-first_published_at")
        )
        context["filters"] = filters
        context["items"] = Paginator(filters.qs, self.PAGE_SIZE).get_page(request.GET.get("page"))
        return context


def attach_cities(pages) -> None:
    """Give each page its owning city with one query, so that a list of cards does not query per card."""
    pages = [page for page in pages if isinstance(page, CityContentPage)]
    cities = {city.path: city for city in CityPage.objects.filter(path__in={parent_path(page) for page in pages})}
    for page in pages:
        page.__dict__["city"] = cities.get(parent_path(page))  # fills the cached property
