"""Excel exports that stream and cannot smuggle formulas.

Every xlsx the portal hands out goes through `xlsx_response`: rows are written
by openpyxl's write-only mode to a temporary file (memory stays flat however many
rows there are) and the file is streamed back. Text that a spreadsheet would run
as a formula (=, +, -, @ at the start) is prefixed with an apostrophe.
"""

import datetime
import tempfile
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.http import FileResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def escape_formula(value: object) -> object:
    """Return value safe to put in a cell: text that looks like a formula is kept as text."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _cell_value(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        # Excel has no time zones: show the district's local time, without the zone.
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, bool | int | float | Decimal | datetime.date):
        return value
    return escape_formula(str(value))


def write_rows(sheet: Any, headers: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    """Write a bold header row, then the rows, to a write-only sheet."""
    bold = Font(bold=True)
    header_cells = []
    for title in headers:
        cell = WriteOnlyCell(sheet, value=str(title))
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        sheet.append([_cell_value(v) for v in row])


def xlsx_response(
    filename: str, headers: Sequence[str], rows: Iterable[Sequence[object]], sheet_title: str = "Sheet1"
) -> FileResponse:
    """Return a streamed download of one sheet; `rows` may be a lazy iterator."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title[:31])
    write_rows(sheet, headers, rows)
    return workbook_response(workbook, filename)


def workbook_response(workbook: Workbook, filename: str) -> FileResponse:
    """Save a (write-only) workbook to a temporary file and stream it as an attachment."""
    spool = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it once streamed)
    workbook.save(spool)
    spool.seek(0)
    return FileResponse(
        spool,
        as_attachment=True,
        filename=filename,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
