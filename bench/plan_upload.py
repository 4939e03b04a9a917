"""What a big plan's spreadsheet round trip costs: export, parse + preview, apply (revision and publish).

    python bench/plan_upload.py [--actions 200] [--months 24] [--repeat 3] [--database /tmp/plan-upload.sqlite3]

Builds, in a throwaway SQLite database (migrated from scratch, deleted afterwards unless --keep), one city with a
plan of N actions, each moving an indicator of its own with M monthly values and carrying two status updates.
It then exports the plan, changes every value in the workbook with openpyxl (as a city would in Excel) and times,
as the median of --repeat rounds:

- export: the XLSX workbook of the plan's latest revision;
- preview: reading the upload into its list of changes (parse, match, validate the changed plan);
- apply: the same again inside one transaction, plus ``save_revision()`` and ``publish()`` of the result;
- baseline: ``save_revision()`` + ``publish()`` of the unchanged plan in the same process, the floor an apply
  cannot go under (every measured value is a row the publish writes), with the reference index updated once as
  an upload does (``plans.spreadsheets.save_plan``);
- with --wagtail-publish, once: the same publish as Wagtail's edit view does it, which updates the reference index
  of the whole plan after every row it saves (quadratic: minutes for the default plan).
"""

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--actions", type=int, default=200, help="actions, each with an indicator of its own")
    parser.add_argument("--months", type=int, default=24, help="monthly values per indicator")
    parser.add_argument("--repeat", type=int, default=3, help="rounds per measurement (the median is printed)")
    parser.add_argument("--database", help="SQLite file to build (default: a temporary file)")
    parser.add_argument("--keep", action="store_true", help="keep the database file")
    parser.add_argument(
        "--wagtail-publish", action="store_true", help="also time one publish the way the admin's edit view does it"
    )
    return parser.parse_args()


ARGS = parse_args()
if ARGS.database:
    DATABASE = Path(ARGS.database)
    DATABASE.unlink(missing_ok=True)  # throwaway: always built from scratch
else:
    handle, name = tempfile.mkstemp(prefix="plan-upload-", suffix=".sqlite3")
    os.close(handle)  # an empty file is a new SQLite database
    DATABASE = Path(name)
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.dev"
os.environ["DATABASE_URL"] = f"sqlite:///{DATABASE}"
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SEARCH_URL", "")  # the database search backend: no engine needed

import django  # noqa: E402

django.setup()

import openpyxl  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from wagtail.signal_handlers import disable_reference_index_auto_update  # noqa: E402

from kb.content_files.exporter import latest_content  # noqa: E402
from kb.models import ActionPlanPage, CityPage  # noqa: E402
from kb.structure import ensure_site_structure  # noqa: E402
from plans.models import Action, Indicator, IndicatorValue, StatusUpdate  # noqa: E402
from plans.spreadsheets import VALUES, apply_upload, export_workbook, read_upload, save_plan  # noqa: E402


