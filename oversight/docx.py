"""The monthly report as a Word file (.docx), the format district offices circulate: python-docx.

The same title, narrative, tables and definitions as the page (templates/oversight/report.html), from the
same `MonthlyReport`, in the reader's language, with every department (where the page shows only the best and
worst of a city's or a province's); the paper's look (A4, 宋体 and 黑体, the tables) is
core/wordfiles.py's.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from docx.shared import Pt

from core import wordfiles
from core.wordfiles import DOCX_CONTENT_TYPE

if TYPE_CHECKING:
    from docx.document import Document as DocumentObject

    from oversight.report import Figure, MonthlyReport

__all__ = ["DOCX_CONTENT_TYPE", "report_docx"]


def report_docx(report: MonthlyReport) -> bytes:
    """Write the report as a .docx and return its bytes."""
    document = wordfiles.office_document(report.title, report.now)
    wordfiles.title(document, report.title, report.dates_line)

    document.add_heading(_("1. Summary"), level=1)
    for paragraph in report.narrative:
        document.add_paragraph(paragraph).paragraph_format.first_line_indent = Pt(24)

    document.add_heading(_("2. Key figures"), level=1)
    _figures(document, report.key_figures)

    document.add_heading(_("3. Problems by flow and by status"), level=1)
    document.add_heading(_("By flow"), level=2)
    _figures(document, report.by_flow)
    document.add_heading(_("By status"), level=2)
    _figures(document, report.by_status)

    document.add_heading(_("4. Department performance"), level=1)
    wordfiles.table(
        document,
        report.department_headings,
        [[line.row.name, *(cell.shown for cell in line.cells)] for line in report.departments],
        empty=_("No department had a problem this month."),
    )

    document.add_heading(_("5. Overdue by department"), level=1)
    wordfiles.table(
        document,
        [_("Department"), str(report.overdue_figure.label)],
        [[line.row.name, line.overdue.shown] for line in report.overdue_departments],
        empty=_("No problem overdue."),
    )

    document.add_heading(_("6. Definitions"), level=1)
    wordfiles.table(document, [_("Figure"), _("Definition")], report.definitions, numbers=False)
    return wordfiles.to_bytes(document)


def _figures(document: DocumentObject, figures: Sequence[Figure]) -> None:
    wordfiles.table(document, [_("Figure"), _("Value")], [[str(figure.label), figure.shown] for figure in figures])
