"""First half of moving Action Plan actions out of a StreamField into records of their own (``plans``).

The StreamField is kept under another name until ``plans.0002`` has copied every action and KPI into records;
``0011`` then removes it.
"""

import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("kb", "0009_lesson_theme_and_date_required")]

    operations = [
        migrations.RenameField("actionplanpage", "actions", "legacy_actions"),
        migrations.AddField(
            model_name="actionplanpage",
            name="update_interval_days",
            field=models.PositiveSmallIntegerField(
                default=90,
                help_text="An action with no status update or indicator value for this long is shown as not updated.",
                validators=[
                    django.core.validators.MinValueValidator(7),
                    django.core.validators.MaxValueValidator(730),
                ],
                verbose_name="update interval (days)",
            ),
        ),
    ]