def month_ends(count: int) -> list[date]:
    days, year, month = [], 2024, 1
    for _ in range(count):
        following = date(year + month // 12, month % 12 + 1, 1)
        days.append(date.fromordinal(following.toordinal() - 1))
        year, month = following.year, following.month
    return days


def build_plan(actions: int, months: int) -> ActionPlanPage:
    structure = ensure_site_structure()
    city = structure.cities.add_child(instance=CityPage(title="Benchtown", slug="benchtown", country="DE"))
    plan = ActionPlanPage(title="Benchtown climate plan", slug="climate-plan", live=False, status="adopted")
    indicators, records = [], []
    for number in range(1, actions + 1):
        indicator = Indicator(identifier=f"indicator-{number}", name=f"Indicator {number}", unit="units")
        indicator.values = [
            IndicatorValue(date=day, value=Decimal(number * 10 + month), source="Monthly report", sort_order=month)
            for month, day in enumerate(month_ends(months))
        ]
        indicator.sort_order = number
        indicators.append(indicator)
        action = Action(
            identifier=str(number),
            title=f"Action number {number}",
            status="in_progress",
            planned_start=date(2024, 1, 1),
            planned_end=date(2027, 12, 31),
            budget_planned_eur=Decimal(100_000 + number),
            indicator_ids=indicator.identifier,
            lead_department="Climate office",
            partners="Utility; Housing company",
            sort_order=number,
        )
        action.updates = [
            StatusUpdate(date=date(2024, 2, 1), author="Climate office", status="in_progress", text="Started."),
            StatusUpdate(date=date(2025, 2, 1), author="Climate office", text="On track.", sort_order=1),
        ]
        records.append(action)
    plan.indicators, plan.actions = indicators, records
    with disable_reference_index_auto_update():  # see save_plan: quadratic otherwise
        city.add_child(instance=plan)
    save_plan(plan, None, publish=True)
    return ActionPlanPage.objects.get(pk=plan.pk)


def every_value_changed(data: bytes, step: int) -> bytes:
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book[VALUES]
    column = next(cell.column for cell in sheet[1] if cell.value == "value")
    for row in range(2, sheet.max_row + 1):
        cell = sheet.cell(row=row, column=column)
        cell.value = cell.value + step
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def timed(function):
    started = time.perf_counter()
    result = function()
    return time.perf_counter() - started, result


def main():
    print(f"database: {DATABASE}")
    seconds, _ = timed(lambda: call_command("migrate", verbosity=0))
    print(f"migrate: {seconds:.1f} s")
    seconds, plan = timed(lambda: build_plan(ARGS.actions, ARGS.months))
    values = ARGS.actions * ARGS.months
    print(f"plan: {ARGS.actions} actions, {ARGS.actions} indicators × {ARGS.months} values = {values} values "
          f"(built and published in {seconds:.1f} s)")  # fmt: skip
    user = get_user_model().objects.create_superuser("bench", "bench@example.com", "bench")

    export_times, preview_times, apply_times, baseline_times = [], [], [], []
    for round_number in range(1, ARGS.repeat + 1):
        seconds, data = timed(lambda: export_workbook(ActionPlanPage.objects.get(pk=plan.pk)))
        export_times.append(seconds)
        edited = every_value_changed(data, round_number)

        seconds, changes = timed(lambda edited=edited: read_upload(ActionPlanPage.objects.get(pk=plan.pk), edited))
        assert changes.ok and len(changes.lines) == values, (changes.errors[:3], len(changes.lines))
        preview_times.append(seconds)

        seconds, changes = timed(
            lambda edited=edited: apply_upload(ActionPlanPage.objects.get(pk=plan.pk), edited, user)
        )
        assert changes.published and len(changes.lines) == values
        apply_times.append(seconds)

        seconds, _ = timed(
            lambda: save_plan(latest_content(ActionPlanPage.objects.get(pk=plan.pk)), user, publish=True)
        )
        baseline_times.append(seconds)

    export, preview, apply, baseline = map(
        statistics.median, (export_times, preview_times, apply_times, baseline_times)
    )
    print(f"workbook: {len(data) / 1024:.0f} kB, {values} value rows; median of {ARGS.repeat} rounds")
    print(f"export (XLSX):                               {export * 1000:8.0f} ms")
    print(f"parse + preview ({values} changes):           {preview * 1000:8.0f} ms")
    print(f"apply (parse again, revision, publish):      {apply * 1000:8.0f} ms")
    print(f"baseline (save_revision + publish unchanged): {baseline * 1000:7.0f} ms")
    print(f"apply / baseline:                            {apply / baseline:8.2f}")
    print(f"(apply − preview) / baseline:                {(apply - preview) / baseline:8.2f}")
    if ARGS.wagtail_publish:

        def wagtail_publish():
            content = latest_content(ActionPlanPage.objects.get(pk=plan.pk))
            content.save_revision(user=user, log_action=True).publish(user=user)

        seconds, _ = timed(wagtail_publish)
        print(f"Wagtail's own publish of the unchanged plan: {seconds * 1000:8.0f} ms (once)")
        print(f"apply / Wagtail's own publish:               {apply / seconds:8.2f}")


if __name__ == "__main__":
    try:
        main()
    finally:
        if not ARGS.keep:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{DATABASE}{suffix}").unlink(missing_ok=True)
