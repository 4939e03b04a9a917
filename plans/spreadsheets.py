"""A plan's actions, status updates and indicator values as a spreadsheet a city edits and uploads back.

The round trip:

- **Download** an XLSX workbook with the sheets "Read me", "Actions", "Updates" and "Values" (or one of the three
  data sheets as CSV). The first row of each data sheet holds the stable column keys; the "Read me" sheet explains
  every column and records the plan's id and slug, so that a file is never applied to another plan.
- **Upload** it back: the file is read into a :class:`Changes` — human-readable lines ("Action 3: status
  in_progress → delayed") and errors by sheet, row (as Excel numbers it) and column — against the plan's latest
  revision, nothing written. That is the preview.
- **Apply**: all or nothing in one transaction, as one revision by the uploader, published when the uploader may
  publish the plan and left as a draft for review otherwise.

What a row does:

- *Actions*: one row per action, found by its identifier. A changed cell changes the field, an empty cell empties it
  (a required field then fails), a missing column leaves the field alone. Actions are added in the admin.
- *Updates*: rows already in the plan are recognised by (action, date, author, text) and left alone; any other row
  adds a status update. Updates are corrected and deleted in the admin.
- *Values*: one row per measured value, found by (indicator, date): a row for an existing date changes its value or
  source, a row with a new date adds a value. Leaving a row out never deletes a value (delete it in the admin):
  a sheet someone trimmed to the latest months must not wipe out the series.

Why openpyxl rather than tablib or django-import-export: those import flat tables model by model and save row by
row, whereas a plan is one nested record (actions with their updates, indicators with their values) that changes
only as a whole page revision; openpyxl reads and writes the cells, and this module does the matching itself.
"""

import csv
import hashlib
import io
import math
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from kb.content_files.exporter import latest_content
from kb.content_files.importer import validate
from kb.models import ActionPlanPage
from plans.models import Action, IndicatorValue, StatusUpdate

# A plan of 200 actions with 4,800 measured values is about 250 kB. The admin's preview carries the file back in a
# signed form field (a third larger), which must stay under Django's DATA_UPLOAD_MAX_MEMORY_SIZE of 2.5 MB.
MAX_UPLOAD_BYTES = 1536 * 1024
MAX_ROWS = 5_000  # data rows per sheet
MAX_SCANNED_ROWS = 10 * MAX_ROWS  # blank rows included (a sheet formatted down to row 1,048,576)
MAX_UNZIPPED_BYTES = 50 * 1024 * 1024  # the XML inside an XLSX: a small file must not unpack into gigabytes

README, ACTIONS, UPDATES, VALUES = "Read me", "Actions", "Updates", "Values"
DATA_SHEETS = (ACTIONS, UPDATES, VALUES)
PLAN_ID, PLAN_SLUG, PLAN_REVISION = "Plan id", "Plan slug", "Based on revision"
PLAN_COLUMN = "plan"  # in CSV files, which have no "Read me": "<id>:<slug>" on every row

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv"

# How a cell is read.
KEY, TEXT, CHOICE, DATE, NUMBER, MONEY, PARTNERS, INDICATORS, READ_ONLY = (
    "key", "text", "choice", "date", "number", "money", "partners", "indicators", "read-only",
)  # fmt: skip


@dataclass(frozen=True)
class Column:
    key: str
    kind: str
    help: str
    field: str = ""  # the model field the column edits
    required: bool = False  # the column must be there
    width: int = 16


COLUMNS: dict[str, tuple[Column, ...]] = {
    ACTIONS: (
        Column("identifier", KEY, "The action's identifier; finds the action. Not editable here.", required=True,
               width=11),
        Column("title", TEXT, "Required.", "title", width=48),
        Column("status", CHOICE, "planned, in_progress, completed, delayed or cancelled.", "status", width=13),
        Column("status_reason", TEXT, "Why it is delayed, cancelled…", "status_reason", width=40),
        Column("phase", CHOICE, "design, procurement, implementation, evaluation, or empty.", "phase", width=15),
        Column("planned_start", DATE, "A date (YYYY-MM-DD).", "planned_start", width=13),
        Column("planned_end", DATE, "A date (YYYY-MM-DD), not before the planned start.", "planned_end", width=13),
        Column("actual_start", DATE, "A date (YYYY-MM-DD).", "actual_start", width=13),
        Column("actual_end", DATE, "A date (YYYY-MM-DD), not before the actual start.", "actual_end", width=13),
        Column("budget_planned_eur", MONEY, "Euros, not negative.", "budget_planned_eur", width=14),
        Column("budget_spent_eur", MONEY, "Euros spent so far, not negative.", "budget_spent_eur", width=14),
        Column("lead_department", TEXT, "The department in charge.", "lead_department", width=30),
        Column("partners", PARTNERS, "Separated by semicolons.", "partners", width=30),
        Column("indicators", INDICATORS, "Identifiers of the plan's indicators it moves, separated by commas.",
               "indicator_ids", width=30),
    ),
    UPDATES: (
        Column("action", KEY, "The identifier of the action.", required=True, width=9),
        Column("date", DATE, "A date (YYYY-MM-DD).", "date", required=True, width=12),
        Column("author", TEXT, "Who reports it (a person or a department).", "author", required=True, width=30),
        Column("status", CHOICE, "The status it leaves the action in, or empty.", "status", width=13),
        Column("text", TEXT, "What happened (at most 2,000 characters).", "text", required=True, width=80),
    ),
    VALUES: (
        Column("indicator", KEY, "The identifier of the indicator.", required=True, width=32),
        Column("indicator_name", READ_ONLY, "For reading only; renamed in the admin.", width=36),
        Column("unit", READ_ONLY, "For reading only.", width=14),
        Column("date", DATE, "The date the value was measured (YYYY-MM-DD).", "date", required=True, width=12),
        Column("value", NUMBER, "A number; a point for decimals (at most 4).", "value", required=True, width=12),
        Column("source", TEXT, "Where the figure comes from.", "source", width=40),
    ),
}  # fmt: skip
KEY_COLUMN = {sheet: columns[0].key for sheet, columns in COLUMNS.items()}  # tells a CSV's sheet
MODELS = {ACTIONS: Action, UPDATES: StatusUpdate, VALUES: IndicatorValue}
UPDATE_TEXT_MAX = StatusUpdate._meta.get_field("text").max_length  # a TextField's max_length is not validated


