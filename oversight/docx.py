"""The monthly report as a Word file (.docx), the format district offices circulate: python-docx.

The same title, narrative, tables and definitions as the page (templates/oversight/report.html), from the
same `MonthlyReport`, in the reader's language; A4 with the margins of a district office's paper, 宋体 for
the Chinese text and 黑体 for the headings (an East Asian font must be named on its own: `w:eastAsia`).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

if TYPE_CHECKING:
    from docx.document import Document as DocumentObject
    from docx.styles.style import ParagraphStyle
    from docx.table import Table

    from oversight.report import Figure, MonthlyReport

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

LATIN_FONT = "Times New Roman"
BODY_FONT = "宋体"  # SimSun
HEADING_FONT = "黑体"  # SimHei
BLACK = RGBColor(0, 0, 0)


def report_docx(report: MonthlyReport) -> bytes:
    """Write the report as a .docx and return its bytes."""
    document = Document()
    _set_up(document, report)
    title = document.add_paragraph(style="Title")
    title.add_run(report.title)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    dates = document.add_paragraph(report.dates_line)
    dates.alignment = WD_ALIGN_PARAGRAPH.CENTER

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
    _table(
        document,
        report.department_headings,
        [[line.row.name, *(cell.shown for cell in line.cells)] for line in report.departments],
        empty=_("No department had a problem this month."),
    )

    document.add_heading(_("5. Overdue by department"), level=1)
    _table(
        document,
        [_("Department"), str(report.overdue_figure.label)],
        [[line.row.name, line.overdue.shown] for line in report.overdue_departments],
        empty=_("No problem overdue."),
    )

    document.add_heading(_("6. Definitions"), level=1)
    _table(document, [_("Figure"), _("Definition")], report.definitions, numbers=False)

    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _set_up(document: DocumentObject, report: MonthlyReport) -> None:
    """A4, a district office's margins, the fonts, and the file's own title."""
    for section in document.sections:
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin, section.bottom_margin = Mm(30), Mm(25)
        section.left_margin, section.right_margin = Mm(28), Mm(26)
    styles = document.styles
    _font(styles["Normal"], BODY_FONT, Pt(12))
    _font(styles["Title"], HEADING_FONT, Pt(20))
    _no_border(styles["Title"])  # python-docx's template underlines its title in blue; an office's paper does not
    _font(styles["Heading 1"], HEADING_FONT, Pt(15))
    _font(styles["Heading 2"], HEADING_FONT, Pt(13))
    properties = document.core_properties
    properties.title = report.title
    properties.author = _("Baqiao District pro-business campaign office")
    properties.created = properties.modified = report.now
    properties.last_modified_by = properties.comments = ""


def _font(style: ParagraphStyle, east_asian: str, size: Pt) -> None:
    """Name the style's Latin and East Asian fonts, in black; a theme font would override either, so none."""
    style.font.name = LATIN_FONT
    style.font.size = size
    style.font.color.rgb = BLACK
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)
    fonts.set(qn("w:eastAsia"), east_asian)


def _no_border(style: ParagraphStyle) -> None:
    paragraph = style.element.pPr
    border = paragraph.find(qn("w:pBdr")) if paragraph is not None else None
    if paragraph is not None and border is not None:
        paragraph.remove(border)


def _figures(document: DocumentObject, figures: Sequence[Figure]) -> None:
    _table(document, [_("Figure"), _("Value")], [[str(figure.label), figure.shown] for figure in figures])


def _table(
    document: DocumentObject,
    headings: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    empty: str = "",
    numbers: bool = True,
) -> None:
    """A bordered table whose header row repeats on every page; `empty` is said instead of a table without rows.

    With `numbers`, the columns after the first are figures, centred.
    """
    if not rows and empty:
        document.add_paragraph(empty)
        return
    table: Table = document.add_table(rows=1, cols=len(headings))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    header = table.rows[0]
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    header._tr.get_or_add_trPr().append(repeat)
    for cell, heading in zip(header.cells, headings, strict=True):
        cell.text = ""
        run = cell.paragraphs[0].add_run(heading)
        run.bold = True
    small = len(headings) > 4  # the department table: eleven columns across A4
    for values in rows:
        cells = table.add_row().cells
        for index, (cell, value) in enumerate(zip(cells, values, strict=True)):
            cell.text = value
            if index and numbers:
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    if small:
        for row in table.rows:
            for cell in row.cells:
                for run in cell.paragraphs[0].runs:
                    run.font.size = Pt(9)
