"""Read the enterprise lists the city and the district send as Excel or CSV files.

The lists are typed by hand: a title row above the headers, a 序号 column, headers
that vary from list to list, stray (full-width) spaces, full-width digits. This
module turns such a file into a `tablib.Dataset` with one canonical column per
field, remembering for every data row the row number Excel shows, cleans each row's
cells (`list_rows`), and matches, validates and saves the enterprises a list names
(`EnterpriseBook`).

The book is set-based (issue 16): it reads every enterprise the list names in a few
queries up front, applies the rows in memory in order, and writes in batches with the
history rows django-simple-history keeps; an import costs a fixed number of queries plus
a few per thousand rows, where django-import-export's row-by-row import cost some forty
queries a row. tablib's Dataset stays the table's form.
"""

import csv
import datetime
import io
import json
import re
import zipfile
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.packaging.manifest import Manifest
from openpyxl.xml.constants import ARC_CONTENT_TYPES, SHARED_STRINGS
from openpyxl.xml.functions import fromstring
from tablib import Dataset

from core.errors import PortalError
from core.history import bulk_create_with_history, bulk_update_with_history
from core.mobiles import is_mobile, normalize_mobile
from core.text import is_blank
from enterprises.models import Enterprise, Kind, Origin, Sector
from enterprises.uscc import normalize_uscc

# A field's (or a choice's) code and the words a list may write for it, the canonical word first.
Words = dict[str, tuple[str, ...]]

# The file format's own words: lists arrive with Chinese headers and values whatever
# the UI's language, so these are data, not UI text. The first header of each field
# is the one the template and the exports write.
HEADERS: Words = {
    "name": ("企业（项目）名称", "企业名称", "项目名称", "企业/项目名称", "名称", "单位名称", "企业(项目)名称"),
    "uscc": ("统一社会信用代码", "社会信用代码", "信用代码", "统一代码"),
    "kind": ("类型", "企业或项目", "企业/项目", "类别"),
    "origin": ("来源", "确定方式", "企业来源", "市级/区级"),
    "sector": ("行业", "所属行业", "行业类别", "产业"),
    "street": ("所在街道", "街道", "属地街道", "街办"),
    "contact_person": ("联系人", "企业联系人"),
    # The enterprise's own phone; the cadre's mobile has headers of its own, never these.
    "phone": ("联系电话", "电话", "联系方式", "手机"),
    "cadre": ("包抓领导", "结对干部", "联系领导", "助企干部", "包抓干部", "联系干部"),
    "cadre_title": ("职务", "领导职务", "干部职务", "包抓领导职务", "结对干部职务"),
    "cadre_mobile": (
        "干部手机",
        "包抓领导手机",
        "结对干部手机",
        "联系领导手机",
        "助企干部手机",
        "包抓干部手机",
        "联系干部手机",
        "干部手机号",
        "领导手机",
    ),
    "paired_on": ("结对日期", "结对时间", "包抓日期"),
}
REQUIRED_COLUMNS = ("name", "kind", "origin", "sector")
COLUMNS = tuple(HEADERS)

KIND_VALUES: Words = {Kind.ENTERPRISE: ("企业",), Kind.PROJECT: ("项目",)}
ORIGIN_VALUES: Words = {
    Origin.CITY: ("市级确定", "市级", "市上确定"),
    Origin.DISTRICT: ("区级选取", "区级", "区里选取"),
}
SECTOR_VALUES: Words = {
    Sector.INDUSTRY: ("工业",),
    Sector.COMMERCE: ("商贸",),
    Sector.CONSTRUCTION: ("建筑",),
    Sector.TECHNOLOGY: ("科技",),
    Sector.CULTURE: ("文化",),
    Sector.TOURISM: ("旅游",),
}

# The template's example enterprise (on its own sheet, 示例): a row naming it was copied from there.
EXAMPLE_NAME = "西安灞河示例机械有限公司"

MAX_ROWS = 10_000  # the district's lists have 139 rows; anything near this is not a list
MAX_COLUMNS = 60
HEADER_SCAN_ROWS = 10  # a title block above the headers is a few rows at most

