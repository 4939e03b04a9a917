"""A city downloads its plan as a spreadsheet, edits it and uploads it back: preview, errors, one revision."""

import html
import io
import zipfile
from datetime import date, datetime
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from wagtail.models import ReferenceIndex, Revision

from kb.content_files.exporter import latest_content
from kb.content_files.pages import find_city, find_page
from plans import spreadsheets
from plans.spreadsheets import ACTIONS, UPDATES, VALUES, apply_upload, export_csv, export_workbook, read_upload
from plans.wagtail_hooks import spreadsheet_header_button, spreadsheet_listing_button
from tests.editorial.test_workflow import as_user
from tests.network import COLOGNE_PLAN, SORIA_PLAN

pytestmark = pytest.mark.django_db


# --- helpers: a workbook edited the way a city officer edits it ---------------------------------------------------


def workbook(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data))


def saved(book) -> bytes:
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def column(sheet, key: str) -> int:
    return next(cell.column for cell in sheet[1] if cell.value == key)


def row_of(sheet, **match) -> int:
    """The row whose cells hold ``match`` (column key → value as written in the sheet)."""
    columns = {key: column(sheet, key) for key in match}
    for row in range(2, sheet.max_row + 1):
        if all(sheet.cell(row=row, column=columns[key]).value == value for key, value in match.items()):
            return row
    raise AssertionError(f"no row with {match}")


def put(sheet, row: int, **cells) -> None:
    for key, value in cells.items():
        sheet.cell(row=row, column=column(sheet, key), value=value)


def append(sheet, **cells) -> int:
    row = sheet.max_row + 1
    put(sheet, row, **cells)
    return row


def city_edits(data: bytes) -> bytes:
    """A status change, a new status update, a changed and a new indicator value."""
    book = workbook(data)
    actions, updates, values = book[ACTIONS], book[UPDATES], book[VALUES]
    put(actions, row_of(actions, identifier="3"), status="in_progress", status_reason="Rahmenvertrag unterschrieben.")
    append(updates, action="3", date=date(2026, 11, 20), author="Amt für Umwelt", status="in_progress",
           text="Checks laufen mit zwei Akustikbüros wieder an.")  # fmt: skip
    put(values, row_of(values, indicator="beratene-haushalte", date=datetime(2026, 10, 31)), value=470)
    append(values, indicator="beratene-haushalte", date="2026-11-30", value="490.5", source="Monatsbericht")
    return saved(book)


def plan_records(plan) -> dict:
    """Everything the spreadsheet covers, as the plan's latest revision has it."""
    content = latest_content(type(plan).objects.get(pk=plan.pk))
    return {sheet: spreadsheets.sheet_rows(content, sheet) for sheet in (ACTIONS, UPDATES, VALUES)}


def revisions(plan) -> int:
    return Revision.page_revisions.filter(object_id=str(plan.pk)).count()


def spreadsheet_url(plan) -> str:
    return reverse("plans_spreadsheet", args=[plan.pk])


def preview(client, plan, data: bytes, name="plan.xlsx"):
    return client.post(spreadsheet_url(plan), {"spreadsheet": SimpleUploadedFile(name, data)})


def apply(client, plan, response):
    context = response.context
    return client.post(
        reverse("plans_spreadsheet_apply", args=[plan.pk]), {"token": context["token"], "file_name": "plan.xlsx"}
    )


# --- the round trip ------------------------------------------------------------------------------------------------


def test_a_download_uploaded_unchanged_changes_nothing(structure):
    plan = find_page(structure, COLOGNE_PLAN)
    changes = read_upload(plan, export_workbook(plan))
    assert (changes.lines, changes.errors) == ([], [])
    for sheet in (ACTIONS, UPDATES, VALUES):
        changes = read_upload(plan, export_csv(plan, sheet))
        assert (changes.lines, changes.errors) == ([], []), sheet


