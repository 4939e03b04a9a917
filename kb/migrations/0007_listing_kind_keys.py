"""Listings name the kind they list by its registry key (``lesson``), not a plural of their own (``lessons``)."""

from django.db import migrations, models

import kb.models

OLD_TO_NEW = {"lessons": "lesson", "action_plans": "action_plan", "visit_reports": "visit_report"}


def rename(apps, schema_editor, mapping):
    ListingPage = apps.get_model("kb", "ListingPage")
    Revision = apps.get_model("wagtailcore", "Revision")
    ContentType = apps.get_model("contenttypes", "ContentType")
    for old, new in mapping.items():
        ListingPage.objects.filter(listed_type=old).update(listed_type=new)
    # Revisions hold the field too; publishing an old revision must not bring the old key back.
    content_type = ContentType.objects.filter(app_label="kb", model="listingpage").first()
    if content_type is None:
        return
    for revision in Revision.objects.filter(content_type=content_type):
        listed = revision.content.get("listed_type")
        if listed in mapping:
            revision.content["listed_type"] = mapping[listed]
            revision.save(update_fields=["content"])


class Migration(migrations.Migration):
    dependencies = [
        ("kb", "0006_alter_actionplanpage_actions_alter_citypage_cohort_and_more"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [
        migrations.AlterField(
            model_name="listingpage",
            name="listed_type",
            field=models.CharField(choices=kb.models._listed_kinds, max_length=20),
        ),
        migrations.RunPython(
            lambda apps, editor: rename(apps, editor, OLD_TO_NEW),
            lambda apps, editor: rename(apps, editor, {new: old for old, new in OLD_TO_NEW.items()}),
        ),
    ]