# --- what a file means ------------------------------------------------------------------------------------------


@dataclass
class SheetError:
    """A problem with the file, as precisely as it can be placed: sheet, row as Excel numbers it, column."""

    sheet: str | None
    row: int | None
    column: str | None  # the letter
    key: str | None  # the column's key (its first-row header)
    message: str

    @property
    def where(self) -> str:
        parts = [self.sheet or "File"]
        if self.row:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column}" + (f" ({self.key})" if self.key else ""))
        return ", ".join(parts)

    def __str__(self):
        return f"{self.where}: {self.message}"


@dataclass
class Changes:
    """What a file would change in a plan, or why it cannot be applied. ``plan`` holds the changed plan in memory."""

    plan: ActionPlanPage | None = None
    lines: list[str] = field(default_factory=list)
    errors: list[SheetError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    revision: object = None  # set once applied
    published: bool = False
    outdated: bool = False  # the file no longer means what its preview showed

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def fingerprint(self) -> str:
        """Identifies this set of changes: the admin applies a file only if it still means what the preview said."""
        return hashlib.sha256("\n".join(self.lines).encode()).hexdigest()

    def error(self, sheet, row, column, key, message):
        self.errors.append(SheetError(sheet, row, column, key, str(message)))


class FileRefused(Exception):
    """The file as a whole cannot be read (type, size, plan): one message, no row."""


# --- download ---------------------------------------------------------------------------------------------------


def _plan_marker(plan) -> str:
    return f"{plan.pk}:{plan.slug}"


def sheet_rows(plan, sheet: str) -> list[list]:
    """The data rows of one sheet (without the header), from the plan as given (pass its latest content)."""
    if sheet == ACTIONS:
        return [
            [
                action.identifier,
                action.title,
                action.status,
                action.status_reason,
                action.phase,
                action.planned_start,
                action.planned_end,
                action.actual_start,
                action.actual_end,
                action.budget_planned_eur,
                action.budget_spent_eur,
                action.lead_department,
                "; ".join(action.partner_list()),
                ", ".join(action.indicator_identifiers()),
            ]
            for action in plan.actions.all()
        ]
    if sheet == UPDATES:
        return [
            [action.identifier, update.date, update.author, update.status, update.text]
            for action in plan.actions.all()
            for update in sorted(action.updates.all(), key=lambda update: update.date)
        ]
    return [
        [indicator.identifier, indicator.name, indicator.unit, value.date, value.value, value.source]
        for indicator in plan.indicators.all()
        for value in indicator.series()
    ]


def export_workbook(plan) -> bytes:
    """The plan's latest content (drafts included: only its editors download it) as an XLSX workbook."""
    content = latest_content(plan)
    workbook = Workbook()
    _readme(workbook.active, content)
    bold, grey = Font(bold=True), PatternFill("solid", fgColor="E7E6E6")
    for sheet in DATA_SHEETS:
        worksheet = workbook.create_sheet(sheet)
        columns = COLUMNS[sheet]
        worksheet.append([column.key for column in columns])
        for index, column in enumerate(columns, start=1):
            header = worksheet.cell(row=1, column=index)
            header.font = bold
            header.comment = Comment(column.help, "Knowledge base", width=260, height=70)
            worksheet.column_dimensions[get_column_letter(index)].width = column.width
        rows = sheet_rows(content, sheet)
        for row_number, values in enumerate(rows, start=2):
            for index, (column, value) in enumerate(zip(columns, values, strict=True), start=1):
                cell = worksheet.cell(row=row_number, column=index, value=_xlsx_value(value))
                if isinstance(value, str) and value.startswith("="):
                    cell.data_type = "s"  # text that looks like a formula stays text
                if column.kind == DATE:
                    cell.number_format = "yyyy-mm-dd"
                if column.kind in (KEY, READ_ONLY):
                    cell.fill = grey
        worksheet.freeze_panes = "A2"
        last = max(len(rows) + 1, 2) + 200  # room for the rows a city adds
        for index, column in enumerate(columns, start=1):
            if column.kind == CHOICE:
                choices = ",".join(key for key, _label in MODELS[sheet]._meta.get_field(column.field).choices)
                validation = DataValidation(type="list", formula1=f'"{choices}"', allow_blank=True)
                validation.error = f"One of: {choices.replace(',', ', ')}"
                validation.showErrorMessage = True
                worksheet.add_data_validation(validation)
                letter = get_column_letter(index)
                validation.add(f"{letter}2:{letter}{last}")
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def _xlsx_value(value):
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def _readme(worksheet, plan) -> None:
    worksheet.title = README
    worksheet.column_dimensions["A"].width = 22
    worksheet.column_dimensions["B"].width = 110
    rows = [
        ("Action Plan spreadsheet", ""),
        ("Plan", plan.title),
        (PLAN_ID, plan.pk),
        (PLAN_SLUG, plan.slug),
        (PLAN_REVISION, plan.latest_revision_id or ""),
        ("Downloaded", timezone.localtime().strftime("%Y-%m-%d %H:%M")),
        ("", ""),
        ("How it works", "Edit the sheets Actions, Updates and Values, then upload the file on the plan's "
                         "Spreadsheet page in the admin. You first see a preview of every change; nothing is saved "
                         "until you press “Apply these changes”, and then everything is saved at once, or nothing."),
        ("", "Keep the sheet names, the first row of each sheet (the column keys) and this sheet's plan id: "
             "a file is only accepted by the plan it was downloaded from."),
        ("Actions", "One row per action, found by its identifier. Change any cell; an empty cell empties the field. "
                    "A column you delete is left unchanged. Actions are added and removed in the admin."),
        ("Updates", "Add a row to add a status update (action, date, author and text; status is optional). Rows "
                    "already in the plan are recognised by action, date, author and text and left alone: a changed "
                    "row adds a new update. Correct or delete updates in the admin."),
        ("Values", "One row per measured value, found by indicator and date. Change the value or source of a row; "
                   "add a row with a new date to add a value. Deleting a row does NOT delete the value: delete "
                   "values in the admin. indicator_name and unit are for reading only."),
        ("Dates", "Date cells, or text written YYYY-MM-DD (DD.MM.YYYY is accepted too)."),
        ("Numbers", "Number cells, or text like 1234.5: a point for decimals, no thousands separator. Values keep "
                    "at most 4 decimals and euros 2. In a CSV saved with semicolons (as German or Spanish Excel "
                    "saves it), 1.234,5 is read as 1234.5."),
        ("Formulas", "Not accepted: copy the cells and paste them back as values (Paste special → Values)."),
        ("Status", "planned, in_progress, completed, delayed or cancelled."),
        ("Phase", "design, procurement, implementation, evaluation, or empty."),
        ("CSV", "Each data sheet can also be uploaded alone as a CSV file (UTF-8 or Windows-1252, commas or "
                "semicolons). Its first row tells which sheet it is; keep its plan column."),
        ("Limits", f"{MAX_ROWS:,} rows per sheet, {MAX_UPLOAD_BYTES / (1024 * 1024):.1f} MB per file."),
        ("", ""),
        ("Columns", ""),
    ]  # fmt: skip
    for sheet in DATA_SHEETS:
        rows += [(f"{sheet}: {column.key}", column.help) for column in COLUMNS[sheet]]
    for row in rows:
        worksheet.append([_xlsx_value(value) for value in row])
    for cell in worksheet["B"]:
        if cell.data_type == "f":
            cell.data_type = "s"  # a plan titled "=…" is text
    for cell in worksheet["A"]:
        cell.font = Font(bold=True)
    worksheet["A1"].font = Font(bold=True, size=14)


def export_csv(plan, sheet: str) -> bytes:
    """One data sheet as CSV (UTF-8 with a byte order mark, so that Excel reads the accents), with the plan column."""
    content = latest_content(plan)
    columns = COLUMNS[sheet]
    output = io.StringIO()
    writer = csv.writer(output, lineterminator="\r\n")
    writer.writerow([column.key for column in columns] + [PLAN_COLUMN])
    marker = _plan_marker(plan)
    for values in sheet_rows(content, sheet):
        writer.writerow([_csv_value(column, value) for column, value in zip(columns, values, strict=True)] + [marker])
    return ("\ufeff" + output.getvalue()).encode("utf-8")


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_value(column: Column, value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return _plain(value)
    if isinstance(value, date):
        return value.isoformat()
    value = str(value)
    if column.kind not in (NUMBER, MONEY) and value.startswith(FORMULA_START):
        return "'" + value  # a spreadsheet opening the CSV must not run it; the apostrophe is dropped on upload
    return value


# --- reading a file into tables ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Formula:
    text: str


@dataclass(frozen=True)
class CellProblem:
    message: str


@dataclass
class Table:
    sheet: str
    columns: dict[str, int] = field(default_factory=dict)  # key → 1-based position
    rows: list[tuple[int, list]] = field(default_factory=list)  # (row number, cell values)
    decimal_comma: bool = False

    def letter(self, key: str) -> str | None:
        return get_column_letter(self.columns[key]) if key in self.columns else None

    def value(self, cells: list, key: str):
        position = self.columns.get(key)
        return cells[position - 1] if position and position <= len(cells) else None


@dataclass
class Upload:
    tables: dict[str, Table] = field(default_factory=dict)
    marker: dict[str, object] = field(default_factory=dict)  # from the "Read me" sheet
    is_csv: bool = False


def read_file(data: bytes, changes: Changes) -> Upload:
    """The file's sheets as tables; raises :class:`FileRefused` for a file that is not one of ours at all."""
    if not data:
        raise FileRefused("The file is empty.")
    if len(data) > MAX_UPLOAD_BYTES:
        raise FileRefused(
            f"The file is {len(data) / (1024 * 1024):.1f} MB; at most {MAX_UPLOAD_BYTES / (1024 * 1024):.1f} MB is "
            f"accepted. Upload the sheets one by one as CSV, or fewer rows."
        )
    if data.startswith(b"PK\x03\x04"):
        return _read_xlsx(data, changes)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileRefused("This is an old Excel file (.xls): save it as an Excel workbook (.xlsx) and upload that.")
    return _read_csv(data, changes)


def _read_xlsx(data: bytes, changes: Changes) -> Upload:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_UNZIPPED_BYTES:
                raise FileRefused("The workbook unpacks to more than 50 MB: upload fewer rows.")
    except zipfile.BadZipFile as error:
        raise FileRefused("This file is damaged or not an Excel workbook (.xlsx).") from error
    upload = Upload()
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as error:  # openpyxl raises KeyError, ValueError, InvalidFileException… for foreign files
        raise FileRefused(
            "This is not an Excel workbook (.xlsx) that can be read: save it from Excel or LibreOffice as .xlsx."
        ) from error
    try:
        sheets = {worksheet.title.strip().casefold(): worksheet for worksheet in workbook.worksheets}
        readme = sheets.get(README.casefold())
        if readme is not None:
            for row in readme.iter_rows(min_row=1, max_row=60, max_col=2, values_only=True):
                if row and isinstance(row[0], str) and len(row) > 1:
                    upload.marker[row[0].strip()] = row[1]
        for name in DATA_SHEETS:
            worksheet = sheets.get(name.casefold())
            if worksheet is not None:
                worksheet.reset_dimensions()  # some writers record a wrong size, and read-only mode trusts it
                upload.tables[name] = _table(name, _xlsx_rows(worksheet), changes)
        known = {name.casefold() for name in (README, *DATA_SHEETS)}
        ignored = [worksheet.title for key, worksheet in sheets.items() if key not in known]
        if ignored:
            changes.warnings.append("Sheets ignored: " + ", ".join(ignored) + ".")
    except FileRefused:
        raise
    except Exception as error:  # a damaged sheet only shows while its rows are read
        raise FileRefused(
            f"The workbook could not be read ({type(error).__name__}): save it again as .xlsx."
        ) from error
    finally:
        workbook.close()
    if not upload.tables:
        raise FileRefused(f"The workbook has none of the sheets {', '.join(DATA_SHEETS)}.")
    return upload


def _xlsx_rows(worksheet):
    for cells in worksheet.iter_rows():
        values = []
        for cell in cells:
            if cell.data_type == "f":
                values.append(Formula(str(cell.value)))
            elif cell.data_type == "e":
                values.append(CellProblem(f"the cell shows the error {cell.value}"))
            else:
                values.append(cell.value)
        yield values


def _read_csv(data: bytes, changes: Changes) -> Upload:
    if b"\x00" in data[:4096]:
        raise FileRefused("This is neither an Excel workbook (.xlsx) nor a CSV file.")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise FileRefused("The CSV file could not be read: save it as “CSV UTF-8”.")
    header = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=header.count)
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        first = next(rows, [])
    except csv.Error as error:
        raise FileRefused(f"The CSV file could not be read: {error}.") from error
    keys = {_key(value) for value in first}
    sheet = next((name for name in DATA_SHEETS if KEY_COLUMN[name] in keys), None)
    if sheet is None:
        expected = "; ".join(f"“{KEY_COLUMN[name]}” for {name}" for name in DATA_SHEETS)
        raise FileRefused(
            f"This is not one of the plan's sheets: the first row must name the columns ({expected}). "
            f"Upload an Excel workbook (.xlsx) or a CSV file downloaded from the plan."
        )

    def all_rows():
        yield first
        try:
            yield from rows
        except csv.Error as error:
            raise FileRefused(f"The CSV file could not be read: {error}.") from error

    table = _table(sheet, all_rows(), changes)
    table.decimal_comma = delimiter == ";"
    return Upload(tables={sheet: table}, is_csv=True)


def _key(header) -> str:
    return re.sub(r"\s+", "_", str(header).strip().casefold()) if header is not None else ""


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _table(sheet: str, rows, changes: Changes) -> Table:
    """Check the header row and collect the non-blank rows, up to the cap."""
    table = Table(sheet)
    known = {column.key: column for column in COLUMNS[sheet]}
    header = next(iter(rows), None) or []
    for position, value in enumerate(header, start=1):
        key, letter = _key(value), get_column_letter(position)
        if not key:
            continue
        if isinstance(value, Formula) or (key not in known and key != PLAN_COLUMN):
            shown, names = value.text if isinstance(value, Formula) else value, ", ".join(known)
            changes.error(sheet, 1, letter, None, f"unknown column “{shown}”; the columns are: {names}")
        elif key in table.columns:
            changes.error(sheet, 1, letter, key, f"the column {key} is also column {table.letter(key)}")
        else:
            table.columns[key] = position
    for column in COLUMNS[sheet]:
        if column.required and column.key not in table.columns:
            changes.error(sheet, 1, None, column.key, f"the column “{column.key}” is missing")
    for number, cells in enumerate(rows, start=2):
        if number > MAX_SCANNED_ROWS + 1:
            changes.error(sheet, number, None, None, f"more than {MAX_SCANNED_ROWS:,} rows: remove the empty ones")
            break
        if all(_blank(value) for value in cells):
            continue
        if len(table.rows) == MAX_ROWS:
            changes.error(sheet, number, None, None, f"more than {MAX_ROWS:,} rows: upload them in several files")
            break
        for position, value in enumerate(cells, start=1):
            if position not in table.columns.values() and not _blank(value):
                changes.error(sheet, number, get_column_letter(position), None, "a value in a column without a header")
                break
        table.rows.append((number, list(cells)))
    return table


# --- cells into values -------------------------------------------------------------------------------------------


class CellError(ValueError):
    pass


ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DOTTED_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
POINT_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
COMMA_NUMBER = re.compile(r"^-?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?$")


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        raise CellError("a yes/no cell, not text")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).replace("\r\n", "\n").replace("\r", "\n").strip()
    if text[:1] == "'" and text[1:2] in FORMULA_START:
        text = text[1:]  # the export's guard against a spreadsheet running text as a formula
    return text


