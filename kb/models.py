"""The knowledge model of the Mission network: cities, and what each city publishes under its own page.

The page tree is organised by city (``/cities/<city>/<lesson>/``) so that editing permissions can follow it.
"""

from datetime import timedelta
from decimal import Decimal

from django import forms
from django.conf import global_settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.core.paginator import Paginator
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from django_countries.fields import CountryField
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail import blocks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel, PageChooserPanel
from wagtail.fields import StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index
from wagtail.snippets.blocks import SnippetChooserBlock
from wagtail.snippets.models import register_snippet

from kb.europe_map import MAP_HEIGHT, MAP_WIDTH, project
from kb.names import city_name_problem

# Every ISO 639-1 language Django knows, with its English name: content may be written in any of them.
CONTENT_LANGUAGES = sorted((code, name) for code, name in global_settings.LANGUAGES if len(code) == 2)


class MarkdownField(models.TextField):
    """Long-form text authored in Markdown; rendered through ``kb.markdown.render_markdown``."""

    def formfield(self, **kwargs):
        field = super().formfield(**kwargs)
        field.widget.attrs.update({"class": "kb-markdown", "rows": 12})
        return field


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


class CityRole(models.TextChoices):
    PILOT = "pilot", _("Pilot City")
    TWIN = "twin", _("Twin City")
    MISSION = "mission", _("Mission city")
    MEMBER = "member", _("Other network member")


# Domain bounds, the same on every database (SQLite would store any integer): the admin and the importer both
# validate them through the model.
COHORT_RANGE = [MinValueValidator(1), MaxValueValidator(99)]
TARGET_YEAR_RANGE = [MinValueValidator(2020), MaxValueValidator(2100)]
MAX_POPULATION = 50_000_000  # larger than any city of the network
MAX_PARTICIPANTS = 10_000


