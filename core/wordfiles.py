"""Word files (.docx) in the format district offices circulate, with python-docx: the one home of their look.

A4 with the margins of a district office's paper, 宋体 for the Chinese text and 黑体 for the headings (an
East Asian font must be named on its own: `w:eastAsia`), black throughout, and bordered tables whose header
row repeats on every page. The monthly report (oversight/docx.py) and the supervision 通报
(supervision/docx.py) are written with these.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.http import HttpResponse
from django.utils.http import content_disposition_header
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

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

LATIN_FONT = "Times New Roman"
BODY_FONT = "宋体"  # SimSun
HEADING_FONT = "黑体"  # SimHei
BLACK = RGBColor(0, 0, 0)


def office_document(title: str, now: datetime.datetime) -> DocumentObject:
    """A new A4 document with a district office's margins and fonts, and the file's own title and dates."""
    document = Document()
    for section in document.sections:
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin, section.bottom_margin = Mm(30), Mm(25)
        section.left_margin, section.right_margin = Mm(28), Mm(26)
    styles = document.styles
    font(styles["Normal"], BODY_FONT, Pt(12))
    font(styles["Title"], HEADING_FONT, Pt(20))
    no_border(styles["Title"])  # python-docx's template underlines its title in blue; an office's paper does not
    font(styles["Heading 1"], HEADING_FONT, Pt(15))
    font(styles["Heading 2"], HEADING_FONT, Pt(13))
    properties = document.core_properties
    properties.title = title
    properties.author = _("Baqiao District pro-business campaign office")
    properties.created = properties.modified = now
    properties.last_modified_by = properties.comments = ""
    return document


def font(style: ParagraphStyle, east_asian: str, size: Pt) -> None:
    """Name the style's Latin and East Asian fonts, in black; a theme font would override either, so none."""
    style.font.name = LATIN_FONT
    style.font.size = size
    style.font.color.rgb = BLACK
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)
    fonts.set(qn("w:eastAsia"), east_asian)


def no_border(style: ParagraphStyle) -> None:
    paragraph = style.element.pPr
    border = paragraph.find(qn("w:pBdr")) if paragraph is not None else None
    if paragraph is not None and border is not None:
        paragraph.remove(border)


def title(document: DocumentObject, text: str, subtitle: str = "") -> None:
    """The centred title, and under it a centred line (the dates) when given."""
    heading = document.add_paragraph(style="Title")
    heading.add_run(text)
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if subtitle:
        document.add_paragraph(subtitle).alignment = WD_ALIGN_PARAGRAPH.CENTER


def table(
    document: DocumentObject,
    headings: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    empty: str = "",
    numbers: bool = True,
) -> None:
    """A bordered table whose header row repeats on every page; `empty` is said instead of a table without rows.

    With `numbers`, the columns after the first are figures, centred. A table of more than four columns is
    set smaller, to fit across A4.
    """
    if not rows and empty:
        document.add_paragraph(empty)
        return
    grid: Table = document.add_table(rows=1, cols=len(headings))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    header = grid.rows[0]
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    header._tr.get_or_add_trPr().append(repeat)
    for cell, heading in zip(header.cells, headings, strict=True):
        cell.text = ""
        run = cell.paragraphs[0].add_run(heading)
        run.bold = True
    small = len(headings) > 4
    for values in rows:
        cells = grid.add_row().cells
        for index, (cell, value) in enumerate(zip(cells, values, strict=True)):
            cell.text = value
            if index and numbers:
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    if small:
        for row in grid.rows:
            for cell in row.cells:
                for run in cell.paragraphs[0].runs:
                    run.font.size = Pt(9)


def to_bytes(document: DocumentObject) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def docx_response(content: bytes, filename: str) -> HttpResponse:
    """A Word file to download. Whole, not streamed: a few tens of kilobytes, made before the first byte is sent."""
    response = HttpResponse(content, content_type=DOCX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename) or "attachment"
    return response
