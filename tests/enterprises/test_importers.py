"""Reading a list file: every refusal of a file as a whole carries its own stable code."""

import io
import zipfile

import pytest

from core.errors import PortalError
from enterprises import importers
from enterprises.importers import ImportFileError, read_table

CSV = "企业名称,类型,来源,行业\n西安甲有限公司,企业,市级确定,工业\n".encode()


def _zip(**members: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in members.items():
            archive.writestr(name.replace("__", "/"), text)
    return buffer.getvalue()


WORKBOOK = {"[Content_Types].xml": "<Types/>", "xl__workbook.xml": "<workbook/>"}
FILES = {
    "empty": (b"", ""),
    "too_large": (CSV * 400, ""),  # 400 copies, past the 20 KB the test allows
    "wrong_suffix": (CSV, "名单.pdf"),
    "suffix_mismatch": (CSV, "名单.xlsx"),
    "not_xlsx": (_zip(**{"word__document.xml": "<document/>"}), ""),
    "damaged": (b"PK\x03\x04" + bytes(64), ""),
    "zip_bomb": (_zip(**WORKBOOK, **{"xl__sharedStrings.xml": "a" * 1_000_000}), ""),
    "xls_not_accepted": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), ""),
    "not_text": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", ""),
    "bad_encoding": (b"\xff\xfe\xff\xfd,\xff\n", ""),
    "too_many_rows": (CSV + "西安乙有限公司,企业,市级确定,工业\n".encode() * 5, ""),
    "no_header": ("序号,单位\n1,西安甲有限公司\n".encode(), ""),
    "missing_columns": ("企业名称,类型\n西安甲有限公司,企业\n".encode(), ""),
    "duplicate_column": ("企业名称,名称,类型,来源,行业\n甲,甲,企业,市级确定,工业\n".encode(), ""),
}


@pytest.mark.parametrize("code", FILES)
def test_each_refusal_of_a_whole_file_has_its_code(code, settings, monkeypatch):
    settings.CAMPAIGN_IMPORT_MAX_BYTES = 20_000
    monkeypatch.setattr(importers, "MAX_ROWS", 4)
    data, filename = FILES[code]
    with pytest.raises(ImportFileError) as refused:
        read_table(data, filename=filename)
    assert refused.value.code == code
    assert isinstance(refused.value, PortalError) and refused.value.message


def test_a_workbook_damaged_inside_is_refused_as_damaged():
    with pytest.raises(ImportFileError) as refused:
        read_table(_zip(**WORKBOOK))
    assert refused.value.code == "damaged"


def test_a_valid_file_reads_without_refusal():
    assert read_table(CSV, filename="名单.csv").row_numbers == [2]