def _date(value) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool | int | float | Decimal):
        raise CellError(f"{value} is a number, not a date: format the cell as a date or write YYYY-MM-DD")
    text = _text(value)
    if not text:
        return None
    try:
        if ISO_DATE.match(text):
            return date.fromisoformat(text)
        if match := DOTTED_DATE.match(text):
            return date(int(match[3]), int(match[2]), int(match[1]))
    except ValueError as error:
        raise CellError(f"“{text}” is not a date of the calendar") from error
    raise CellError(f"“{text}” is not a date: write it YYYY-MM-DD (for example 2026-11-30)")


def _number(value, places: int, decimal_comma: bool) -> Decimal | None:
    if isinstance(value, bool):
        raise CellError("a yes/no cell, not a number")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise CellError("not a number")
        number = Decimal(repr(value))  # the shortest decimal that is this float: 0.1, not 0.1000000000000000055…
        step = Decimal(1).scaleb(-places)
        return number.quantize(step, rounding=ROUND_HALF_UP) if number.as_tuple().exponent < -places else number
    if isinstance(value, Decimal):
        return value
    if isinstance(value, date):
        raise CellError("a date, not a number")
    text = _text(value).replace("\u00a0", "").replace(" ", "")
    if not text:
        return None
    if decimal_comma and COMMA_NUMBER.match(text):
        text = text.replace(".", "").replace(",", ".")
    elif not POINT_NUMBER.match(text):
        hint = "1234,5 (a comma for decimals)" if decimal_comma else "1234.5 (a point for decimals)"
        raise CellError(f"“{text}” is not a number: write it like {hint}, without thousands separators")
    try:
        return Decimal(text)
    except InvalidOperation as error:
        raise CellError(f"“{text}” is not a number") from error


