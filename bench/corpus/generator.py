"""A deterministic, realistic corpus for benchmarks: cities across the EU and what they publish.

Pages are written in bulk (a few thousand rows per query) because the normal path — ``add_child`` and a
revision publish per page — takes minutes per thousand pages. The result is what an import with ``--publish``
produces: live pages in the city tree, each with a published revision holding its content, themes and partner
cities, so every page renders, exports, and is indexed exactly like an imported one. The database search's
documents are written at the end, in bulk too (the engine's come from ``search_index rebuild``).
"""

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import F
from wagtail.models import Locale, Page, Revision
from wagtail.search.backends import get_search_backends

from kb.models import (
    ActionPlanPage,
    CaseStudyItem,
    CaseStudyPage,
    CityPage,
    CityRole,
    LessonPage,
    PlanStatus,
    ProgrammeModule,
    Theme,
    VisitReportPage,
)
from kb.slugs import slug_for
from kb.structure import ensure_site_structure
from plans.models import Action, ActionStatus, Indicator, IndicatorGoal, IndicatorValue
from search.backends import database_backend
from search.indexer import rebuild

from . import vocabulary

BATCH = 2000
EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
SHARES = {"lesson": 0.70, "visit_report": 0.15, "action_plan": 0.10, "case_study": 0.01}


@dataclass
class CorpusStats:
    cities: int = 0
    pages: dict[str, int] = field(default_factory=dict)

    @property
    def documents(self) -> int:
        return self.cities + sum(self.pages.values())