# An .xlsx is a zip of XML parts, and a few hundred KB of zip can unpack to gigabytes (a zip bomb).
# check_workbook_archive reads every part's size from the zip's directory, inflating nothing, and
# refuses before openpyxl opens the file; the caps on what may be unpacked are settings
# (CAMPAIGN_IMPORT_MAX_UNCOMPRESSED_BYTES, CAMPAIGN_IMPORT_MAX_SHARED_STRINGS_BYTES). A directory
# cannot understate a part: zipfile stops inflating at the stated size and the checksum then fails,
# which is read as a damaged file.
MAX_PARTS = 1_000  # a list saved by Excel or WPS has a dozen parts
# Real sheets deflate 5 to 15 times; a part of some size deflated beyond 100 times is padding, not a list.
MAX_PART_RATIO = 100
RATIO_FROM_BYTES = 256 * 1024  # small parts deflate oddly at times, and cost nothing to parse anyway
MAX_CONTENT_TYPES_BYTES = 1024 * 1024  # [Content_Types].xml, read to find the text table: a few KB
# What zipfile raises for a part it cannot inflate: a bad checksum or header, a truncated or corrupt
# stream, a compression method it lacks (NotImplementedError), a password (RuntimeError).
UNREADABLE_ZIP = (zipfile.BadZipFile, EOFError, zlib.error, NotImplementedError, RuntimeError)

_FULL_WIDTH_DIGITS = {0xFF10 + d: 0x30 + d for d in range(10)}
_SPACES = " \t\r\n\u3000\u00a0\ufeff"


class ImportFileError(PortalError):
    """The file as a whole cannot be read as a list: wrong type, too large, no headers.

    Its codes: too_large, empty, wrong_suffix, suffix_mismatch, not_xlsx, damaged, zip_bomb,
    unpacked_too_large, text_too_large, xls_not_accepted, not_text, bad_encoding, too_many_rows,
    duplicate_column, missing_columns, no_header, no_rows.
    """


class CellError(ValueError):
    """A cell a widget refuses, with the validation code Django's own fields give for it."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass
class Table:
    """A list read from a file: canonical columns, rows of normalised text, Excel row numbers."""

    dataset: Dataset
    row_numbers: list[int]
    header_row: int

    def excel_row(self, number: int) -> int:
        """Return the row number Excel shows for the dataset's 1-based row `number`."""
        return self.row_numbers[number - 1]

    def to_json(self) -> bytes:
        """Return the table as JSON, to keep a preview's reading until its confirmation (never pickle)."""
        rows = [[number, *values] for number, values in zip(self.row_numbers, self.dataset, strict=True)]
        content = {"columns": list(COLUMNS), "header_row": self.header_row, "rows": rows}
        return json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode()

    @classmethod
    def from_json(cls, data: bytes) -> "Table":
        """Read back what to_json wrote; raise ValueError for anything else."""
        content = json.loads(data)
        if not isinstance(content, dict) or content.get("columns") != list(COLUMNS):
            raise ValueError("not a table of the list's columns")
        header_row, rows = content.get("header_row"), content.get("rows")
        if not isinstance(header_row, int) or not isinstance(rows, list) or len(rows) > MAX_ROWS:
            raise ValueError("not a table of the list's columns")
        dataset = Dataset(headers=list(COLUMNS))
        numbers = []
        for row in rows:
            if (
                not isinstance(row, list)
                or len(row) != len(COLUMNS) + 1
                or not isinstance(row[0], int)
                or not all(isinstance(value, str) for value in row[1:])
            ):
                raise ValueError("a row that is not the list's columns")
            numbers.append(row[0])
            dataset.append(row[1:])
        return cls(dataset=dataset, row_numbers=numbers, header_row=header_row)