def _choice(value, model_field) -> str:
    text = _text(value)
    if not text:
        return ""
    by_text = {}
    for key, label in model_field.choices:
        by_text[str(key).casefold()] = key
        by_text[str(label).casefold()] = key
    found = by_text.get(text.casefold()) or by_text.get(text.casefold().replace(" ", "_"))
    if found is None:
        raise CellError(f"“{text}” is not one of: {', '.join(key for key, _label in model_field.choices)}")
    return found


def _clean(model, field_name: str, value):
    """The model field's own checks (length, choices, range, required), one cell at a time."""
    model_field = model._meta.get_field(field_name)
    if value in (None, ""):
        if not (model_field.null or model_field.blank):
            raise CellError("this cell must not be empty")
        return None if model_field.null else ""
    try:
        return model_field.clean(value, None)
    except ValidationError as error:
        raise CellError(" ".join(error.messages)) from error


def _plain(number: Decimal | None) -> str:
    if number is None:
        return ""
    text = f"{number:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _show(value) -> str:
    if value in (None, ""):
        return "(empty)"
    if isinstance(value, Decimal):
        return _plain(value)
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).replace("\n", " ")
    return "“" + (text if len(text) <= 60 else text[:57] + "…") + "”"


def _same_text(text: str) -> str:
    return " ".join(text.split())