class CityIndexPage(Page):
    intro = MarkdownField(blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["home.HomePage"]
    subpage_types = ["kb.CityPage"]
    max_count = 1

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        cities = CityPage.objects.child_of(self).live().public().order_by("title")
        context["all_countries"] = sorted({(c.country.code, c.country.name) for c in cities}, key=lambda c: c[1])
        context["cohorts"] = sorted({c.cohort for c in cities if c.cohort})
        context["roles"] = CityRole.choices
        if country := request.GET.get("country"):
            cities = cities.filter(country=country.upper())
        if role := request.GET.get("role"):
            cities = cities.filter(role=role)
        if (cohort := request.GET.get("cohort", "")).isdigit():
            cities = cities.filter(cohort=int(cohort))
        context["cities"] = cities
        context["map_points"] = [point for point in map(map_point, cities) if point]
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
        """Cities this city is twinned with, in either direction, published only."""
        partner_ids = set(self.twinnings.values_list("twin_id", flat=True))
        partner_ids |= set(Twinning.objects.filter(twin=self).values_list("city_id", flat=True))
        return CityPage.objects.filter(id__in=partner_ids).live().order_by("title")

    def published_content(self):
        children = Page.objects.child_of(self).live().public().specific().order_by("-first_published_at")
        return {
            "action_plans": [p for p in children if isinstance(p, ActionPlanPage)],
            "visit_reports": [p for p in children if isinstance(p, VisitReportPage)],
            "lessons": [p for p in children if isinstance(p, LessonPage)],
        }

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context.update(self.published_content())
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
        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": _("The twinning cannot end before it starts.")})


class ContentPage(Page):
    """Fields every piece of published knowledge shares."""

    language = models.CharField(
        max_length=2, choices=CONTENT_LANGUAGES, default="en", help_text=_("Language the text is written in.")
    )
    date = models.DateField(null=True, blank=True, help_text=_("Date the content refers to."))
    summary = models.TextField(blank=True, help_text=_("One paragraph, shown in listings and search results."))
    body = MarkdownField(blank=True)
    themes = ParentalManyToManyField(Theme, blank=True, related_name="+")
    editors_pick = models.BooleanField(default=False, help_text=_("Highlighted by the network's editors."))

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
        return CityPage.objects.filter(path=self.path[: -self.steplen]).first() if self.path else None


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


class ActionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    DELAYED = "delayed", _("Delayed")
    CANCELLED = "cancelled", _("Cancelled")


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ADOPTED = "adopted", _("Adopted")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")


class KPIValue(blocks.StructValue):
    def progress_percent(self) -> int | None:
        """How far ``current`` has moved from ``baseline`` towards ``target``, clamped to 0–100."""
        baseline, target, current = self.get("baseline"), self.get("target"), self.get("current")
        if None in (baseline, target, current) or target == baseline:
            return None
        share = (Decimal(current) - Decimal(baseline)) / (Decimal(target) - Decimal(baseline))
        return int(max(Decimal(0), min(Decimal(1), share)) * 100)


class KPIBlock(blocks.StructBlock):
    name = blocks.CharBlock()
    unit = blocks.CharBlock(required=False)
    baseline = blocks.DecimalBlock(required=False, max_digits=16, decimal_places=4)
    target = blocks.DecimalBlock(required=False, max_digits=16, decimal_places=4)
    current = blocks.DecimalBlock(required=False, max_digits=16, decimal_places=4)

    class Meta:
        value_class = KPIValue
        icon = "clipboard-list"


class ActionBlock(blocks.StructBlock):
    title = blocks.CharBlock()
    description = blocks.TextBlock(required=False, help_text=_("Markdown."))
    theme = SnippetChooserBlock(Theme, required=False)
    lead_department = blocks.CharBlock(required=False)
    planned_start = blocks.DateBlock(required=False)
    planned_end = blocks.DateBlock(required=False)
    actual_start = blocks.DateBlock(required=False)
    actual_end = blocks.DateBlock(required=False)
    budget_eur = blocks.DecimalBlock(
        required=False, min_value=0, max_digits=14, decimal_places=2, label=_("Budget (EUR)")
    )
    status = blocks.ChoiceBlock(choices=ActionStatus.choices, default=ActionStatus.PLANNED)
    kpis = blocks.ListBlock(KPIBlock(), required=False, label=_("KPIs"))
    lessons = blocks.ListBlock(
        blocks.PageChooserBlock(page_type="kb.LessonPage"), required=False, label=_("Lessons that informed it")
    )

    class Meta:
        icon = "tasks"

    def clean(self, value):
        value = super().clean(value)
        errors = {}
        for start, end in (("planned_start", "planned_end"), ("actual_start", "actual_end")):
            if value.get(start) and value.get(end) and value[end] < value[start]:
                errors[end] = ValidationError(_("The action cannot end before it starts."))
        if errors:
            raise blocks.StructBlockValidationError(block_errors=errors)
        return value


class ActionPlanPage(Reviewable, CityContentPage):
    status = models.CharField(max_length=12, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    adopted_on = models.DateField(null=True, blank=True)
    actions = StreamField([("action", ActionBlock())], blank=True)

    class Meta:
        verbose_name = _("Action Plan")
        verbose_name_plural = _("Action Plans")

    content_panels = Page.content_panels + [
        FieldRowPanel([FieldPanel("status"), FieldPanel("adopted_on")]),
        FieldPanel("summary"),
        FieldPanel("body"),
        FieldPanel("actions"),
        InlinePanel("attachments", heading=_("Attachments"), label=_("Document")),
        MultiFieldPanel(ContentPage.meta_panels + [FieldPanel("partner_cities")], heading=_("Classification")),
        MultiFieldPanel(Reviewable.review_panels, heading=_("Freshness")),
    ]

    def action_values(self):
        return [block.value for block in self.actions]

    def actions_by_status(self) -> list[tuple[str, str, int]]:
        """``(status, label, count)`` for every status, in workflow order."""
        counts = {}
        for action in self.action_values():
            counts[action["status"]] = counts.get(action["status"], 0) + 1
        return [(value, label, counts.get(value, 0)) for value, label in ActionStatus.choices]

    def total_budget(self) -> Decimal:
        return sum((a["budget_eur"] or Decimal(0) for a in self.action_values()), Decimal(0))

    def actions_by_theme(self) -> list[tuple[str, int, Decimal]]:
        """``(theme name, actions, budget)`` per theme, alphabetically."""
        totals: dict[str, tuple[int, Decimal]] = {}
        for action in self.action_values():
            name = action["theme"].name if action["theme"] else str(_("No theme"))
            count, budget = totals.get(name, (0, Decimal(0)))
            totals[name] = (count + 1, budget + (action["budget_eur"] or Decimal(0)))
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
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The visit cannot end before it starts.")})


class VisitReportOutput(Orderable):
    report = ParentalKey(VisitReportPage, on_delete=models.CASCADE, related_name="outputs")
    target = models.ForeignKey(Page, on_delete=models.CASCADE, related_name="+")

    panels = [PageChooserPanel("target", ["kb.LessonPage", "kb.ActionPlanPage"])]


class LessonPage(Reviewable, CityContentPage):
    """What a city learned, structured so that another city can judge whether it transfers."""

    challenge = MarkdownField(blank=True)
    what_we_did = MarkdownField(blank=True)
    results = MarkdownField(blank=True)
    what_did_not_work = MarkdownField(blank=True)
    transferability = MarkdownField(blank=True, help_text=_("Conditions for transfer to another city."))
    cost_effort = models.CharField(max_length=255, blank=True, help_text=_("Cost and effort, in a few words."))
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
        PageChooserPanel("source", ["kb.VisitReportPage", "kb.ActionPlanPage"]),
        MultiFieldPanel(ContentPage.meta_panels + [FieldPanel("partner_cities")], heading=_("Classification")),
        MultiFieldPanel(Reviewable.review_panels, heading=_("Freshness")),
    ]
    search_fields = CityContentPage.search_fields + [index.SearchField(name) for name, _label in SECTIONS]

    def clean(self):
        super().clean()
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
        context["case_studies"] = CaseStudyPage.objects.child_of(self).live().public().order_by("-date", "title")
        return context


class CaseStudyPage(ContentPage):
    """An editor's curated story across cities: an introduction and an annotated, ordered list of pages."""

    featured = models.BooleanField(default=False, help_text=_("Show on the home page."))

    class Meta:
        verbose_name = _("case study")
        verbose_name_plural = _("case studies")
        permissions = [("curate_content", "Can mark editor's picks and feature case studies")]

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        FieldPanel("body", heading=_("Introduction")),
        InlinePanel("items", heading=_("Items"), label=_("Item")),
        MultiFieldPanel(
            ContentPage.meta_panels + [FieldPanel("featured", permission="kb.curate_content")],
            heading=_("Classification"),
        ),
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


class ListingPage(Page):
    """All lessons, action plans or visit reports across the network, filterable by theme, country and language."""

    LISTED_TYPES = {
        "lessons": LessonPage,
        "action_plans": ActionPlanPage,
        "visit_reports": VisitReportPage,
    }
    listed_type = models.CharField(
        max_length=20,
        choices=[("lessons", _("Lessons")), ("action_plans", _("Action Plans")), ("visit_reports", _("Visit reports"))],
    )
    intro = MarkdownField(blank=True)

    content_panels = Page.content_panels + [FieldPanel("listed_type"), FieldPanel("intro")]
    parent_page_types = ["home.HomePage"]
    subpage_types: list[str] = []
    PAGE_SIZE = 20

    def filtered_items(self, params):
        model = self.LISTED_TYPES[self.listed_type]
        items = model.objects.live().public().order_by("-date", "-first_published_at")
        if theme := params.get("theme"):
            items = items.filter(pk__in=model.objects.filter(themes__slug=theme).values("pk"))
        if language := params.get("language"):
            items = items.filter(language=language)
        if country := params.get("country"):
            cities = CityPage.objects.filter(country=country.upper())
            items = items.filter(_descendant_of_any(cities))
        return items

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        items = Paginator(self.filtered_items(request.GET), self.PAGE_SIZE).get_page(request.GET.get("page"))
        attach_cities(items)
        context["items"] = items
        context["themes"] = Theme.objects.all()
        city_countries = CityPage.objects.live().values_list("country", flat=True).distinct()
        context["countries"] = sorted((code, dict(countries)[code]) for code in set(city_countries))
        model = self.LISTED_TYPES[self.listed_type]
        used_languages = set(model.objects.live().values_list("language", flat=True).distinct())
        context["languages"] = [(code, name) for code, name in CONTENT_LANGUAGES if code in used_languages]
        return context


def attach_cities(pages) -> None:
    """Give each page its owning city with one query, so that a list of cards does not query per card."""
    pages = [page for page in pages if isinstance(page, CityContentPage)]
    parent_paths = {page.path[: -page.steplen] for page in pages}
    cities = {city.path: city for city in CityPage.objects.filter(path__in=parent_paths)}
    for page in pages:
        page.__dict__["city"] = cities.get(page.path[: -page.steplen])  # fills the cached property


def _descendant_of_any(pages) -> models.Q:
    """A filter matching pages below any of ``pages`` (a tree-path prefix match, one query)."""
    query = models.Q(pk__in=[])
    for page in pages:
        query |= models.Q(path__startswith=page.path, depth__gt=page.depth)
    return query
