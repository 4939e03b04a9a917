"""Run by ``test_migration.py`` in a process of its own, on a database of its own (migrating back and forth
would otherwise reshape the shared test database): build plans the way the StreamField stored them, migrate,
and print what the records hold as JSON."""

import json
import os
import sys
from datetime import UTC, date, datetime

import django

LEGACY_ACTIONS = [
    {  # the ListBlock format Wagtail writes today: items as {type, value, id}
        "type": "action",
        "id": "a1",
        "value": {
            "title": "Open a proximity office",
            "description": "A shop front with **two** advisers.",
            "theme": None,
            "lead_department": "Urban development",
            "planned_start": "2024-09-01",
            "planned_end": "2025-03-31",
            "actual_start": "2024-11-04",
            "actual_end": "2025-04-30",
            "budget_eur": "380000.00",
            "status": "completed",
            "kpis": [
                {"type": "item", "id": "k1", "value": {"name": "Households advised", "unit": "households",
                                                         "baseline": "0", "target": "400", "current": "462"}},
                {"type": "item", "id": "k2", "value": {"name": "Households advised", "unit": "", "baseline": None,
                                                         "target": "30", "current": None}},
            ],
            "lessons": [{"type": "item", "id": "l1", "value": "LESSON"}],
        },
    },
    {  # the older format: plain values in lists; a KPI where lower is better
        "type": "action",
        "id": "a2",
        "value": {
            "title": "Cut heating demand",
            "description": "",
            "theme": None,
            "lead_department": "",
            "planned_start": None,
            "planned_end": None,
            "actual_start": None,
            "actual_end": None,
            "budget_eur": None,
            "status": "delayed",
            "kpis": [{"name": "Heat demand", "unit": "GWh", "baseline": "120", "target": "90", "current": "111.5"}],
            "lessons": [],
        },
    },
]


def main(database: str) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before = [("kb", "0010_plan_actions_become_records"), ("plans", "0001_initial")]
    call_command("migrate", "plans", "0001_initial", verbosity=0)
    apps = MigrationExecutor(connection).loader.project_state(before).apps
    ContentType = apps.get_model("contenttypes", "ContentType")
    locale = apps.get_model("wagtailcore", "Locale").objects.first()
    published = datetime(2025, 6, 1, 12, tzinfo=UTC)

    def page(model, number, **fields):
        content_type, _created = ContentType.objects.get_or_create(app_label="kb", model=model.lower())
        return apps.get_model("kb", model).objects.create(
            path=f"0001{number:04d}", depth=2, numchild=0, title=fields.pop("title"), slug=f"page-{number}",
            url_path=f"/page-{number}/", content_type=content_type, locale=locale, live=True, **fields,
        )  # fmt: skip

    lesson = page("LessonPage", 90, title="Proximity offices", date=date(2024, 5, 1), language="en")
    legacy = json.loads(json.dumps(LEGACY_ACTIONS).replace('"LESSON"', str(lesson.pk)))
    plan = page("ActionPlanPage", 91, title="Plan", language="de", adopted_on=date(2025, 3, 27),
                first_published_at=published, last_published_at=published, legacy_actions=legacy)  # fmt: skip
    Revision = apps.get_model("wagtailcore", "Revision")
    Revision.objects.create(
        content_type_id=plan.content_type_id, base_content_type_id=plan.content_type_id, object_id=str(plan.pk),
        object_str="Plan", content={"title": "Plan", "actions": legacy}, created_at=published,
    )  # fmt: skip

    call_command("migrate", verbosity=0)
    from plans.models import Action, Indicator

    actions = [
        {
            "identifier": action.identifier,
            "title": action.title,
            "description": action.description,
            "status": action.status,
            "dates": [str(day) for day in (action.planned_start, action.planned_end, action.actual_start,
                                            action.actual_end)],  # fmt: skip
            "budget": str(action.budget_planned_eur),
            "lesson_ids": [lesson.pk for lesson in action.lessons.all()],
            "indicators": [
                {
                    "identifier": indicator.identifier,
                    "name": indicator.name,
                    "unit": indicator.unit,
                    "direction": indicator.direction,
                    "baseline": [str(indicator.baseline_date), str(indicator.baseline_value)],
                    "goals": [[str(goal.date), str(goal.value)] for goal in indicator.goals.all()],
                    "values": [[str(value.date), str(value.value)] for value in indicator.series()],
                }
                for indicator in action.moved_indicators()
            ],
        }
        for action in Action.objects.filter(plan_id=plan.pk).order_by("sort_order")
    ]
    revision = Revision.objects.get(object_id=str(plan.pk))
    result = {
        "lesson_id": lesson.pk,
        "actions": actions,
        "indicator_count": Indicator.objects.filter(plan_id=plan.pk).count(),
        "revision_keys": sorted(revision.content),
    }

    call_command("migrate", "plans", "0001_initial", verbosity=0)  # and back: the StreamField is written again
    apps = MigrationExecutor(connection).loader.project_state(before).apps
    restored = apps.get_model("kb", "ActionPlanPage").objects.get(pk=plan.pk).legacy_actions.raw_data
    result["restored"] = [block["value"] for block in restored]
    result["records_after_reverse"] = apps.get_model("plans", "Action").objects.count()
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1])
