import datetime
import io
import re
import zipfile

from openpyxl import load_workbook

from core.spreadsheets import looks_like_formula, xlsx_response

FORMULA_LOOKING = ["=1+1", "+86 138 0000 0000", "-减号企业", "@sum", "\t制表符开头", '=HYPERLINK("http://x")']


def _content(headers, rows) -> bytes:
    return b"".join(xlsx_response("导出.xlsx", headers, rows).streaming_content)


def test_formula_looking_text_is_recognised():
    assert all(looks_like_formula(text) for text in FORMULA_LOOKING)
    assert not looks_like_formula("灞桥")
    assert not looks_like_formula(-3)


def test_formula_looking_text_reads_back_exactly_as_quote_prefixed_text():
    content = _content(["值", "普通"], [[text, "灞桥"] for text in FORMULA_LOOKING])
    sheet = load_workbook(io.BytesIO(content)).active
    cells = [row[0] for row in sheet.iter_rows(min_row=2)]
    assert [c.value for c in cells] == FORMULA_LOOKING
    assert all(c.data_type == "s" and c.quotePrefix for c in cells)
    assert not sheet["B2"].quotePrefix  # ordinary text keeps the ordinary style


def test_formula_looking_text_is_never_written_as_a_formula():
    content = _content(["值"], [[text] for text in FORMULA_LOOKING])
    xml = zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml and "<f " not in xml
    assert len(re.findall(r'<c r="A\d+"[^>]* t="inlineStr"', xml)) == len(FORMULA_LOOKING) + 1
    styles = zipfile.ZipFile(io.BytesIO(content)).read("xl/styles.xml").decode()
    assert 'quotePrefix="1"' in styles


def test_an_export_has_bold_headers_and_escaped_rows():
    rows = (["=1+1", 3, datetime.date(2026, 11, 27), None] for _ in range(2))
    response = xlsx_response("导出.xlsx", ["名称", "数量", "日期", "空"], rows, sheet_title="问题台账")
    content = b"".join(response.streaming_content)
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet.title == "问题台账"
    assert [c.value for c in sheet[1]] == ["名称", "数量", "日期", "空"]
    assert sheet["A1"].font.bold
    assert sheet["A2"].value == "=1+1"
    assert sheet["B2"].value == 3
    assert sheet["C2"].value.date() == datetime.date(2026, 11, 27)
    assert "attachment" in response["Content-Disposition"]
