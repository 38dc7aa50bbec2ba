import datetime
import io

from openpyxl import load_workbook

from core.spreadsheets import escape_formula, xlsx_response


def test_formula_looking_text_is_kept_as_text():
    assert escape_formula('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    for text in ("+1", "-2", "@SUM(A1)"):
        assert escape_formula(text) == "'" + text
    assert escape_formula("灞桥") == "灞桥"
    assert escape_formula(-3) == -3


def test_an_export_has_bold_headers_and_escaped_rows():
    rows = (["=1+1", 3, datetime.date(2026, 11, 27), None] for _ in range(2))
    response = xlsx_response("导出.xlsx", ["名称", "数量", "日期", "空"], rows, sheet_title="问题台账")
    content = b"".join(response.streaming_content)
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet.title == "问题台账"
    assert [c.value for c in sheet[1]] == ["名称", "数量", "日期", "空"]
    assert sheet["A1"].font.bold
    assert sheet["A2"].value == "'=1+1"
    assert sheet["B2"].value == 3
    assert sheet["C2"].value.date() == datetime.date(2026, 11, 27)
    assert "attachment" in response["Content-Disposition"]