def test_download_edit_preview_apply_publishes_one_revision_by_the_uploader(client, editors, structure):
    plan = find_page(structure, COLOGNE_PLAN)
    client = as_user(client, editors["network"])
    download = client.get(reverse("plans_spreadsheet_download", args=[plan.pk]))
    assert download.status_code == 200 and download["Content-Type"] == spreadsheets.XLSX_TYPE
    assert "attachment" in download["Content-Disposition"]
    before = revisions(plan)

    response = preview(client, plan, city_edits(download.content))
    assert response.status_code == 200
    changes = response.context["changes"]
    assert changes.errors == []
    assert changes.lines == [
        "Action 3: status delayed → in_progress",
        "Action 3: status_reason “Ausschreibung der Schallgutachten zweimal ohne Angebot; n…” → "
        "“Rahmenvertrag unterschrieben.”",
        "Action 3: new status update 2026-11-20 by Amt für Umwelt (status in_progress): "
        "“Checks laufen mit zwei Akustikbüros wieder an.”",
        "Indicator beratene-haushalte: 2026-10-31 value 462 → 470",
        "Indicator beratene-haushalte: 2026-11-30 value 490.5 (new, source “Monatsbericht”)",
    ]
    html = response.content.decode()
    assert "Apply these changes" in html and "Action 3: status delayed → in_progress" in html
    assert revisions(plan) == before  # a preview writes nothing

    references = set(ReferenceIndex.get_references_for_object(plan).values_list("to_object_id", "model_path"))
    response = apply(client, plan, response)
    assert response.status_code == 302 and response.url == reverse("wagtailadmin_pages:edit", args=[plan.pk])
    assert revisions(plan) == before + 1
    # The reference index (the lessons the actions cite…) is updated once, to the same entries.
    assert references and ReferenceIndex.get_references_for_object(plan).values_list("to_object_id", "model_path")
    assert set(ReferenceIndex.get_references_for_object(plan).values_list("to_object_id", "model_path")) == references
    plan.refresh_from_db()
    assert plan.latest_revision.user == editors["network"]
    assert not plan.has_unpublished_changes  # a network editor may publish: it is live
    action = plan.actions.get(identifier="3")
    assert (action.status, action.status_reason) == ("in_progress", "Rahmenvertrag unterschrieben.")
    assert action.updates.filter(date=date(2026, 11, 20), author="Amt für Umwelt", status="in_progress").count() == 1
    series = {value.date: value.value for value in plan.indicators.get(identifier="beratene-haushalte").values.all()}
    assert series[date(2026, 10, 31)] == 470 and series[date(2026, 11, 30)] == Decimal("490.5")
    assert len(series) == 20  # nineteen values before: one changed, one added, none lost

    # The same file again: its rows are now in the plan, and nothing changes (the update is not added twice).
    assert read_upload(plan, city_edits(download.content)).lines == []


def test_a_city_editor_uploads_a_draft_for_review_to_its_own_plan(client, editors, structure):
    plan = find_page(structure, COLOGNE_PLAN)
    live_before = plan_records(plan)
    client = as_user(client, editors["cologne"])
    response = preview(client, plan, city_edits(export_workbook(plan)))
    assert "saved as one revision by you, as a draft" in response.content.decode()
    response = apply(client, plan, response)
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.latest_revision.user == editors["cologne"] and plan.has_unpublished_changes
    assert plan.actions.get(identifier="3").status == "delayed"  # the live plan waits for review
    assert plan_records(plan)[ACTIONS] != live_before[ACTIONS]  # the draft has the change
    assert [a.status for a in latest_content(plan).actions.all() if a.identifier == "3"] == ["in_progress"]


def test_another_city_gets_403_and_other_pages_404(client, editors, structure):
    plan = find_page(structure, COLOGNE_PLAN)
    client = as_user(client, editors["soria"])
    data = export_workbook(plan)
    before = revisions(plan)
    assert client.get(spreadsheet_url(plan)).status_code == 403
    assert client.get(reverse("plans_spreadsheet_download", args=[plan.pk])).status_code == 403
    assert preview(client, plan, city_edits(data)).status_code == 403
    apply_url = reverse("plans_spreadsheet_apply", args=[plan.pk])
    assert client.post(apply_url, {"token": "forged"}).status_code == 403
    assert revisions(plan) == before
    # Soria's own plan is fine; a page that is not a plan is not found.
    assert client.get(spreadsheet_url(find_page(structure, SORIA_PLAN))).status_code == 200
    assert client.get(reverse("plans_spreadsheet", args=[find_city(structure, "Soria").pk])).status_code == 404
    # The "Spreadsheet" menu items appear only where the user may edit the plan.
    soria_plan = find_page(structure, SORIA_PLAN)
    assert [button.url for button in spreadsheet_header_button(soria_plan, editors["soria"], "edit")] == [
        spreadsheet_url(soria_plan)
    ]
    assert list(spreadsheet_listing_button(plan, editors["soria"])) == []
    assert list(spreadsheet_listing_button(find_city(structure, "Soria"), editors["network"])) == []


