"""An enterprise list as the campaign office fills in the downloaded template, for the browser tests' imports."""

from pathlib import Path

from openpyxl import load_workbook

# Two rows: a city-designated enterprise with its cadre's mobile, and a district project. The project's
# sector, 农业, is not one the campaign uses: the preview refuses row 3 until it is corrected (to 文化).
ROWS = [
    [
        "西安灞桥示范机械有限公司",
        "91610111MA6U000014",
        "企业",
        "市级确定",
        "工业",
        "纺织城街道",
        "张伟",
        "13900000001",
        "孙浩然",
        "区长",
        "13912345678",
        "2026-06-17",
    ],
    ["灞河生态修复项目", "", "项目", "区级选取", "农业", "灞桥街道", "", "", "钱思远", "副区长", "", "2026-06-17"],
]


def corrected(rows: list[list]) -> list[list]:
    """The rows with the project's sector corrected, as the office does after the preview."""
    fixed = [row[:] for row in rows]
    fixed[1][4] = "文化"
    return fixed


def fill_in(template: Path, rows: list[list]) -> Path:
    """Fill in the list sheet below its headers, as the office does in its spreadsheet program."""
    # The list is the template's first sheet (its name is in the user's language); the example is on
    # a sheet of its own.
    book = load_workbook(template)
    sheet = book.worksheets[0]
    assert sheet.max_row == 1
    for row in rows:
        sheet.append(row)
    filled = template.with_name("我的名单.xlsx")
    book.save(filled)
    return filled