def clean_text(value) -> str:
    """Return a cell as text: trimmed (full-width spaces too), full-width digits made ASCII."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a phone typed as a number comes back as 29123456.0
    if isinstance(value, datetime.datetime):
        value = value.date()
    return str(value).translate(_FULL_WIDTH_DIGITS).strip(_SPACES)


def _trimmed(cells: Sequence[Any]) -> Sequence[Any]:
    """A row without its empty cells at the end: a sheet's rows come padded to MAX_COLUMNS (60 cells for a list of
    nine columns), and cleaning the padding was 600,000 calls of `clean_text` for a 10,000-row list."""
    end = len(cells)
    while end and cells[end - 1] is None:
        end -= 1
    return cells[:end]


def _header_key(text: str) -> str:
    # Compare headers without spaces, required-field stars, line breaks or bracket width.
    text = clean_text(text)
    text = text.replace("(", "（").replace(")", "）").replace("*", "").replace("＊", "")
    return re.sub(r"\s+", "", text).lower()


_HEADER_LOOKUP = {_header_key(h): field for field, names in HEADERS.items() for h in (*names, field)}


def _damaged() -> ImportFileError:
    return ImportFileError("damaged", _("The file is damaged: it cannot be opened as an Excel workbook."))


def sniff_kind(data: bytes) -> str:
    """Return "xlsx" or "csv" judged by the content, or raise ImportFileError."""
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
                if ARC_CONTENT_TYPES not in names or "xl/workbook.xml" not in names:
                    raise ImportFileError("not_xlsx", _("The file is not an Excel workbook (.xlsx)."))
                check_workbook_archive(archive)
        except UNREADABLE_ZIP as exc:
            raise _damaged() from exc
        return "xlsx"
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError(
            "xls_not_accepted", _("Old Excel files (.xls) are not accepted: please save the list as .xlsx.")
        )
    if b"\x00" in data[:4096]:
        raise ImportFileError("not_text", _("The file is neither an Excel workbook (.xlsx) nor a CSV text file."))
    return "csv"


def check_workbook_archive(archive: zipfile.ZipFile) -> None:
    """Refuse a workbook that would unpack to more than any list holds; inflate at most its small manifest."""
    parts = archive.infolist()
    if len(parts) > MAX_PARTS:
        raise _zip_bomb()
    for part in parts:
        if part.file_size > RATIO_FROM_BYTES and part.file_size > MAX_PART_RATIO * part.compress_size:
            raise _zip_bomb()
    unpacked = sum(part.file_size for part in parts)
    limit = settings.CAMPAIGN_IMPORT_MAX_UNCOMPRESSED_BYTES
    if unpacked > limit:
        raise ImportFileError(
            "unpacked_too_large",
            _(
                "The workbook holds %(size).1f MB once unpacked; a list may hold at most %(limit).1f MB. "
                "Keep only the list's sheet, without pictures, and upload it again."
            )
            % {"size": unpacked / 1024 / 1024, "limit": limit / 1024 / 1024},
        )
    text = _shared_strings(archive)
    limit = settings.CAMPAIGN_IMPORT_MAX_SHARED_STRINGS_BYTES
    if text is not None and text.file_size > limit:
        raise ImportFileError(
            "text_too_large",
            _(
                "The workbook holds %(size).1f MB of text; a list may hold at most %(limit).1f MB. "
                "Keep only the list's sheet and upload it again."
            )
            % {"size": text.file_size / 1024 / 1024, "limit": limit / 1024 / 1024},
        )


def _zip_bomb() -> ImportFileError:
    return ImportFileError("zip_bomb", _("The workbook expands to far more data than a list can hold."))


def _shared_strings(archive: zipfile.ZipFile) -> zipfile.ZipInfo | None:
    """Return the part openpyxl will hold whole in memory as the text table, found as openpyxl finds it."""
    manifest = archive.getinfo(ARC_CONTENT_TYPES)
    if manifest.file_size > MAX_CONTENT_TYPES_BYTES:
        raise _zip_bomb()
    try:
        declared = Manifest.from_tree(fromstring(archive.read(manifest))).find(SHARED_STRINGS)
    except (SyntaxError, ValueError, TypeError, KeyError, AttributeError) as exc:
        # Not XML, XML that defusedxml refuses (entities), or a manifest openpyxl cannot read.
        raise _damaged() from exc
    if declared is None:
        return None
    try:
        return archive.getinfo(declared.PartName.lstrip("/"))
    except KeyError:
        return None  # declared but missing: openpyxl refuses it, and it is read as damaged


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        # Excel on a Chinese Windows saves CSV in GBK; GB 18030 reads it and is a superset.
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise ImportFileError("bad_encoding", _("The CSV file is neither UTF-8 nor GBK text.")) from exc


def _csv_rows(data: bytes):
    text = _decode(data)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    for number, row in enumerate(csv.reader(io.StringIO(text), dialect), start=1):
        yield number, row[:MAX_COLUMNS]


def _xlsx_rows(data: bytes):
    # read_only streams the sheet; data_only=False keeps a formula as its text, never its result.
    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    try:
        sheet = workbook.worksheets[0]
        # A hostile file may declare a huge dimension; ignore it and read what is there.
        sheet.reset_dimensions()
        yield from enumerate(sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True), start=1)
    finally:
        workbook.close()


def _find_header(rows: list[tuple[int, list]]) -> tuple[int, dict[int, str]]:
    for number, cells in rows[:HEADER_SCAN_ROWS]:
        mapping: dict[int, str] = {}
        for index, cell in enumerate(cells):
            field = _HEADER_LOOKUP.get(_header_key(cell))
            if field is None:
                continue
            if field in mapping.values():
                raise ImportFileError(
                    "duplicate_column",
                    _("Row %(row)d has two columns for %(column)s.") % {"row": number, "column": HEADERS[field][0]},
                )
            mapping[index] = field
        if "name" in mapping.values() and len(mapping) >= 2:
            missing = [HEADERS[f][0] for f in REQUIRED_COLUMNS if f not in mapping.values()]
            if missing:
                raise ImportFileError(
                    "missing_columns",
                    _("The list lacks required columns: %(columns)s.") % {"columns": "、".join(missing)},
                )
            return number, mapping
    raise ImportFileError(
        "no_header",
        _("No header row found in the first %(n)d rows: the list needs a column %(column)s.")
        % {"n": HEADER_SCAN_ROWS, "column": HEADERS["name"][0]},
    )


def check_size(size: int) -> None:
    """Raise ImportFileError when a file is empty or larger than the setting allows."""
    if size > settings.CAMPAIGN_IMPORT_MAX_BYTES:
        raise ImportFileError(
            "too_large",
            _("The file is larger than %(mb).1f MB.") % {"mb": settings.CAMPAIGN_IMPORT_MAX_BYTES / 1024 / 1024},
        )
    if not size:
        raise ImportFileError("empty", _("The file is empty."))


def check_kind(data: bytes, filename: str = "") -> str:
    """Return the file's kind by content; when a name is given, it must say the same."""
    kind = sniff_kind(data)
    if filename:
        suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
        if suffix not in ("xlsx", "csv"):
            raise ImportFileError("wrong_suffix", _("Only .xlsx and .csv files can be imported."))
        if suffix != kind:
            raise ImportFileError(
                "suffix_mismatch",
                _("The file is named .%(suffix)s but its content is %(kind)s.") % {"suffix": suffix, "kind": kind},
            )
    return kind