# --- tables into changes of the plan -----------------------------------------------------------------------------


class _Editor:
    """Applies the tables to the plan's latest content in memory, recording what changes and what is wrong.

    Records are looked up in Python (dictionaries of the cluster's lists): a manager's ``get()`` on a revision's
    unsaved cluster would ask the database.
    """

    def __init__(self, plan, changes: Changes):
        self.plan = plan
        self.changes = changes
        self.actions = list(plan.actions.all())
        self.by_action = {action.identifier: action for action in self.actions}
        self.indicators = list(plan.indicators.all())
        self.by_indicator = {indicator.identifier: indicator for indicator in self.indicators}
        self.updates: dict[str, list[StatusUpdate]] = {}
        self.values: dict[str, list[IndicatorValue]] = {}
        self.origin: dict[int, tuple[Table, int]] = {}  # id(record) → the table and row that changed it

    def error(self, table: Table, row: int, key: str | None, message) -> None:
        self.changes.error(table.sheet, row, table.letter(key) if key else None, key, message)

    def cell(self, table: Table, row: int, cells: list, key: str, parse):
        """The parsed value of the row's cell; a :class:`CellError` is recorded at the cell and re-raised."""
        raw = table.value(cells, key)
        try:
            if isinstance(raw, Formula):
                raise CellError(f"a formula ({raw.text[:40]}): enter the value itself (Paste special → Values)")
            if isinstance(raw, CellProblem):
                raise CellError(raw.message)
            return parse(raw)
        except CellError as error:
            self.error(table, row, key, error)
            raise

    def parsed(self, table: Table, row: int, cells: list, parsers: dict) -> dict | None:
        """Every present column's value, or ``None`` when a cell of the row is wrong (each one recorded)."""
        values, wrong = {}, False
        for key, parse in parsers.items():
            if key not in table.columns:
                continue
            try:
                values[key] = self.cell(table, row, cells, key, parse)
            except CellError:
                wrong = True
        return None if wrong else values

    def record(self, table: Table, row: int, cells: list, key: str, known: dict, noun: str):
        """The action or indicator the row's key column names, or ``None`` (recorded)."""
        try:
            identifier = self.cell(table, row, cells, key, _text)
        except CellError:
            return None
        if not identifier:
            self.error(table, row, key, f"the {noun}'s identifier is missing")
            return None
        found = known.get(identifier)
        if found is None:
            self.error(table, row, key, f"this plan has no {noun} “{identifier}” (add {noun}s in the admin)")
        return found

    def check_plan_column(self, table: Table, upload: Upload) -> None:
        if PLAN_COLUMN not in table.columns:
            if upload.is_csv:
                self.error(table, 1, None, f"the column “{PLAN_COLUMN}” is missing: upload a CSV downloaded here")
            return
        marker = _plan_marker(self.plan)
        others = {_text(table.value(cells, PLAN_COLUMN)) for _row, cells in table.rows} - {"", marker}
        if others:
            raise FileRefused(
                f"This file was downloaded from another plan ({sorted(others)[0]}), not this one ({marker}): "
                f"download this plan's spreadsheet and enter the changes there."
            )

    @staticmethod
    def complete(table: Table) -> bool:
        """Rows are read only when the sheet's required columns are there (a missing one is a header error)."""
        return all(column.key in table.columns for column in COLUMNS[table.sheet] if column.required)

    # Actions: one row per existing action; a changed cell changes the field.

    def read_actions(self, table: Table) -> None:
        if not self.complete(table):
            return
        columns = [column for column in COLUMNS[ACTIONS] if column.field and column.key in table.columns]
        parsers = {column.key: self.action_parser(column, table) for column in columns}
        seen: dict[str, int] = {}
        for row, cells in table.rows:
            action = self.record(table, row, cells, "identifier", self.by_action, "action")
            if action is None:
                continue
            if action.identifier in seen:
                self.error(
                    table, row, "identifier", f"action {action.identifier} is also on row {seen[action.identifier]}"
                )
                continue
            seen[action.identifier] = row
            values = self.parsed(table, row, cells, parsers)
            if values is None:
                continue
            changed = False
            for column in columns:
                old, new = getattr(action, column.field), values[column.key]
                if self.comparable(column, old) != new:
                    change = f"{self.shown(column, old)} → {self.shown(column, new)}"
                    self.changes.lines.append(f"Action {action.identifier}: {column.key} {change}")
                    setattr(action, column.field, new)
                    changed = True
            if changed:
                self.origin[id(action)] = (table, row)
                self.check_record(action, table, row)

    def action_parser(self, column: Column, table: Table):
        model_field = Action._meta.get_field(column.field)

        def parse(raw):
            if column.kind == TEXT:
                value = _text(raw)
            elif column.kind == PARTNERS:
                value = _partners(_text(raw))
            elif column.kind == INDICATORS:
                keys = list(dict.fromkeys(key.strip() for key in re.split(r"[,;]", _text(raw)) if key.strip()))
                unknown = [key for key in keys if key not in self.by_indicator]
                if unknown:
                    raise CellError(f"this plan has no indicator “{unknown[0]}”")
                value = ", ".join(keys)
            elif column.kind == CHOICE:
                value = _choice(raw, model_field)
            elif column.kind == DATE:
                value = _date(raw)
            else:
                value = _number(raw, model_field.decimal_places, table.decimal_comma)
                if value is not None and value < 0:
                    raise CellError("a budget cannot be negative")
            return _clean(Action, column.field, value)

        return parse

    @staticmethod
    def comparable(column: Column, old):
        """The stored value as the parser would have read it, so that an untouched cell is no change."""
        if column.kind == TEXT:
            return _text(old) if old is not None else ""
        if column.kind == PARTNERS:
            return _partners(old or "")
        if column.kind == INDICATORS:
            return ", ".join(key.strip() for key in (old or "").split(",") if key.strip())
        return old  # choices, dates, Decimals (462.00 == 462)

    @staticmethod
    def shown(column: Column, value) -> str:
        return (value or "(empty)") if column.kind in (CHOICE, INDICATORS) else _show(value)

    # Updates: rows already in the plan are left alone, new ones become status updates.

    def read_updates(self, table: Table) -> None:
        if not self.complete(table):
            return
        status_field = StatusUpdate._meta.get_field("status")
        parsers = {
            "date": lambda raw: _clean(StatusUpdate, "date", _date(raw)),
            "author": lambda raw: _clean(StatusUpdate, "author", _text(raw)),
            "status": lambda raw: _clean(StatusUpdate, "status", _choice(raw, status_field)),
            "text": lambda raw: _clean(StatusUpdate, "text", _long_text(_text(raw), UPDATE_TEXT_MAX)),
        }
        seen: dict[tuple, int] = {}
        for row, cells in table.rows:
            action = self.record(table, row, cells, "action", self.by_action, "action")
            values = self.parsed(table, row, cells, parsers)
            if action is None or values is None:
                continue
            match = (action.identifier, values["date"], _same_text(values["author"]), _same_text(values["text"]))
            if match in seen:
                self.error(table, row, "text", f"the same update as row {seen[match]}")
                continue
            seen[match] = row
            updates = self.updates_of(action)
            existing = next((update for update in updates if self.update_key(action, update) == match), None)
            if existing is not None:
                if "status" in values and values["status"] != (existing.status or ""):
                    self.changes.warnings.append(
                        f"Updates, row {row}: this update is already in the plan; its status is not changed from a "
                        f"spreadsheet (edit it in the admin)."
                    )
                continue
            if any(update.date == values["date"] and _same_text(update.author) == match[2] for update in updates):
                self.changes.warnings.append(
                    f"Updates, row {row}: action {action.identifier} already has an update of "
                    f"{values['date'].isoformat()} by {values['author']} with another text; this row adds a second "
                    f"one (correct or delete the first in the admin)."
                )
            update = StatusUpdate(
                date=values["date"], author=values["author"], status=values.get("status", ""), text=values["text"]
            )
            update.sort_order = len(updates)
            updates.append(update)
            self.origin[id(update)] = (table, row)
            status = f" (status {update.status})" if update.status else ""
            self.changes.lines.append(
                f"Action {action.identifier}: new status update {update.date.isoformat()} by {update.author}{status}: "
                f"{_show(update.text)}"
            )

    def updates_of(self, action) -> list[StatusUpdate]:
        if action.identifier not in self.updates:
            self.updates[action.identifier] = list(action.updates.all())
        return self.updates[action.identifier]

    @staticmethod
    def update_key(action, update) -> tuple:
        return (action.identifier, update.date, _same_text(update.author), _same_text(update.text))

    # Values: (indicator, date) finds the value; a new date adds one; a missing row deletes nothing.

    def read_values(self, table: Table) -> None:
        if not self.complete(table):
            return

        def value(raw):
            number = _number(raw, 4, table.decimal_comma)
            if number is None:
                raise CellError("the value is missing (a value is deleted in the admin, not here)")
            return _clean(IndicatorValue, "value", number)

        parsers = {
            "date": lambda raw: _clean(IndicatorValue, "date", _date(raw)),
            "value": value,
            "source": lambda raw: _clean(IndicatorValue, "source", _text(raw)),
        }
        seen: dict[tuple, int] = {}
        for row, cells in table.rows:
            indicator = self.record(table, row, cells, "indicator", self.by_indicator, "indicator")
            values = self.parsed(table, row, cells, parsers)
            if indicator is None or values is None:
                continue
            day, number, source = values["date"], values["value"], values.get("source")
            key = (indicator.identifier, day)
            if key in seen:
                self.error(
                    table, row, "date", f"{indicator.identifier} on {day.isoformat()} is also on row {seen[key]}"
                )
                continue
            seen[key] = row
            name = table.value(cells, "indicator_name")
            if isinstance(name, str) and name.strip() and name.strip() != indicator.name.strip():
                self.changes.warnings.append(
                    f"Values, row {row}: indicator_name is for reading only; rename the indicator in the admin."
                )
            series = self.values_of(indicator)
            existing = next((measured for measured in series if measured.date == day), None)
            label = f"Indicator {indicator.identifier}: {day.isoformat()}"
            if existing is None:
                added = IndicatorValue(date=day, value=number, source=source or "")
                added.sort_order = len(series)
                series.append(added)
                self.origin[id(added)] = (table, row)
                note = f", source {_show(added.source)}" if added.source else ""
                self.changes.lines.append(f"{label} value {_plain(number)} (new{note})")
                continue
            if existing.value != number:
                self.changes.lines.append(f"{label} value {_plain(existing.value)} → {_plain(number)}")
                existing.value = number
                self.origin[id(existing)] = (table, row)
            if source is not None and _text(existing.source) != source:
                self.changes.lines.append(f"{label} source {_show(existing.source)} → {_show(source)}")
                existing.source = source
                self.origin[id(existing)] = (table, row)

    def values_of(self, indicator) -> list[IndicatorValue]:
        if indicator.identifier not in self.values:
            self.values[indicator.identifier] = list(indicator.values.all())
        return self.values[indicator.identifier]

    # The whole plan.

    def check_record(self, record, table: Table, row: int) -> None:
        """The record's rules across fields (an end before its start), placed at its row: every row is reported."""
        try:
            record.clean()
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                self.error(table, row, self.column_of(table, name), " ".join(messages))

    @staticmethod
    def column_of(table: Table, field_name: str | None) -> str | None:
        key = next((column.key for column in COLUMNS[table.sheet] if column.field == field_name), None)
        return key if key in table.columns else None

    def finish(self) -> None:
        """Put the edited lists back on the plan, then validate it as the importer does (the admin's checks)."""
        for action in self.actions:
            if action.identifier in self.updates:
                action.updates = self.updates[action.identifier]
        for indicator in self.indicators:
            if indicator.identifier in self.values:
                indicator.values = self.values[indicator.identifier]
        self.plan.actions = self.actions
        self.plan.indicators = self.indicators
        if self.changes.errors or not self.changes.lines:
            return
        try:
            validate(self.plan)
        except ValidationError as error:
            self.place(error)

    # The importer's message for an inline row: "item 3: updates item 2: field 'text': …".
    VALIDATION = re.compile(r"^item (\d+): (?:(\w+) item (\d+): )?field '(\w+)': (.*)$", re.S)

    def place(self, error: ValidationError) -> None:
        """The importer's validation error at the row that made the record invalid, or on the plan."""
        for relation, messages in error.message_dict.items():
            for message in messages:
                match = self.VALIDATION.match(message)
                record = None
                if match and relation in ("actions", "indicators"):
                    records = self.actions if relation == "actions" else self.indicators
                    record = _nth(records, int(match[1]))
                    if record is not None and match[2]:
                        record = _nth(list(getattr(record, match[2]).all()), int(match[3]))
                where = self.origin.get(id(record)) if record is not None else None
                if where is None:
                    self.changes.error(None, None, None, None, f"the plan would not be valid: {relation}: {message}")
                    continue
                table, row = where
                self.error(table, row, self.column_of(table, match[4]), match[5])


