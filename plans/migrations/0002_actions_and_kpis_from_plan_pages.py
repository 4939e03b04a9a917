"""Move every plan's StreamField actions and KPIs into records, and seed the network's common indicators.

Nothing is dropped: each action becomes an ``Action`` in the same order (identifiers 1, 2, 3…) with all its
fields (its budget becomes the planned budget); each KPI becomes an ``Indicator`` of the plan, named by the action
that carried it, with the baseline (dated at the plan's adoption, else its first publication), the current value
as a measured value dated at the page's last publication, and the target as a goal dated at the action's planned
end. Old revisions keep their StreamField under ``legacy_actions`` in their stored content, so they still load
(with the live actions) and the original text stays on record. The reverse migration writes the StreamField back
from the records.
"""

from datetime import date
from decimal import Decimal

from django.db import migrations
from django.utils.text import slugify

COMMON_INDICATORS = [
    # slug, name, unit, per 1,000 inhabitants
    ("energy-renovated-dwellings", "Energy-renovated dwellings", "dwellings", True),
    ("ghg-emissions-avoided", "Greenhouse gas emissions avoided", "tCO₂e", True),
    ("cycle-lanes", "Cycle lanes", "km", True),
    ("households-advised", "Households advised on renovation", "households", True),
    ("renewable-capacity-installed", "Renewable power capacity installed", "kWp", True),
    ("public-buildings-renovated", "Public buildings renovated", "buildings", False),
    ("trees-planted", "Trees planted", "trees", True),
]


def _items(value):
    """ListBlock items, in either of the formats Wagtail has stored them in (plain values or {type, value})."""
    return [item["value"] if isinstance(item, dict) and "value" in item and "type" in item else item for item in value]


def _number(value):
    return None if value in (None, "") else Decimal(str(value))


def _day(value):
    return date.fromisoformat(value) if value else None


def forward(apps, schema_editor):
    CommonIndicator = apps.get_model("plans", "CommonIndicator")
    for slug, name, unit, per_inhabitants in COMMON_INDICATORS:
        CommonIndicator.objects.get_or_create(
            slug=slug, defaults={"name": name, "unit": unit, "per_inhabitants": per_inhabitants}
        )

    Page = apps.get_model("kb", "ActionPlanPage")
    Action = apps.get_model("plans", "Action")
    Indicator = apps.get_model("plans", "Indicator")
    Goal = apps.get_model("plans", "IndicatorGoal")
    Value = apps.get_model("plans", "IndicatorValue")
    Revision = apps.get_model("wagtailcore", "Revision")
    for page in Page.objects.all():
        published = page.last_published_at.date() if page.last_published_at else None
        started = page.adopted_on or (page.first_published_at.date() if page.first_published_at else None)
        taken = set()
        for position, block in enumerate(page.legacy_actions.raw_data):
            value = block["value"]
            action = Action.objects.create(
                plan_id=page.pk,
                sort_order=position,
                identifier=str(position + 1),
                title=value.get("title") or "",
                description=value.get("description") or "",
                theme_id=value.get("theme"),
                lead_department=value.get("lead_department") or "",
                status=value.get("status") or "planned",
                planned_start=_day(value.get("planned_start")),
                planned_end=_day(value.get("planned_end")),
                actual_start=_day(value.get("actual_start")),
                actual_end=_day(value.get("actual_end")),
                budget_planned_eur=_number(value.get("budget_eur")),
            )
            lessons = [pk for pk in _items(value.get("lessons") or []) if pk]
            Action.lessons.through.objects.bulk_create(
                [Action.lessons.through(action_id=action.pk, lessonpage_id=pk) for pk in dict.fromkeys(lessons)]
            )
            identifiers = []
            for kpi in _items(value.get("kpis") or []):
                identifier = base = slugify(kpi.get("name") or "")[:50] or f"indicator-{position + 1}"
                suffix = 2
                while identifier in taken:
                    identifier, suffix = f"{base}-{suffix}", suffix + 1
                taken.add(identifier)
                identifiers.append(identifier)
                baseline, target = _number(kpi.get("baseline")), _number(kpi.get("target"))
                indicator = Indicator.objects.create(
                    plan_id=page.pk,
                    sort_order=len(taken),
                    identifier=identifier,
                    name=kpi.get("name") or identifier,
                    unit=kpi.get("unit") or "",
                    direction="decrease" if None not in (baseline, target) and target < baseline else "increase",
                    baseline_date=started if baseline is not None else None,
                    baseline_value=baseline,
                )
                if target is not None:
                    Goal.objects.create(indicator=indicator, date=action.planned_end, value=target)
                current = _number(kpi.get("current"))
                if current is not None:
                    Value.objects.create(
                        indicator=indicator,
                        date=published or date.today(),
                        value=current,
                        source="Current value before per-date tracking (migrated)",
                    )
            action.indicator_ids = ", ".join(identifiers)
            action.save(update_fields=["indicator_ids"])
        for revision in Revision.objects.filter(content_type_id=page.content_type_id, object_id=str(page.pk)):
            if isinstance(revision.content.get("actions"), list) and "legacy_actions" not in revision.content:
                revision.content["legacy_actions"] = revision.content.pop("actions")
                revision.save(update_fields=["content"])


def backward(apps, schema_editor):
    Page = apps.get_model("kb", "ActionPlanPage")
    Indicator = apps.get_model("plans", "Indicator")
    Revision = apps.get_model("wagtailcore", "Revision")
    for page in Page.objects.all():
        indicators = {indicator.identifier: indicator for indicator in Indicator.objects.filter(plan_id=page.pk)}
        blocks = []
        for action in page.actions.order_by("sort_order"):
            kpis = []
            for identifier in filter(None, (part.strip() for part in action.indicator_ids.split(","))):
                indicator = indicators.get(identifier)
                if indicator is None:
                    continue
                goal = indicator.goals.order_by("-date").first()
                current = indicator.values.order_by("-date").first()
                kpis.append(
                    {
                        "name": indicator.name,
                        "unit": indicator.unit,
                        "baseline": _text(indicator.baseline_value),
                        "target": _text(goal and goal.value),
                        "current": _text(current and current.value),
                    }
                )
            blocks.append(
                {
                    "type": "action",
                    "value": {
                        "title": action.title,
                        "description": action.description,
                        "theme": action.theme_id,
                        "lead_department": action.lead_department,
                        "planned_start": _iso(action.planned_start),
                        "planned_end": _iso(action.planned_end),
                        "actual_start": _iso(action.actual_start),
                        "actual_end": _iso(action.actual_end),
                        "budget_eur": _text(action.budget_planned_eur),
                        "status": action.status,
                        "kpis": kpis,
                        "lessons": list(action.lessons.values_list("pk", flat=True)),
                    },
                }
            )
        page.legacy_actions = blocks
        page.save(update_fields=["legacy_actions"])
        page.actions.all().delete()  # the StreamField holds them again; a second forward run must not double them
        Indicator.objects.filter(plan_id=page.pk).delete()
        for revision in Revision.objects.filter(content_type_id=page.content_type_id, object_id=str(page.pk)):
            if "legacy_actions" in revision.content:
                revision.content["actions"] = revision.content.pop("legacy_actions")
                revision.save(update_fields=["content"])


def _text(number):
    return None if number is None else str(number)


def _iso(day):
    return day.isoformat() if day else None


class Migration(migrations.Migration):
    dependencies = [
        ("plans", "0001_initial"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(forward, backward)]