def test_apply_saves_nothing_when_the_plan_changed_since_the_preview_or_the_token_is_forged(client, editors, structure):
    plan = find_page(structure, COLOGNE_PLAN)
    client = as_user(client, editors["network"])
    first = preview(client, plan, city_edits(export_workbook(plan)))
    book = workbook(export_workbook(plan))
    put(book[ACTIONS], row_of(book[ACTIONS], identifier="3"), status="in_progress")
    assert apply_upload(plan, saved(book), editors["cologne"]).revision  # someone else, meanwhile
    before = revisions(plan)

    response = apply(client, plan, first)
    assert response.status_code == 200  # the preview again, as it stands now: the status is no longer a change
    assert "The plan changed since your preview" in html.unescape(response.content.decode())
    assert "Action 3: status delayed → in_progress" not in response.context["changes"].lines
    apply_url = reverse("plans_spreadsheet_apply", args=[plan.pk])
    response = client.post(apply_url, {"token": first.context["token"][:-3] + "abc"})
    assert response.status_code == 302 and response.url == spreadsheet_url(plan)
    assert revisions(plan) == before


# --- errors: each one placed, nothing written ----------------------------------------------------------------------


def test_bad_rows_are_reported_by_sheet_row_and_column_and_nothing_is_written(client, editors, structure, tmp_path):
    plan = find_page(structure, COLOGNE_PLAN)
    book = workbook(export_workbook(plan))
    actions, updates, values = book[ACTIONS], book[UPDATES], book[VALUES]
    put(actions, 2, status="stuck")  # not a status
    put(actions, 3, planned_start="31/12/2026", budget_planned_eur=-5)  # not a date, a negative budget
    put(actions, 4, title="=UPPER(B2)")  # a formula
    put(actions, 5, planned_end=date(2020, 1, 1))  # before its planned start
    put(actions, 6, identifier="99")  # no such action
    put(actions, 7, status_reason="A good change, not saved either: all or nothing")
    duplicate = append(actions, identifier="1", title="Again")
    bad_update = append(updates, action="3", date="2026-11-20", author="", text="No author")
    bad_value = append(values, indicator="unknown-indicator", date="2026-11-30", value="1.234,5")
    repeated = append(values, indicator="beratene-haushalte", date="2025-04-30", value=45)
    data = saved(book)
    records, before = plan_records(plan), revisions(plan)

    changes = read_upload(plan, data)
    found = {(error.sheet, error.row, error.column, error.key) for error in changes.errors}
    assert found == {
        (ACTIONS, 2, "C", "status"),
        (ACTIONS, 3, "F", "planned_start"),
        (ACTIONS, 3, "J", "budget_planned_eur"),
        (ACTIONS, 4, "B", "title"),
        (ACTIONS, 5, "G", "planned_end"),
        (ACTIONS, 6, "A", "identifier"),
        (ACTIONS, duplicate, "A", "identifier"),
        (UPDATES, bad_update, "C", "author"),
        (VALUES, bad_value, "A", "indicator"),
        (VALUES, bad_value, "E", "value"),
        (VALUES, repeated, "D", "date"),
    }, [str(error) for error in changes.errors]
    messages = {str(error) for error in changes.errors}
    assert "Actions, row 3, column J (budget_planned_eur): a budget cannot be negative" in messages
    assert f"Actions, row {duplicate}, column A (identifier): action 1 is also on row 2" in messages
    assert any("“stuck” is not one of: planned, in_progress" in message for message in messages)
    assert any("a formula (=UPPER(B2))" in message for message in messages)
    assert changes.lines == []

    path = tmp_path / "bad.xlsx"
    path.write_bytes(data)
    with pytest.raises(CommandError, match="11 error"):  # the command refuses it too
        call_command("plan_spreadsheet", "import", str(plan.pk), str(path), "--apply", "--user", "nina-network")
    assert apply_upload(plan, data, editors["network"]).errors
    response = preview(as_user(client, editors["network"]), plan, data)
    assert response.status_code == 200 and not response.context["token"]
    assert "nothing has been saved" in response.content.decode()
    assert (plan_records(plan), revisions(plan)) == (records, before)


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("plan.xlsx", b"", "is empty"),
        ("report.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\x00<<>>", "neither an Excel workbook"),
        ("plan.xlsx", b"PK\x03\x04 not really a zip", "damaged or not an Excel workbook"),
        ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old Excel file (.xls)"),
        ("notes.csv", b"name,comment\nx,y\n", "not one of the plan's sheets"),
        ("big.csv", b"indicator,date,value\n" + b"x" * spreadsheets.MAX_UPLOAD_BYTES, "at most 1.5 MB"),
    ],
)
def test_a_file_that_is_not_a_plan_spreadsheet_is_refused_clearly(client, editors, structure, name, content, message):
    plan = find_page(structure, COLOGNE_PLAN)
    response = preview(as_user(client, editors["network"]), plan, content, name)
    assert response.status_code == 200
    assert message in html.unescape(response.content.decode())