def read_table(data: bytes, filename: str = "") -> Table:
    """Read an .xlsx or .csv list (recognised by content, and by name when given) into canonical columns."""
    check_size(len(data))
    kind = check_kind(data, filename)
    source = _xlsx_rows(data) if kind == "xlsx" else _csv_rows(data)
    rows: list[tuple[int, list]] = []
    try:
        for number, cells in source:
            if number > MAX_ROWS:
                raise ImportFileError("too_many_rows", _("The list has more than %(n)d rows.") % {"n": MAX_ROWS})
            rows.append((number, [clean_text(c) for c in _trimmed(cells)]))
    except csv.Error as exc:  # a cell past csv's field limit (128 KB), or a line it cannot split
        raise ImportFileError("damaged", _("The CSV file is damaged: it cannot be read as a table.")) from exc
    except (*UNREADABLE_ZIP, KeyError, ValueError, OSError) as exc:
        raise _damaged() from exc
    header_row, mapping = _find_header(rows)
    dataset = Dataset(headers=list(COLUMNS))
    numbers = []
    for number, cells in rows:
        if number <= header_row or not any(cells):
            continue  # blank rows between and after the data are not rows of the list
        values = dict.fromkeys(COLUMNS, "")
        for index, field in mapping.items():
            if index < len(cells):
                values[field] = cells[index]
        dataset.append([values[c] for c in COLUMNS])
        numbers.append(number)
    if not numbers:
        # The template as downloaded: headers only (its example is on another sheet).
        raise ImportFileError(
            "no_rows",
            _("The list has its headers but no rows below them: fill in one row per enterprise."),
        )
    return Table(dataset=dataset, row_numbers=numbers, header_row=header_row)


# --- Values -------------------------------------------------------------------


def _lookup(values: Words) -> dict[str, str]:
    table = {}
    for code, words in values.items():
        table[code.lower()] = code
        for word in words:
            table[word] = code
    return table


def allowed_values(values: Words) -> list[str]:
    """Return the canonical Chinese word of each choice, in order (for messages and the template)."""
    return [words[0] for words in values.values()]


