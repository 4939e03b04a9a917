"""A plan's spreadsheet in the admin: download it, upload it back, preview the changes, apply them.

The preview carries the uploaded file to the "Apply these changes" button in a hidden field, signed for this plan
and this user and valid for an hour, so that the editor need not choose the file again and nothing is stored on the
server in between. Applying reads the file again and saves nothing unless it still means the previewed changes.
"""

import base64

from django import forms
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views import View
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from kb.models import ActionPlanPage
from plans import spreadsheets
from plans.spreadsheets import ACTIONS, DATA_SHEETS, MAX_UPLOAD_BYTES, UPDATES, VALUES

PREVIEW_VALID_SECONDS = 3600
CSV_SHEETS = {"actions": ACTIONS, "updates": UPDATES, "values": VALUES}


class UploadForm(forms.Form):
    spreadsheet = forms.FileField(
        label=_("Spreadsheet"),
        help_text=_("The Excel workbook (.xlsx) downloaded here, or one of its sheets as CSV. At most %(size)s MB.")
        % {"size": f"{MAX_UPLOAD_BYTES / (1024 * 1024):.1f}"},
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )

    def clean_spreadsheet(self):
        upload = self.cleaned_data["spreadsheet"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                gettext("The file is %(size).1f MB; at most %(max).1f MB is accepted.")
                % {"size": upload.size / (1024 * 1024), "max": MAX_UPLOAD_BYTES / (1024 * 1024)}
            )
        return upload


def _salt(plan, user) -> str:
    return f"plans.spreadsheet.preview:{plan.pk}:{user.pk}"


def preview_token(plan, user, data: bytes, changes) -> str:
    payload = {"file": base64.b64encode(data).decode("ascii"), "changes": changes.fingerprint}
    return signing.dumps(payload, salt=_salt(plan, user), compress=True)


def read_token(plan, user, token: str) -> tuple[bytes, str]:
    """The file and the previewed changes' fingerprint; ``signing.BadSignature`` when forged, expired or foreign."""
    payload = signing.loads(token, salt=_salt(plan, user), max_age=PREVIEW_VALID_SECONDS)
    return base64.b64decode(payload["file"]), payload["changes"]


class PlanSpreadsheetMixin:
    """The plan of the address (404 for any other page) and the user's right to edit it (403 otherwise)."""

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.plan = get_object_or_404(ActionPlanPage, pk=kwargs["page_id"])

    def dispatch(self, request, *args, **kwargs):
        if not self.plan.permissions_for_user(request.user).can_edit():
            # A 403 of its own: Wagtail would turn PermissionDenied into a redirect to the dashboard.
            context = {
                "page_title": gettext("Spreadsheet"),
                "header_title": gettext("Spreadsheet"),
                "header_icon": "table",
            }
            return TemplateResponse(request, "plans/admin/forbidden.html", context, status=403)
        return super().dispatch(request, *args, **kwargs)


class SpreadsheetView(PlanSpreadsheetMixin, WagtailAdminTemplateMixin, View):
    """GET: the download links and the upload form. POST: the preview of an uploaded file."""

    template_name = "plans/admin/spreadsheet.html"
    header_icon = "table"

    def get_page_title(self):
        return gettext("Spreadsheet")

    def get_page_subtitle(self):
        return self.plan.get_admin_display_title()

    def get_breadcrumbs_items(self):
        edit_url = reverse("wagtailadmin_pages:edit", args=[self.plan.pk])
        return self.breadcrumbs_items + [
            {"url": edit_url, "label": self.plan.get_admin_display_title()},
            {"url": "", "label": gettext("Spreadsheet")},
        ]

    def get_context_data(self, **kwargs):
        user = self.request.user
        return super().get_context_data(
            plan=self.plan,
            sheets=DATA_SHEETS,
            download_url=reverse("plans_spreadsheet_download", args=[self.plan.pk]),
            apply_url=reverse("plans_spreadsheet_apply", args=[self.plan.pk]),
            edit_url=reverse("wagtailadmin_pages:edit", args=[self.plan.pk]),
            csv_sheets=[(key, sheet) for key, sheet in CSV_SHEETS.items()],
            will_publish=spreadsheets.may_publish(self.plan, user),
            has_draft=self.plan.has_unpublished_changes,
            locked=spreadsheets.lock_message(self.plan, user),
            **kwargs,
        )

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(form=UploadForm()))

    def post(self, request, *args, **kwargs):
        form = UploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        upload = form.cleaned_data["spreadsheet"]
        data = upload.read(MAX_UPLOAD_BYTES + 1)
        return self.preview(data, upload.name)

    def preview(self, data: bytes, name: str):
        """The changes and errors a file means; with a signed copy of the file for "Apply" when it can be applied."""
        changes = spreadsheets.read_upload(self.plan, data)
        token = preview_token(self.plan, self.request.user, data, changes) if changes.ok and changes.lines else ""
        return self.render_to_response(
            self.get_context_data(form=UploadForm(), changes=changes, file_name=name, token=token)
        )


class ApplyView(SpreadsheetView):
    """POST: apply the previewed file, as one revision by this user (published if they may publish)."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        try:
            data, fingerprint = read_token(self.plan, request.user, request.POST.get("token", ""))
        except (signing.BadSignature, KeyError, ValueError, TypeError):
            messages.error(request, gettext("The preview has expired or is not valid: upload the file again."))
            return redirect("plans_spreadsheet", self.plan.pk)
        name = request.POST.get("file_name", "")[:200]
        try:
            changes = spreadsheets.apply_upload(self.plan, data, request.user, expect=fingerprint)
        except PermissionDenied as refusal:
            messages.error(request, str(refusal))
            return redirect("plans_spreadsheet", self.plan.pk)
        if changes.outdated or not changes.ok:
            messages.warning(
                request,
                gettext("The plan changed since your preview: check the changes as they stand now, then apply again."),
            )
            return self.preview(data, name)
        if not changes.lines:
            messages.info(request, gettext("The spreadsheet changes nothing in the plan."))
            return redirect("plans_spreadsheet", self.plan.pk)
        details = {"count": len(changes.lines), "title": self.plan.get_admin_display_title()}
        if changes.published:
            published = gettext("%(count)d changes from the spreadsheet published in “%(title)s”.")
            messages.success(request, published % details)
        else:
            messages.success(
                request,
                gettext(
                    "%(count)d changes from the spreadsheet saved as a draft of “%(title)s”; "
                    "submit it for review from the edit page."
                )
                % details,
            )
        return redirect("wagtailadmin_pages:edit", self.plan.pk)


class DownloadView(PlanSpreadsheetMixin, View):
    """The plan as an XLSX workbook, or one sheet as CSV (``?sheet=values``)."""

    def get(self, request, *args, **kwargs):
        base = f"{self.plan.get_parent().slug}-{self.plan.slug}"
        sheet = CSV_SHEETS.get(request.GET.get("sheet", ""))
        if sheet:
            content, content_type = spreadsheets.export_csv(self.plan, sheet), spreadsheets.CSV_TYPE
            name = f"{base}-{sheet.lower()}.csv"
        else:
            content, content_type = spreadsheets.export_workbook(self.plan), spreadsheets.XLSX_TYPE
            name = f"{base}.xlsx"
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = content_disposition_header(True, name)
        return response