def _nth(records: list, position: int):
    return records[position - 1] if 0 < position <= len(records) else None


def _partners(text: str) -> str:
    return "; ".join(part.strip() for part in text.split(";") if part.strip())


def _long_text(text: str, limit: int) -> str:
    if len(text) > limit:
        raise CellError(f"{len(text):,} characters; at most {limit:,}")
    return text


def read_upload(plan, data: bytes) -> Changes:
    """What the file would change in the plan's latest content (a preview: nothing is written)."""
    changes = Changes(plan=latest_content(plan))
    try:
        upload = read_file(data, changes)
        if not upload.is_csv:
            _check_marker(plan, upload, changes)
        editor = _Editor(changes.plan, changes)
        for table in upload.tables.values():
            editor.check_plan_column(table, upload)
        if ACTIONS in upload.tables:
            editor.read_actions(upload.tables[ACTIONS])
        if UPDATES in upload.tables:
            editor.read_updates(upload.tables[UPDATES])
        if VALUES in upload.tables:
            editor.read_values(upload.tables[VALUES])
        editor.finish()
    except FileRefused as refusal:
        changes.errors = [SheetError(None, None, None, None, str(refusal))]
        changes.lines = []
    changes.errors.sort(key=lambda error: (DATA_SHEETS.index(error.sheet) if error.sheet in DATA_SHEETS else -1,
                                           error.row or 0, error.column or ""))  # fmt: skip
    if changes.errors:
        changes.lines = []  # nothing of a file with errors is applied: do not suggest otherwise
    return changes


