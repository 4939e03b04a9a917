"""Download a plan as a spreadsheet, or check and apply an edited one, from the command line.

    manage.py plan_spreadsheet export <plan> cologne.xlsx          (or .csv with --sheet values|actions|updates)
    manage.py plan_spreadsheet import <plan> cologne.xlsx          a dry run: prints the changes and the errors
    manage.py plan_spreadsheet import <plan> cologne.xlsx --apply --user carl-cologne

<plan> is the page id, its address (/cities/cologne/aktionsplan-quartiersbueros/, or the full URL) or its content
reference (action_plan:cologne/aktionsplan-quartiersbueros). Applying saves one revision by --user, published when
that user may publish the plan and a draft for review otherwise, exactly as an upload in the admin.
"""

from pathlib import Path
from urllib.parse import urlsplit

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from kb.content_files.pages import find_page
from kb.models import ActionPlanPage
from kb.structure import ensure_site_structure
from plans import spreadsheets

SHEETS = {"actions": spreadsheets.ACTIONS, "updates": spreadsheets.UPDATES, "values": spreadsheets.VALUES}


def find_plan(value: str) -> ActionPlanPage:
    value = value.strip()
    if value.isdigit():
        plan = ActionPlanPage.objects.filter(pk=int(value)).first()
    elif ":" in value and not value.startswith(("http://", "https://")):
        page = find_page(ensure_site_structure(), value)
        plan = page.specific if page is not None and isinstance(page.specific, ActionPlanPage) else None
    else:
        address = "/" + urlsplit(value).path.strip("/") + "/"
        plans = list(ActionPlanPage.objects.filter(url_path__endswith=address)[:2])
        plan = plans[0] if len(plans) == 1 else None
    if plan is None:
        raise CommandError(f"no Action Plan is '{value}' (give its page id, address or content reference)")
    return plan


class Command(BaseCommand):
    help = "Export a plan's actions, status updates and indicator values as a spreadsheet, or import one back."

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="command", required=True)
        export = commands.add_parser("export", help="write the plan's spreadsheet (.xlsx, or .csv with --sheet)")
        export.add_argument("plan", help="page id, address or content reference of the plan")
        export.add_argument("file", help="the file to write")
        export.add_argument("--sheet", choices=sorted(SHEETS), help="write this sheet as CSV instead")
        upload = commands.add_parser("import", help="check an edited spreadsheet; --apply saves it")
        upload.add_argument("plan", help="page id, address or content reference of the plan")
        upload.add_argument("file", help="the .xlsx workbook or a sheet as .csv")
        upload.add_argument("--apply", action="store_true", help="save the changes (default: a dry run)")
        upload.add_argument("--user", help="the editor the revision is by (required with --apply)")
        upload.add_argument("--draft", action="store_true", help="save a draft even if the user may publish")

    def handle(self, *args, command, **options):
        plan = find_plan(options["plan"])
        if command == "export":
            self.export(plan, Path(options["file"]), options["sheet"])
        else:
            self.upload(plan, Path(options["file"]), options)

    def export(self, plan, path: Path, sheet: str | None):
        if sheet:
            data = spreadsheets.export_csv(plan, SHEETS[sheet])
        elif path.suffix.lower() == ".csv":
            raise CommandError("a CSV file holds one sheet: add --sheet values, actions or updates")
        else:
            data = spreadsheets.export_workbook(plan)
        path.write_bytes(data)
        self.stdout.write(f"wrote {path} ({len(data):,} bytes) for “{plan.title}” (id {plan.pk})")

    def upload(self, plan, path: Path, options):
        try:
            size = path.stat().st_size
        except OSError as error:
            raise CommandError(f"cannot read {path}: {error.strerror}") from error
        if size > spreadsheets.MAX_UPLOAD_BYTES:
            limit = spreadsheets.MAX_UPLOAD_BYTES / (1024 * 1024)
            raise CommandError(f"{path} is {size / (1024 * 1024):.1f} MB; at most {limit:.1f} MB is accepted")
        data = path.read_bytes()
        user = self.user(options["user"]) if options["user"] else None
        if options["apply"]:
            if user is None:
                raise CommandError("--apply needs --user: the revision is recorded as theirs")
            try:
                changes = spreadsheets.apply_upload(plan, data, user, publish=not options["draft"])
            except PermissionDenied as refusal:
                raise CommandError(str(refusal)) from refusal
        else:
            if user is not None:
                try:
                    spreadsheets.check_may_edit(plan, user)
                except PermissionDenied as refusal:
                    raise CommandError(str(refusal)) from refusal
            changes = spreadsheets.read_upload(plan, data)
        self.report(plan, changes, user, options)

    def report(self, plan, changes, user, options):
        for line in changes.lines:
            self.stdout.write(line)
        for warning in changes.warnings:
            self.stdout.write(self.style.WARNING(f"warning: {warning}"))
        for error in changes.errors:
            self.stderr.write(self.style.ERROR(f"error: {error}"))
        if changes.errors:
            raise CommandError(f"{len(changes.errors)} error(s) in {options['file']}: nothing was written")
        count = len(changes.lines)
        if not count:
            self.stdout.write("nothing to change")
        elif not options["apply"] and user is None:
            self.stdout.write(f"dry run: {count} change(s); add --apply --user USERNAME to save them")
        elif not options["apply"]:
            publishes = not options["draft"] and spreadsheets.may_publish(plan, user)
            outcome = "published" if publishes else "saved as a draft"
            self.stdout.write(f"dry run: {count} change(s) would be {outcome}; add --apply to save them")
        else:
            outcome = "published" if changes.published else "saved as a draft for review"
            self.stdout.write(self.style.SUCCESS(f"{count} change(s) {outcome} as revision {changes.revision.pk}"))

    @staticmethod
    def user(username: str):
        try:
            return get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist as error:
            raise CommandError(f"no user '{username}'") from error