def canonical_word(values: Words, code: str) -> str:
    return values[code][0]


class ChoiceWidget:
    """A Chinese word (or the English code) for a choice; anything else is refused, naming the allowed."""

    def __init__(self, values: Words):
        self.values = values
        self.table = _lookup(values)

    def clean(self, value) -> str:
        text = clean_text(value)
        if not text:
            return ""  # the model refuses the blank: a missing value never becomes a default
        code = self.table.get(text) or self.table.get(text.lower())
        if code is None:
            raise CellError(
                _("“%(value)s” is not allowed; use one of: %(allowed)s.")
                % {"value": text, "allowed": "、".join(allowed_values(self.values))},
                code="invalid_choice",
            )
        return code

    def render(self, value) -> str:
        return canonical_word(self.values, value) if value in self.values else ""


_DATE_PATTERNS = (
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)


def parse_date(text: str) -> datetime.date | None:
    """Return the date a cell means, None for a blank; raise CellError for anything else."""
    text = clean_text(text)
    if not text:
        return None
    text = text.split(" ")[0]  # "2026-06-17 00:00:00" from a date cell
    for pattern in _DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            try:
                return datetime.date(*(int(part) for part in match.groups()))
            except ValueError:
                break
    raise CellError(_("“%(value)s” is not a date; write it as 2026-06-17.") % {"value": text}, code="invalid")


# --- The rows and the enterprises they name -------------------------------------

# The enterprise's columns of a list, in the order their refusals are reported.
ENTERPRISE_FIELDS = ("name", "uscc", "kind", "origin", "sector", "street", "contact_person", "phone")
# The enterprise's fields a list does not give, which the import's validation leaves to the forms that set them.
NOT_LISTED = frozenset(field.name for field in Enterprise._meta.fields) - set(ENTERPRISE_FIELDS)
LOOKUP_BATCH = 2_000  # values per IN (…) of the reads up front: a 10,000-row list reads in a few queries
SAVE_BATCH = 1_000


def _uscc_cell(value) -> str | None:
    # The model field validates the 18 characters and the check character.
    return normalize_uscc(clean_text(value)) or None


_CELLS = {
    "name": clean_text,
    "uscc": _uscc_cell,
    "kind": ChoiceWidget(KIND_VALUES).clean,
    "origin": ChoiceWidget(ORIGIN_VALUES).clean,
    "sector": ChoiceWidget(SECTOR_VALUES).clean,
    "street": clean_text,
    "contact_person": clean_text,
    "phone": clean_text,
}


@dataclass(frozen=True)
class PairingPlan:
    """The pairing a row asks for: a cadre by mobile (the key), else by name (and title), from a date."""

    name: str
    title: str
    started_on: datetime.date | None
    mobile: str = ""  # 11 digits, or "" when the list gives none

    def matches(self, pairing) -> bool:
        """Return whether an active pairing already is what the row asks for, keys and titles included."""
        cadre = pairing.cadre
        return (
            cadre.name == self.name
            and (not self.mobile or cadre.mobile == self.mobile)
            and (not self.title or cadre.title == self.title)
            and (self.started_on is None or pairing.started_on == self.started_on)
        )


@dataclass
class ListRow:
    """One row of a list with its cells cleaned: the enterprise's values, the pairing asked for, the cells refused.

    The pairing itself is not this app's to write: the import service (organisation/imports.py) applies
    `plan` in the same transaction, through organisation/services.py.
    """

    number: int  # the dataset's 1-based row (Table.excel_row gives Excel's)
    values: dict[str, Any]
    plan: PairingPlan | None
    errors: dict[str, list[ValidationError]]  # refused cells, by field: a refused cell keeps its code


def list_rows(table: Table) -> list[ListRow]:
    """Clean every row of a list, in order; no query."""
    return [_list_row(number, row) for number, row in enumerate(table.dataset.dict, start=1)]


def _list_row(number: int, row: dict[str, Any]) -> ListRow:
    errors: dict[str, list[ValidationError]] = {}
    values: dict[str, Any] = {}
    for name in ENTERPRISE_FIELDS:
        try:
            values[name] = _CELLS[name](row.get(name))
        except CellError as exc:
            errors[name] = [ValidationError(str(exc), code=exc.code)]
    plan = None
    try:
        plan = _pairing_plan(row)
    except ValidationError as exc:
        errors = exc.update_error_dict(errors)
    return ListRow(number=number, values=values, plan=plan, errors=errors)


