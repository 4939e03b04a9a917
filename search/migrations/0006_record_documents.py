"""Documents of records (an Action Plan's actions) beside their page's: a document's id is no longer its page's."""

from django.db import migrations, models


def keys_from_page_ids(apps, schema_editor):
    SearchDocument = apps.get_model("network_search", "SearchDocument")
    for row in SearchDocument.objects.only("id", "page_id").iterator():
        SearchDocument.objects.filter(pk=row.pk).update(key=str(row.page_id))


class Migration(migrations.Migration):
    dependencies = [
        ("network_search", "0005_concepts"),
    ]

    operations = [
        migrations.AddField(
            model_name="searchdocument",
            name="key",
            field=models.CharField(default="", max_length=100),
            preserve_default=False,
        ),
        migrations.RunPython(keys_from_page_ids, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="searchdocument",
            name="key",
            field=models.CharField(
                help_text="The document's id: the page id, or action-<plan id>-<identifier>.",
                max_length=100,
                unique=True,
            ),
        ),
        migrations.AlterField(
            model_name="searchdocument",
            name="page_id",
            field=models.BigIntegerField(
                db_index=True, help_text="The page it comes from: itself, or a record's page."
            ),
        ),
        migrations.AddField(
            model_name="searchdocument",
            name="parts",
            field=models.JSONField(default=list, help_text="The ids of the documents of the page's records."),
        ),
    ]
