"""Build lists for the import tests in memory; the committed files are in tests/fixtures/."""

import io
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import html
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter

from enterprises import importers
from organisation import imports

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"

HEADER = ["企业（项目）名称", "统一社会信用代码", "类型", "来源", "行业", "所在街道", "包抓领导", "职务", "结对日期"]


IMPORT = reverse("organisation:import")
CONFIRM = reverse("organisation:import_confirm")


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def xlsx_bytes(rows: list[list], title: str | None = None) -> bytes:
    book = Workbook()
    sheet = book.active
    if title:
        sheet.append([title])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def read_xlsx(content: bytes) -> dict[str, list[list]]:
    book = load_workbook(io.BytesIO(content))
    return {sheet.title: [list(r) for r in sheet.iter_rows(values_only=True)] for sheet in book.worksheets}


def response_bytes(response) -> bytes:
    return b"".join(response.streaming_content)


_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_PACKAGE = "http://schemas.openxmlformats.org/package/2006"
_DOCUMENT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml"
# The fewest parts a workbook with a text table needs, as Excel names them; the text table is written apart.
WORKBOOK_PARTS = {
    "[Content_Types].xml": (
        f'<Types xmlns="{_PACKAGE}/content-types">'
        f'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{_TYPE}.sheet.main+xml"/>'
        f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_TYPE}.worksheet+xml"/>'
        f'<Override PartName="/xl/sharedStrings.xml" ContentType="{_TYPE}.sharedStrings+xml"/>'
        "</Types>"
    ),
    "_rels/.rels": (
        f'<Relationships xmlns="{_PACKAGE}/relationships">'
        f'<Relationship Id="rId1" Type="{_DOCUMENT}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/workbook.xml": (
        f'<workbook xmlns="{_MAIN}" xmlns:r="{_DOCUMENT}"><sheets><sheet name="名单" sheetId="1" r:id="rId1"/></sheets>'
        "</workbook>"
    ),
    "xl/_rels/workbook.xml.rels": (
        f'<Relationships xmlns="{_PACKAGE}/relationships">'
        f'<Relationship Id="rId1" Type="{_DOCUMENT}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{_DOCUMENT}/sharedStrings" Target="sharedStrings.xml"/>'
        "</Relationships>"
    ),
    "xl/worksheets/sheet1.xml": (
        f'<worksheet xmlns="{_MAIN}"><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>'
    ),
}


def excel_xlsx(rows: list[list]) -> bytes:
    """Return a workbook laid out as Excel saves one: its text in a shared strings table, cells pointing into it.

    openpyxl writes text inline in the sheet, so the lists it makes never have the table that Excel's
    and WPS's lists have, and that openpyxl holds whole in memory when it reads them.
    """
    strings: dict[str, int] = {}
    sheet_rows = []
    for number, row in enumerate(rows, start=1):
        cells = []
        for column, value in enumerate(row, start=1):
            ref = f"{get_column_letter(column)}{number}"
            if isinstance(value, int | float):
                cells.append(f'<c r="{ref}"><v>{value}</v></c>')
            elif value not in (None, ""):
                cells.append(f'<c r="{ref}" t="s"><v>{strings.setdefault(str(value), len(strings))}</v></c>')
        sheet_rows.append(f'<row r="{number}">{"".join(cells)}</row>')
    preserve = ' xml:space="preserve"'  # Excel's mark on text with spaces at either end
    table = "".join(f"<si><t{preserve if text != text.strip() else ''}>{escape(text)}</t></si>" for text in strings)
    sheet = f'<worksheet xmlns="{_MAIN}"><sheetData>{"".join(sheet_rows)}</sheetData></worksheet>'
    parts = {
        **WORKBOOK_PARTS,
        "xl/worksheets/sheet1.xml": sheet,
        "xl/sharedStrings.xml": f'<sst xmlns="{_MAIN}" uniqueCount="{len(strings)}">{table}</sst>',
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def zip_bomb_xlsx(text_bytes: int = 150 * 1024 * 1024, level: int = 9) -> bytes:
    """Return a real workbook of a few hundred KB whose text table (shared strings) unpacks to `text_bytes`.

    Issue 11's file: 384 KB holding 157 MB of shared strings, which openpyxl parsed for a minute in
    918 MB. One short string is repeated, written in 1 MiB chunks, so building it takes about a second
    and next to no memory; at level 9 a 157 MiB table packs into 392 KiB.
    """
    unit = "<si><t>灞桥区</t></si>".encode()
    per_chunk = 1024 * 1024 // len(unit)
    units = text_bytes // len(unit)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        for name, text in WORKBOOK_PARTS.items():
            archive.writestr(name, text)
        with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as table:
            table.write(f'<sst xmlns="{_MAIN}">'.encode())
            for _ in range(units // per_chunk):
                table.write(unit * per_chunk)
            table.write(unit * (units % per_chunk))  # whole strings only, so the XML stays well formed
            table.write(b"</sst>")
    return buffer.getvalue()


def upload(client, name: str, content: bytes):
    """Send a list to the import page, as its form does."""
    return client.post(IMPORT, {"file": SimpleUploadedFile(name, content)})


def form_refusal(response) -> str:
    """Return the code of the upload form's one refusal, after checking that the page shows its message."""
    [error] = response.context["form"].errors.as_data()["file"]
    assert html.escape(error.message) in response.text
    return error.code


def kept_files(settings) -> list[str]:
    """Return the files waiting in MEDIA_ROOT/imports for a confirmation."""
    folder = settings.MEDIA_ROOT / "imports"
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def forbid_parsing(monkeypatch) -> None:
    """From now on, fail the test if openpyxl opens a workbook or a list file is read."""

    def parsed(*args, **kwargs):
        raise AssertionError("the list file was parsed")

    monkeypatch.setattr(importers, "load_workbook", parsed)
    monkeypatch.setattr(imports, "read_table", parsed)