def _pairing_plan(row: dict[str, Any]) -> PairingPlan | None:
    name = clean_text(row.get("cadre"))
    title = clean_text(row.get("cadre_title"))
    mobile = normalize_mobile(clean_text(row.get("cadre_mobile")))
    try:
        started_on = parse_date(clean_text(row.get("paired_on")))
    except CellError as exc:
        raise ValidationError({"paired_on": ValidationError(str(exc), code=exc.code)}) from exc
    if mobile and not is_mobile(mobile):
        message = _("“%(value)s” is not a mobile number: write the cadre's 11 digits, e.g. 13912345678.") % {
            "value": mobile
        }
        raise ValidationError({"cadre_mobile": ValidationError(message, code="invalid_mobile")})
    if not name:
        if title or started_on or mobile:
            message = _("A title, mobile or pairing date is given but no cadre is named.")
            raise ValidationError({"cadre": ValidationError(message, code="cadre_missing")})
        return None
    return PairingPlan(name=name, title=title, started_on=started_on, mobile=mobile)


def batched(values: Any, size: int = LOOKUP_BATCH) -> list[list]:
    """Split values into lists of at most `size`, so that no IN (…) outgrows a database's parameter limit."""
    values = list(values)
    return [values[start : start + size] for start in range(0, len(values), size)]


@dataclass(frozen=True)
class Write:
    """One of a book's bulk writes: the objects, and the function that writes any run of them, in order."""

    objects: list[Any]
    run: Callable[[list[Any]], None]


