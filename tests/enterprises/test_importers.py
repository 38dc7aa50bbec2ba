"""Reading a list file: every refusal of a file as a whole carries its own stable code."""

import io
import zipfile

import pytest

from core.errors import PortalError
from enterprises import importers
from enterprises.importers import ImportFileError, Table, read_table
from tests.organisation.helpers import WORKBOOK_PARTS, xlsx_bytes

CSV = "企业名称,类型,来源,行业\n西安甲有限公司,企业,市级确定,工业\n".encode()


def _zip(**members: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in members.items():
            archive.writestr(name.replace("__", "/"), text)
    return buffer.getvalue()


WORKBOOK = {"[Content_Types].xml": "<Types/>", "xl__workbook.xml": "<workbook/>"}
TEXT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"


def _declaring_text(part: str) -> str:
    """A manifest that declares `part` the text table (shared strings), which openpyxl holds whole in memory."""
    types = "http://schemas.openxmlformats.org/package/2006/content-types"
    return f'<Types xmlns="{types}"><Override PartName="/{part}" ContentType="{TEXT_TYPE}"/></Types>'


# The test's caps: 20 KB uploaded, 200,000 bytes unpacked, 50,000 bytes of text (see the test below).
FILES = {
    "empty": (b"", ""),
    "too_large": (CSV * 400, ""),  # 400 copies, past the 20 KB the test allows
    "wrong_suffix": (CSV, "名单.pdf"),
    "suffix_mismatch": (CSV, "名单.xlsx"),
    "not_xlsx": (_zip(**{"word__document.xml": "<document/>"}), ""),
    "damaged": (b"PK\x03\x04" + bytes(64), ""),
    "zip_bomb": (_zip(**WORKBOOK, **{"xl__sharedStrings.xml": "a" * 1_000_000}), ""),
    # Small enough to deflate oddly without being a bomb, yet more than the cap on what a list unpacks to.
    "unpacked_too_large": (_zip(**WORKBOOK, **{"xl__worksheets__sheet1.xml": "a" * 210_000}), ""),
    "text_too_large": (
        _zip(
            **{"[Content_Types].xml": _declaring_text("xl/sharedStrings.xml")},
            **{"xl__workbook.xml": "<workbook/>", "xl__sharedStrings.xml": "a" * 60_000},
        ),
        "",
    ),
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
    settings.CAMPAIGN_IMPORT_MAX_UNCOMPRESSED_BYTES = 200_000
    settings.CAMPAIGN_IMPORT_MAX_SHARED_STRINGS_BYTES = 50_000
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


def test_a_table_kept_as_json_reads_back_the_same_and_nothing_else_reads_as_one():
    table = read_table(CSV + "西安乙有限公司,项目,区级选取,商贸\n".encode(), filename="名单.csv")
    again = Table.from_json(table.to_json())
    assert (again.dataset.dict, again.row_numbers, again.header_row) == (table.dataset.dict, [2, 3], 1)
    for tampered in (b"[]", b'{"columns": ["name"]}', table.to_json().replace(b'"header_row":1', b'"header_row":"1"')):
        with pytest.raises(ValueError):
            Table.from_json(tampered)


def _refused(data: bytes, filename: str = "") -> str:
    with pytest.raises(ImportFileError) as refused:
        read_table(data, filename=filename)
    return refused.value.code


def test_the_text_table_is_found_as_openpyxl_finds_it_by_its_declared_type_whatever_its_name(settings):
    settings.CAMPAIGN_IMPORT_MAX_SHARED_STRINGS_BYTES = 50_000
    renamed = _zip(
        **{"[Content_Types].xml": _declaring_text("xl/worksheets/strings.xml")},
        **{"xl__workbook.xml": "<workbook/>", "xl__worksheets__strings.xml": "a" * 60_000},
    )
    assert _refused(renamed) == "text_too_large"


def test_a_workbook_of_more_parts_than_any_list_is_refused_before_its_parts_are_read():
    data = _zip(**WORKBOOK, **{f"xl__media__image{n}.png": "" for n in range(importers.MAX_PARTS)})
    assert _refused(data) == "zip_bomb"


def test_a_manifest_with_entities_is_refused_as_damaged_not_expanded():
    laughs = '<?xml version="1.0"?><!DOCTYPE t [<!ENTITY a "aaaa">]><Types>&a;</Types>'
    assert _refused(_zip(**{"[Content_Types].xml": laughs, "xl__workbook.xml": "<workbook/>"})) == "damaged"


def test_a_zip_that_understates_a_part_is_read_no_further_than_stated_and_refused_as_damaged():
    """The caps trust the zip's directory: a part inflating past its stated size fails its checksum there."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in WORKBOOK_PARTS.items():
            archive.writestr(name, text)
        archive.writestr("xl/sharedStrings.xml", "<sst>" + "<si><t>灞桥区</t></si>" * 80_000 + "</sst>")
    assert _refused(buffer.getvalue()) == "zip_bomb"  # 1.9 MB deflated 200 times
    data = bytearray(buffer.getvalue())
    name = b"xl/sharedStrings.xml"
    # The unpacked size: at byte 22 of the part's local header, at byte 24 of its central directory entry.
    local = data.find(name) - 30
    central = data.rfind(name) - 46
    assert data[local : local + 4] == b"PK\x03\x04" and data[central : central + 4] == b"PK\x01\x02"
    for at in (local + 22, central + 24):
        data[at : at + 4] = (1_000).to_bytes(4, "little")
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        assert archive.getinfo("xl/sharedStrings.xml").file_size == 1_000

    with pytest.raises(ImportFileError) as refused:
        read_table(bytes(data))
    assert refused.value.code == "damaged"
    assert isinstance(refused.value.__cause__, zipfile.BadZipFile)  # "Bad CRC-32", after 1,000 bytes


def test_a_csv_cell_past_the_csv_field_limit_is_refused_as_damaged():
    data = "企业名称,类型,来源,行业\n".encode() + b"x" * 200_000 + ",企业,市级确定,工业\n".encode()
    assert _refused(data, "名单.csv") == "damaged"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        (10, 99),  # the compression method: one zipfile lacks (AES, as 7-Zip writes it)
        (8, 1),  # the flags: the part needs a password
    ],
)
def test_a_workbook_zipped_in_a_way_zipfile_cannot_read_is_refused_as_damaged(field, value):
    """`field` is the byte of each central directory entry, counted from its signature (local header: 2 less)."""
    data = bytearray(xlsx_bytes([["企业名称", "类型", "来源", "行业"], ["西安甲有限公司", "企业", "市级确定", "工业"]]))
    assert read_table(bytes(data)).row_numbers == [2]
    for signature, offset in ((b"PK\x01\x02", field), (b"PK\x03\x04", field - 2)):
        at = data.find(signature)
        while at != -1:
            data[at + offset : at + offset + 2] = value.to_bytes(2, "little")
            at = data.find(signature, at + 4)
    assert _refused(bytes(data)) == "damaged"