class CorpusGenerator:
    def __init__(self, seed: int):
        self.random = random.Random(seed)
        self.structure = ensure_site_structure()
        self.themes = {theme.slug: theme for theme in Theme.objects.all()}
        self.locale = Locale.get_default()
        self.page_type = ContentType.objects.get_for_model(Page)

    # --- plan ----------------------------------------------------------------------------------------

    def plan(self, documents: int) -> tuple[int, dict[str, int]]:
        """How many cities and pages of each type make ``documents`` search documents."""
        cities = max(5, min(len(vocabulary.CITIES), documents // 300 or 5))
        rest = max(documents - cities, 0)
        counts = {kind: int(rest * share) for kind, share in SHARES.items()}
        counts["case_study"] = max(counts["case_study"], 1 if rest else 0)
        counts["lesson"] += rest - sum(counts.values())
        return cities, counts

    @transaction.atomic
    def generate(self, documents: int, progress=None) -> CorpusStats:
        city_count, counts = self.plan(documents)
        cities = self.cities(city_count)
        stats = CorpusStats(cities=len(cities), pages=dict(counts))
        made: dict[str, list[Page]] = {}
        for kind in ("lesson", "action_plan", "visit_report"):
            owners = [self.random.choice(cities) for _ in range(counts[kind])]
            made[kind] = self.under_cities(kind, owners, cities, made.get("lesson", []), progress)
        made["case_study"] = self.write(
            self.structure.case_studies,
            [self.case_study(number, made["lesson"] + made["action_plan"]) for number in range(counts["case_study"])],
            progress,
        )
        rebuild(database_backend())
        return stats

    # --- cities --------------------------------------------------------------------------------------

    def cities(self, count: int) -> list[CityPage]:
        chosen = self.random.sample(vocabulary.CITIES, count)
        existing = {city.slug: city for city in CityPage.objects.child_of(self.structure.cities)}
        new = []
        for name, country, language, latitude, longitude, population in chosen:
            if slug_for(name) in existing:
                continue
            role = self.random.choices(list(CityRole.values), weights=[3, 4, 4, 1])[0]
            text_language = self.text_language(language)
            new.append(
                CityPage(
                    title=name,
                    slug=slug_for(name),
                    country=country,
                    language=text_language,
                    role=role,
                    cohort=self.random.choice([1, 2, 3]) if role in ("pilot", "twin") else None,
                    population=population,
                    target_year=2030 if role != "member" else 2040,
                    latitude=Decimal(str(latitude)),
                    longitude=Decimal(str(longitude)),
                    website=f"https://www.{slug_for(name)}.example.eu",
                    summary=self.sentence(text_language, place=name),
                    description=self.paragraphs(text_language, 2, place=name),
                )
            )
        self.write(self.structure.cities, new, None, themes=lambda page: self.pick_themes(2))
        return list(CityPage.objects.child_of(self.structure.cities).filter(slug__in=[slug_for(c[0]) for c in chosen]))

    # --- pages ---------------------------------------------------------------------------------------

    def under_cities(self, kind, owners, cities, lessons, progress) -> list[Page]:
        by_city: dict[int, list] = {}
        for city in owners:
            by_city.setdefault(city.pk, []).append(city)
        made = []
        for city_pages in by_city.values():
            city = city_pages[0]
            pages = [self.content(kind, city, cities, lessons, number) for number in range(len(city_pages))]
            made += self.write(
                city,
                pages,
                progress,
                themes=lambda page: self.pick_themes(3),
                partners=lambda page: self.random.sample(cities, min(2, len(cities))),
            )
        return made

    def content(self, kind, city, cities, lessons, number):
        language = self.text_language(city.language)
        theme = self.random.choice(vocabulary.THEME_SLUGS)
        place = city.title
        title = self.title(language, theme, place)
        when = self.day()
        common = {
            "title": title,
            "slug": f"{slug_for(title)[:60]}-{self.random.randrange(10**6):06d}",
            "language": language,
            "date": when,
            "summary": self.sentence(language, theme, place),
        }
        if kind == "lesson":
            text = vocabulary.TEXT[language]["sections"]
            return LessonPage(
                **common,
                body=self.paragraphs(language, 1, theme, place),
                cost_effort=self.random.choice(["Low", "Medium", "High"]) + f", {self.random.randint(1, 24)} months",
                **{
                    name: f"{self.random.choice(text[name])} {self.paragraphs(language, 1, theme, place)}"
                    for name in ("challenge", "what_we_did", "results", "what_did_not_work", "transferability")
                },
            )
        if kind == "action_plan":
            plan = ActionPlanPage(
                **common,
                body=self.paragraphs(language, 2, theme, place),
                status=self.random.choice(PlanStatus.values),
                adopted_on=when,
            )
            plan.actions, plan.indicators = self.plan_records(language, when, lessons)
            return plan
        report = VisitReportPage(
            **common,
            body=self.paragraphs(language, 1, theme, place),
            host_city=city,
            start_date=when,
            end_date=when + timedelta(days=self.random.randint(1, 3)),
            module=self.random.choice(ProgrammeModule.values),
            participants=self.random.randint(8, 60),
            agenda="\n".join(f"- {self.sentence(language, theme, place)}" for _ in range(4)),
            findings=self.paragraphs(language, 2, theme, place),
        )
        report.visiting_cities = self.random.sample(cities, min(3, len(cities)))
        return report

    def case_study(self, number, candidates) -> CaseStudyPage:
        title = f"Case study {number + 1}: {self.title('en', self.random.choice(vocabulary.THEME_SLUGS), 'Europe')}"
        page = CaseStudyPage(
            title=title,
            slug=f"case-study-{number + 1}",
            language="en",
            date=self.day(),
            summary=self.sentence("en"),
            body=self.paragraphs("en", 2),
        )
        page.items = [
            CaseStudyItem(target=target, note=self.sentence("en"), sort_order=order)
            for order, target in enumerate(self.random.sample(candidates, min(4, len(candidates))))
        ]
        return page

    def plan_records(self, language, start, lessons) -> tuple[list[Action], list[Indicator]]:
        """3–8 actions, each moving one indicator with a year of monthly values."""
        words = vocabulary.TEXT[language]
        actions, indicators = [], []
        for position in range(self.random.randint(3, 8)):
            planned_end = start + timedelta(days=self.random.randint(90, 900))
            status = self.random.choice(ActionStatus.values)
            name, unit = self.random.choice(words["kpis"])
            baseline = self.random.randint(0, 500)
            indicator = Indicator(
                identifier=f"indicator-{position + 1}", name=name, unit=unit, sort_order=position,
                baseline_date=start, baseline_value=Decimal(baseline),
            )  # fmt: skip
            indicator.goals = [IndicatorGoal(date=planned_end, value=Decimal(baseline + self.random.randint(50, 2000)))]
            step = self.random.randint(1, 80)
            indicator.values = [
                IndicatorValue(date=start + timedelta(days=30 * month), value=Decimal(baseline + step * month))
                for month in range(1, 13)
            ]
            action = Action(
                identifier=str(position + 1),
                sort_order=position,
                title=self.random.choice(words["action_titles"]),
                description=self.sentence(language),
                theme=self.themes[self.random.choice(vocabulary.THEME_SLUGS)],
                lead_department=self.random.choice(words["departments"]),
                planned_start=start,
                planned_end=planned_end,
                actual_start=start + timedelta(days=self.random.randint(0, 60)) if status != "planned" else None,
                actual_end=planned_end if status == "completed" else None,
                budget_planned_eur=Decimal(self.random.randrange(20, 5000) * 1000),
                status=status,
                indicator_ids=indicator.identifier,
            )
            action.lessons = [self.random.choice(lessons)] if lessons and self.random.random() < 0.4 else []
            actions.append(action)
            indicators.append(indicator)
        return actions, indicators

    # --- writing -------------------------------------------------------------------------------------

    def write(self, parent: Page, pages: list, progress, themes=None, partners=None) -> list[Page]:
        """Insert ``pages`` as live children of ``parent`` with a published revision each, in batches."""
        written = []
        for start in range(0, len(pages), BATCH):
            batch = pages[start : start + BATCH]
            written += self._write_batch(parent, batch, themes, partners)
            if progress:
                progress(len(batch))
        return written

    def _write_batch(self, parent: Page, pages: list, themes, partners) -> list[Page]:
        parent.refresh_from_db()
        model = type(pages[0])
        content_type = ContentType.objects.get_for_model(model)
        for offset, page in enumerate(pages, start=1):
            published = EPOCH - timedelta(days=self.random.randint(0, 1500), seconds=self.random.randint(0, 86399))
            page.path = Page._get_path(parent.path, parent.depth + 1, parent.numchild + offset)
            page.depth, page.numchild = parent.depth + 1, 0
            page.url_path = f"{parent.url_path}{page.slug}/"
            page.content_type, page.locale = content_type, self.locale
            page.live, page.has_unpublished_changes, page.draft_title = True, False, page.title
            page.first_published_at = page.last_published_at = page.latest_revision_created_at = published
            if themes:
                page.themes = themes(page)
            if partners and hasattr(page, "partner_cities"):
                page.partner_cities = partners(page)
        bases = Page.objects.bulk_create(
            [
                Page(**{f.attname: getattr(page, f.attname) for f in Page._meta.concrete_fields if f.attname != "id"})
                for page in pages
            ]
        )
        for page, base in zip(pages, bases, strict=True):
            page.pk = page.id = page.page_ptr_id = base.pk
            if isinstance(page, (LessonPage, ActionPlanPage)):
                page.review_by = (page.last_published_at + timedelta(days=365)).date()
        local_fields = [f for f in model._meta.local_concrete_fields]
        model._base_manager._insert(pages, fields=local_fields, using="default")
        self._write_relations(model, pages)
        revisions = Revision.objects.bulk_create(
            [
                Revision(
                    content_type=content_type,
                    base_content_type=self.page_type,
                    object_id=str(page.pk),
                    created_at=page.last_published_at,
                    object_str=page.title,
                    content=page.serializable_data(),
                )
                for page in pages
            ]
        )
        for page, revision in zip(pages, revisions, strict=True):
            page.live_revision_id = page.latest_revision_id = revision.pk
        Page.objects.bulk_update(pages, ["live_revision", "latest_revision"], batch_size=BATCH)
        Page.objects.filter(pk=parent.pk).update(numchild=F("numchild") + len(pages))
        for backend in get_search_backends(with_auto_update=True):  # Wagtail's own search, as signals would
            backend.add_bulk(model, pages)
        parent.numchild += len(pages)
        return pages

    def _write_relations(self, model, pages) -> None:
        for name in ("themes", "partner_cities", "visiting_cities"):
            if not any(f.name == name for f in model._meta.get_fields()):
                continue
            through = getattr(model, name).through
            source = f"{model._meta.model_name}_id"
            target = next(f.attname for f in through._meta.concrete_fields if f.attname not in ("id", source))
            through.objects.bulk_create(
                [
                    through(**{source: page.pk, target: related.pk})
                    for page in pages
                    for related in getattr(page, name).all()
                ]
            )
        if model is ActionPlanPage:
            self._write_plan_records(pages)
        if model is CaseStudyPage:
            items = [item for page in pages for item in page.items.all()]
            for page in pages:
                for item in page.items.all():
                    item.case_study_id = page.pk
            CaseStudyItem.objects.bulk_create(items)

    @staticmethod
    def _write_plan_records(plans) -> None:
        actions, indicators = [], []
        for plan in plans:
            for record in (*plan.actions.all(), *plan.indicators.all()):
                record.plan_id = plan.pk
            actions += plan.actions.all()
            indicators += plan.indicators.all()
        Action.objects.bulk_create(actions)
        Indicator.objects.bulk_create(indicators)  # sets the primary keys the series below refer to
        values, goals = [], []
        for indicator in indicators:
            for value in indicator.values.all():
                value.indicator_id = indicator.pk
                values.append(value)
            for goal in indicator.goals.all():
                goal.indicator_id = indicator.pk
                goals.append(goal)
        IndicatorValue.objects.bulk_create(values, batch_size=BATCH)
        IndicatorGoal.objects.bulk_create(goals, batch_size=BATCH)
        Action.lessons.through.objects.bulk_create(
            [
                Action.lessons.through(action_id=action.pk, lessonpage_id=lesson.pk)
                for action in actions
                for lesson in action.lessons.all()
            ]
        )

    # --- text ----------------------------------------------------------------------------------------

    @staticmethod
    def text_language(language: str) -> str:
        # Cities writing in a language without vocabulary here write in English, as many do.
        return language if language in vocabulary.TEXT else "en"

    def title(self, language, theme, place=None) -> str:
        template = self.random.choice(vocabulary.TEXT[language]["titles"][theme])
        return template.format(city=place or self.district(language), district=self.district(language))

    def sentence(self, language, theme=None, place=None) -> str:
        theme = theme or self.random.choice(vocabulary.THEME_SLUGS)
        template = self.random.choice(vocabulary.TEXT[language]["sentences"][theme])
        return template.format(city=place or self.district(language), district=self.district(language))

    def paragraphs(self, language, count, theme=None, place=None) -> str:
        return "\n\n".join(
            " ".join(
                self.sentence(language, theme if self.random.random() < 0.7 else None, place)
                for _ in range(self.random.randint(3, 5))
            )
            for _ in range(count)
        )

    def district(self, language) -> str:
        return self.random.choice(vocabulary.TEXT[language]["districts"])

    def pick_themes(self, most: int) -> list[Theme]:
        return [self.themes[slug] for slug in self.random.sample(vocabulary.THEME_SLUGS, self.random.randint(1, most))]

    def day(self) -> date:
        return (EPOCH - timedelta(days=self.random.randint(0, 1800))).date()