def test_a_docx_and_a_workbook_of_another_plan_are_refused(structure):
    cologne, soria = find_page(structure, COLOGNE_PLAN), find_page(structure, SORIA_PLAN)
    docx = io.BytesIO()
    with zipfile.ZipFile(docx, "w") as archive:
        archive.writestr("word/document.xml", "<document/>")
    assert "not an Excel workbook" in str(read_upload(cologne, docx.getvalue()).errors[0])
    assert "downloaded from another plan" in str(read_upload(soria, export_workbook(cologne)).errors[0])
    assert "downloaded from another plan" in str(read_upload(soria, export_csv(cologne, VALUES)).errors[0])
    book = workbook(export_workbook(cologne))
    del book[spreadsheets.README]
    assert "sheet with the plan's id is missing" in str(read_upload(cologne, saved(book)).errors[0])


def test_too_many_rows_are_refused(structure):
    plan = find_page(structure, COLOGNE_PLAN)
    lines = ["indicator,date,value,plan"] + ["beratene-haushalte,2030-01-01,1,"] * (spreadsheets.MAX_ROWS + 1)
    errors = read_upload(plan, "\n".join(lines).encode()).errors
    assert [(error.sheet, error.row) for error in errors][-1] == (VALUES, spreadsheets.MAX_ROWS + 2)
    assert "more than 5,000 rows" in errors[-1].message


# --- CSV ----------------------------------------------------------------------------------------------------------


def test_a_values_csv_from_german_excel_adds_values(editors, structure):
    """Semicolons, decimal commas, DD.MM.YYYY dates and Windows-1252: what Excel in German saves as "CSV"."""
    plan = find_page(structure, COLOGNE_PLAN)
    marker = f"{plan.pk}:{plan.slug}"
    text = (
        "indicator;indicator_name;unit;date;value;source;plan\r\n"
        f"beratene-haushalte;Beratene Haushalte;Haushalte;31.10.2026;462;Monatsbericht der Quartiersbüros;{marker}\r\n"
        "beratene-haushalte;;;30.11.2026;1.234,5;Schätzung;\r\n"
    )
    changes = apply_upload(plan, text.encode("cp1252"), editors["network"])
    assert changes.lines == ["Indicator beratene-haushalte: 2026-11-30 value 1234.5 (new, source “Schätzung”)"]
    assert changes.published
    plan.refresh_from_db()
    assert (
        plan.indicators.get(identifier="beratene-haushalte").values.get(date=date(2026, 11, 30)).source == "Schätzung"
    )


# --- the management command ---------------------------------------------------------------------------------------


def test_the_command_exports_and_dry_runs_then_applies(editors, structure, tmp_path):
    plan = find_page(structure, COLOGNE_PLAN)
    path = tmp_path / "cologne.xlsx"
    output = io.StringIO()
    call_command("plan_spreadsheet", "export", "/cities/cologne/aktionsplan-quartiersbueros/", str(path), stdout=output)
    assert f"(id {plan.pk})" in output.getvalue()
    path.write_bytes(city_edits(path.read_bytes()))
    before = revisions(plan)

    output = io.StringIO()
    call_command("plan_spreadsheet", "import", COLOGNE_PLAN, str(path), "--user", "carl-cologne", stdout=output)
    assert "Action 3: status delayed → in_progress" in output.getvalue()
    assert "dry run: 5 change(s) would be saved as a draft" in output.getvalue()
    assert revisions(plan) == before

    with pytest.raises(CommandError, match="may not edit"):
        call_command("plan_spreadsheet", "import", str(plan.pk), str(path), "--apply", "--user", "sara-soria")
    output = io.StringIO()
    call_command(
        "plan_spreadsheet", "import", str(plan.pk), str(path), "--apply", "--user", "carl-cologne", stdout=output
    )
    assert "5 change(s) saved as a draft for review" in output.getvalue()
    plan.refresh_from_db()
    assert revisions(plan) == before + 1 and plan.latest_revision.user == editors["cologne"]
