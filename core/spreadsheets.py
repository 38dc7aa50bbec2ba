"""Excel exports that stream and cannot smuggle formulas.

Every xlsx the portal hands out goes through `xlsx_response` (or `xlsx_write`, for an
export written in the background: core/exports.py): rows are written by openpyxl's
write-only mode to a temporary file (memory stays flat however many rows there are)
and the file is streamed back. Text that a spreadsheet would run
as a formula (=, +, -, @, tab or carriage return at the start) is written as a typed
text cell with the "quote prefix" style: Excel and WPS show and keep it as text and
never evaluate it, and the value itself is unchanged, so an export read back (or
re-imported) gives exactly what the portal holds.
"""

import datetime
import tempfile
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import IO, Any

from django.http import FileResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(value: object) -> bool:
    """Whether a spreadsheet would run this text as a formula if it were typed in."""
    return isinstance(value, str) and value.startswith(FORMULA_PREFIXES)


def text_cell(sheet: Any, value: str) -> WriteOnlyCell:
    """A cell holding `value` exactly, as text that is never evaluated.

    openpyxl would take text starting with "=" as a formula; the cell is forced to
    a string (written as an inline string, no `<f>` element) and given the quote
    prefix style, the mark Excel and WPS put on text typed after an apostrophe, so
    editing the cell there does not turn it into a formula either.
    """
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell


def _cell_value(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        # Excel has no time zones: show the district's local time, without the zone.
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, bool | int | float | Decimal | datetime.date):
        return value
    return str(value)


def _cell(sheet: Any, value: object) -> object:
    value = _cell_value(value)
    return text_cell(sheet, value) if isinstance(value, str) and looks_like_formula(value) else value


def write_rows(sheet: Any, headers: Sequence[str], rows: Iterable[Sequence[object]]) -> int:
    """Write a bold header row, then the rows, to a write-only sheet; return how many rows were written."""
    bold = Font(bold=True)
    header_cells = []
    for title in headers:
        cell = WriteOnlyCell(sheet, value=str(title))
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    written = 0
    for row in rows:
        sheet.append([_cell(sheet, v) for v in row])
        written += 1
    return written


def xlsx_write(
    out: IO[bytes], headers: Sequence[str], rows: Iterable[Sequence[object]], sheet_title: str = "Sheet1"
) -> int:
    """Write one sheet to the open binary file `out`, as `xlsx_response` does; return the rows written."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title[:31])
    written = write_rows(sheet, headers, rows)
    workbook.save(out)
    return written


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