def _check_marker(plan, upload: Upload, changes: Changes) -> None:
    plan_id, slug = upload.marker.get(PLAN_ID), upload.marker.get(PLAN_SLUG)
    if plan_id in (None, "") or slug in (None, ""):
        raise FileRefused(
            f"The “{README}” sheet with the plan's id is missing: download the plan's spreadsheet and edit that file."
        )
    if _text(plan_id) != str(plan.pk) or _text(slug) != plan.slug:
        raise FileRefused(
            f"This workbook was downloaded from another plan (id {_text(plan_id)}, “{_text(slug)}”), not this one "
            f"(id {plan.pk}, “{plan.slug}”): download this plan's spreadsheet and enter the changes there."
        )
    based_on = _text(upload.marker.get(PLAN_REVISION))
    if based_on and plan.latest_revision_id and based_on != str(plan.latest_revision_id):
        changes.warnings.append(
            "The plan was edited since this file was downloaded. The preview compares the file with the plan as it "
            "is now: a cell that still shows the old content undoes the newer edit."
        )


# --- permission and apply ---------------------------------------------------------------------------------------


def check_may_edit(plan, user) -> None:
    """Wagtail's page permissions decide, as for the page's edit view (a city's editors edit under their city)."""
    if user is None or not plan.permissions_for_user(user).can_edit():
        raise PermissionDenied(f"{user} may not edit the plan “{plan.title}”.")


