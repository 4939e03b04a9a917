"""Second half of moving Action Plan actions into records: the StreamField goes once ``plans.0002`` copied it."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("kb", "0010_plan_actions_become_records"),
        ("plans", "0002_actions_and_kpis_from_plan_pages"),
    ]

    operations = [migrations.RemoveField(model_name="actionplanpage", name="legacy_actions")]
