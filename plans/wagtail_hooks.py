"""The plan's spreadsheet in the admin: its pages, and a "Spreadsheet" item in the plan's "More" menus."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.widgets.button import Button

from kb.models import ActionPlanPage
from plans.admin_views import ApplyView, DownloadView, SpreadsheetView


@hooks.register("register_admin_urls")
def spreadsheet_urls():
    return [
        path("plans/<int:page_id>/spreadsheet/", SpreadsheetView.as_view(), name="plans_spreadsheet"),
        path("plans/<int:page_id>/spreadsheet/download/", DownloadView.as_view(), name="plans_spreadsheet_download"),
        path("plans/<int:page_id>/spreadsheet/apply/", ApplyView.as_view(), name="plans_spreadsheet_apply"),
    ]


def _spreadsheet_button(page, user, priority: int):
    specific_class = page.specific_class
    if specific_class and issubclass(specific_class, ActionPlanPage) and page.permissions_for_user(user).can_edit():
        yield Button(
            _("Spreadsheet"),
            reverse("plans_spreadsheet", args=[page.pk]),
            icon_name="table",
            attrs={"title": _("Download the actions and values as a spreadsheet, or upload one")},
            priority=priority,
        )


@hooks.register("register_page_header_buttons")
def spreadsheet_header_button(page, user, view_name, next_url=None):
    """In the "…" menu beside the title of the plan's edit page."""
    yield from _spreadsheet_button(page, user, priority=66)


@hooks.register("register_page_listing_more_buttons")
def spreadsheet_listing_button(page, user, next_url=None):
    """In a page listing's "More" menu, on the plan's row."""
    yield from _spreadsheet_button(page, user, priority=52)