def lock_message(plan, user) -> str | None:
    """Why the plan cannot be changed by ``user`` now (locked, or in a workflow step that locks it), if it cannot."""
    lock = plan.get_lock()
    return str(lock.get_message(user)) if lock and lock.for_user(user) else None


def may_publish(plan, user) -> bool:
    return plan.permissions_for_user(user).can_publish()


def apply_upload(plan, data: bytes, user, *, expect: str | None = None, publish: bool = True) -> Changes:
    """Read the file again and, if it has no error, save it as one revision by ``user``: all or nothing.

    The revision is published when ``publish`` and the user may publish the plan, and otherwise left as a draft for
    review. With ``expect`` (a preview's :attr:`Changes.fingerprint`), nothing is saved unless the file still means
    the same changes (the plan may have been edited since the preview): ``changes.outdated`` then tells.
    """
    check_may_edit(plan, user)
    with transaction.atomic():
        current = ActionPlanPage.objects.select_for_update().get(pk=plan.pk)  # one upload at a time per plan
        if message := lock_message(current, user):
            raise PermissionDenied(message)
        changes = read_upload(current, data)
        if not changes.ok or not changes.lines:
            return changes
        if expect is not None and changes.fingerprint != expect:
            changes.outdated = True
            return changes
        changes.published = publish and may_publish(current, user)
        changes.revision = save_plan(changes.plan, user, publish=changes.published)
    return changes


def save_plan(content, user, *, publish: bool):
    """Save the plan's content as a revision by ``user``, publish it if asked, and return the revision.

    (The page's reference index is updated once per save, not per row: see ``ActionPlanPage.save``.)
    """
    revision = content.save_revision(user=user, log_action=True)
    if publish:
        revision.publish(user=user)
    return revision
