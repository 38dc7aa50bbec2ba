"""Build lists for the import tests in memory; the committed files are in tests/fixtures/."""

import io
from pathlib import Path

from openpyxl import Workbook, load_workbook

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"

HEADER = ["企业（项目）名称", "统一社会信用代码", "类型", "来源", "行业", "所在街道", "包抓领导", "职务", "结对日期"]


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