class EnterpriseBook:
    """The enterprises a list names, read up front in a few queries, matched and changed in memory, saved in bulk.

    A row finds its enterprise by the code first, else by the exact name, and a name registered under
    another code is refused; a row's new values are validated as the model validates them (full_clean),
    the uniqueness of the name and the code against the book, which knows every enterprise the list
    names. Rows are applied in order, each seeing what the rows above it did, as one by one would.
    """

    def __init__(self, rows: list[ListRow]) -> None:
        usccs = {r.values["uscc"] for r in rows if r.values.get("uscc")}
        names = {r.values["name"] for r in rows if r.values.get("name")}
        self.by_uscc: dict[str, Enterprise] = {}
        self.by_name: dict[str, Enterprise] = {}
        for batch in batched(sorted(usccs)):
            for found in Enterprise.objects.filter(uscc__in=batch).order_by():
                self._index(found)
        # The names not read already: a row's name may belong to another enterprise than its code's.
        for batch in batched(sorted(names - self.by_name.keys())):
            for found in Enterprise.objects.filter(name__in=batch).order_by():
                self._index(found)
        self.created: list[Enterprise] = []
        self.updated: dict[int, Enterprise] = {}  # by pk
        self.rows: dict[int, int] = {}  # the row that changed an enterprise, by id() of the enterprise

    def _index(self, enterprise: Enterprise) -> None:
        if enterprise.uscc:
            self.by_uscc[enterprise.uscc] = enterprise
        self.by_name[enterprise.name] = enterprise

    @property
    def known(self) -> list[Enterprise]:
        """The registered enterprises the list names (the pairings to read are theirs)."""
        return [e for e in {id(e): e for e in (*self.by_uscc.values(), *self.by_name.values())}.values() if e.pk]

    def match(self, row: ListRow) -> Enterprise | None:
        """Return the enterprise a row names: by the code first, else by the exact name; refuse another code's name."""
        uscc, name = row.values["uscc"] or "", row.values["name"]
        if name and is_blank(name):
            message = _("The enterprise name cannot be made only of invisible characters.")
            raise ValidationError({"name": ValidationError(message, code="blank")})
        if name == EXAMPLE_NAME:
            message = _("This is the template's example row: delete it from the list.")
            raise ValidationError({"name": ValidationError(message, code="example_row")})
        if uscc and uscc in self.by_uscc:
            return self.by_uscc[uscc]
        found = self.by_name.get(name) if name else None
        if found is not None and found.uscc and uscc and found.uscc != uscc:
            message = _(
                "“%(name)s” is already registered with the code %(existing)s; "
                "the list gives %(given)s. Please check which is right."
            ) % {"name": name, "existing": found.uscc, "given": uscc}
            raise ValidationError({"uscc": ValidationError(message, code="uscc_conflict")})
        return found

    def apply(self, row: ListRow) -> tuple[Enterprise, str]:
        """Apply a row in memory; return its enterprise and "new", "update" or "skip"; raise ValidationError."""
        found = self.match(row)
        enterprise = found if found is not None else Enterprise()
        before = {f: getattr(enterprise, f) for f in ENTERPRISE_FIELDS}
        for name, value in row.values.items():
            if name not in row.errors:
                setattr(enterprise, name, value)
        if found is not None and not row.errors and all(getattr(found, f) == v for f, v in before.items()):
            return found, "skip"
        try:
            self._validate(enterprise, row.errors)
        except ValidationError:
            for name, value in before.items():
                setattr(enterprise, name, value)
            raise
        self.rows[id(enterprise)] = row.number
        if found is None:
            self.created.append(enterprise)
        else:
            self.updated[enterprise.pk] = enterprise
            if before["name"] != enterprise.name and self.by_name.get(before["name"]) is enterprise:
                del self.by_name[before["name"]]
            if before["uscc"] and before["uscc"] != enterprise.uscc and self.by_uscc.get(before["uscc"]) is enterprise:
                del self.by_uscc[before["uscc"]]
        self._index(enterprise)
        return enterprise, "new" if found is None else "update"

    def _validate(self, enterprise: Enterprise, refused: dict[str, list[ValidationError]]) -> None:
        """Refuse as the model would (full_clean), its uniqueness judged against the book, not row by row in SQL."""
        errors: dict[str, list[ValidationError]] = {name: list(e) for name, e in refused.items()}
        try:
            # The list's own fields: the others (the address, the contact's mobile, the dates) it never sets.
            exclude = set(errors) | NOT_LISTED
            enterprise.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        for field, index in (("name", self.by_name), ("uscc", self.by_uscc)):
            value = getattr(enterprise, field)
            other = index.get(value) if value else None
            if field not in errors and other is not None and other is not enterprise:
                errors[field] = [enterprise.unique_error_message(Enterprise, (field,))]
        if errors:
            raise ValidationError(errors)

    def writes(self) -> list[Write]:
        """The book's writes, in the order they must run (`save` runs them; `first_refused` replays them)."""
        # Updates first: a name or code an update gives up may be a new enterprise's.
        return [Write(list(self.updated.values()), self._update), Write(self.created, self._create)]

    def save(self) -> None:
        """Write the book's changes in batches, with the history rows django-simple-history keeps.

        Bulk writes send no signal: the caller touches the kept figures they change, once (organisation/imports.py).
        """
        for write in self.writes():
            write.run(write.objects)

    @staticmethod
    def _update(enterprises: list[Enterprise]) -> None:
        now = timezone.now()
        for enterprise in enterprises:
            enterprise.updated_at = now
        bulk_update_with_history(
            enterprises, Enterprise, fields=[*ENTERPRISE_FIELDS, "updated_at"], batch_size=SAVE_BATCH
        )

    @staticmethod
    def _create(enterprises: list[Enterprise]) -> None:
        for enterprise in enterprises:
            enterprise.pk = None  # a key from a batch rolled back (first_refused) is no key
        saved = bulk_create_with_history(enterprises, Enterprise, batch_size=SAVE_BATCH)
        for enterprise, row in zip(enterprises, saved, strict=True):
            enterprise.pk = row.pk


def first_refused(writes: list[Write]) -> tuple[Any, DatabaseError] | None:
    """Replay writes that failed in bulk, in savepoints, to find the first object the database refuses.

    A batch that fails is halved, the first half written before the second is tried, so the object is
    found in some 2·log2(n) bulk writes, not one write per row. What the replay wrote stays inside the
    caller's transaction, which rolls it back. None when everything writes: the refusal was not an
    object's (a lost race the replay did not meet again).
    """
    for write in writes:
        refused = _first_refused(write.objects, write.run)
        if refused is not None:
            return refused
    return None


def _first_refused(objects: list[Any], run: Callable[[list[Any]], None]) -> tuple[Any, DatabaseError] | None:
    if not objects:
        return None
    try:
        with transaction.atomic():
            run(objects)
    except DatabaseError as exc:
        if len(objects) == 1:
            return objects[0], exc
        half = len(objects) // 2
        return _first_refused(objects[:half], run) or _first_refused(objects[half:], run)
    return None
