"""The campaign office's import of enterprise lists, and the pairings a list asks for.

`enterprise_import` is the one entry point, used by the import page and by
`manage.py import_enterprises`. A preview and a real import run the very same
code inside one transaction, set-based (issue 16): the enterprises, cadres and
pairings the list names are read up front in a few queries, every row is decided
in memory in order, each seeing what the rows above it did, and only a real import
of a list without a refusal writes, in batches (`EnterpriseBook.save`,
`PairingBook.save`). The preview stops before writing, so it decides exactly what
the import would; what only the database could still refuse (a row changed by
someone else in between) fails the import whole, as an unexpected error naming the
row refused, with nothing written.
The report of a list that could be read carries the rows read (`ImportReport.table`), and
`enterprise_import_table` imports those: the page's confirmation imports the preview's
rows, never parsing the workbook a second time.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import DatabaseError, DataError, IntegrityError, transaction
from django.utils.translation import gettext as _

from core.mobiles import normalize_mobile
from enterprises.importers import (
    HEADERS,
    EnterpriseBook,
    ImportFileError,
    ListRow,
    Table,
    clean_text,
    first_refused,
    list_rows,
    read_table,
)
from enterprises.models import Enterprise
from enterprises.uscc import normalize_uscc
from organisation import kept
from organisation.models import Cadre
from organisation.services import PairingBook


@dataclass(frozen=True)
class RowError:
    """A reason a list cannot be imported.

    `row` is the row number Excel shows, 0 for the whole file; `field` the column's field, if one;
    `code` a stable name programs and tests compare: Django's validation code where there is one
    (blank, unique, invalid, invalid_choice, uscc_check …), else the importer's own (duplicate_enterprise,
    cadre_twice, example_row, invalid_mobile, cadre_mobile_conflict, pairing_date_missing …, and
    ImportFileError's for a whole file); `message` is for the user.
    """

    row: int
    code: str
    message: str
    field: str = ""

    def __str__(self) -> str:
        if not self.row:
            return self.message
        return _("Row %(row)d: %(message)s") % {"row": self.row, "message": self.message}


@dataclass(frozen=True)
class RowWarning:
    """Something in a list to look at twice; it does not stop the import.

    `rows` are the row numbers Excel shows (both rows, when two rows look alike); `code` a stable name:
    cadre_namesake (one name, two titles, no mobile to tell whether it is one person),
    cadre_namesake_registered (a new cadre is registered though a cadre of that name exists).
    """

    rows: tuple[int, ...]
    code: str
    message: str
    field: str = ""

    def __str__(self) -> str:
        if len(self.rows) != 1:
            return self.message  # a warning about several rows names them itself
        return _("Row %(row)d: %(message)s") % {"row": self.rows[0], "message": self.message}


@dataclass
class ImportReport:
    """What an import did, or what a preview found it would do."""

    dry_run: bool
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowWarning] = field(default_factory=list)
    table: Table | None = field(default=None, repr=False)  # the rows read, when the file could be read

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def written(self) -> bool:
        return self.ok and not self.dry_run


def enterprise_import(*, data: bytes, dry_run: bool, filename: str = "") -> ImportReport:
    """Import a list (.xlsx or .csv bytes) all or nothing; with dry_run, report and write nothing."""
    try:
        table = read_table(data, filename=filename)
    except ImportFileError as exc:
        return ImportReport(dry_run=dry_run, errors=[RowError(0, exc.code, exc.message)])
    return enterprise_import_table(table=table, dry_run=dry_run)


def enterprise_import_table(*, table: Table, dry_run: bool) -> ImportReport:
    """Import a list already read (a preview's rows, kept for its confirmation) all or nothing.

    Set-based: the enterprises, cadres and pairings the list names are read in a few queries, every row
    is decided in memory in order, and a list without a refusal is written in batches; the query count
    grows with the batches only, not with the rows.
    """
    report = ImportReport(dry_run=dry_run, table=table)
    conflicts, warnings = _cross_row_checks(table)
    report.errors.extend(conflicts)
    report.warnings.extend(warnings)
    rows = list_rows(table)
    with transaction.atomic():
        enterprises = EnterpriseBook(rows)
        errors: list[RowError] = []
        accepted: list[tuple[ListRow, Enterprise, str]] = []
        for row in rows:
            try:
                enterprise, outcome = enterprises.apply(row)
            except ValidationError as exc:
                errors.extend(_row_errors(table.excel_row(row.number), exc))
                continue
            accepted.append((row, enterprise, outcome))
        report.new = sum(1 for _row, _e, outcome in accepted if outcome == "new")
        report.updated = sum(1 for _row, _e, outcome in accepted if outcome == "update")
        report.unchanged = sum(1 for _row, _e, outcome in accepted if outcome == "skip")
        pairings = PairingBook(
            plans=[row.plan for row, _e, _o in accepted if row.plan is not None], enterprises=enterprises.known
        )
        errors.extend(_apply_pairings(pairings, accepted, table, report))
        # A row that contradicts another fails again in the import for that reason; say it once.
        conflicting = {e.row for e in conflicts}
        report.errors.extend(e for e in errors if e.row not in conflicting)
        report.errors.sort(key=lambda e: e.row)
        report.warnings.sort(key=lambda w: w.rows)
        if not report.errors and not dry_run:
            try:
                with transaction.atomic():
                    enterprises.save()
                    pairings.save()
                    if report.new or report.updated:
                        # Written in bulk, no signal: the names, groups and pairings the kept figures read, once.
                        kept.touch_grouped()
            except (IntegrityError, DataError) as exc:
                report.errors.append(_database_refusal(enterprises, pairings, table, exc))
            except DatabaseError as exc:
                report.errors.append(RowError(0, "unexpected", _("Unexpected error: %(error)s") % {"error": exc}))
        if dry_run or report.errors:
            transaction.set_rollback(True)
    return report


def _database_refusal(enterprises: EnterpriseBook, pairings: PairingBook, table: Table, exc: DatabaseError) -> RowError:
    """Name the row whose write the database refused, replaying the bulk writes in savepoints to find it.

    The books decided every row against what they read, so a refusal here is a row someone else changed
    meanwhile (a name, a code, a mobile taken); the replay runs in the import's transaction, rolled back.
    """
    refused = first_refused([*enterprises.writes(), *pairings.writes()])
    if refused is None:
        return RowError(0, "unexpected", _("Unexpected error: %(error)s") % {"error": exc})
    written, error = refused
    number = enterprises.rows.get(id(written)) or pairings.rows[id(written)]
    message = _(
        "The database refused this row, so nothing was imported; it may have been changed by someone else "
        "meanwhile: import the list again. (%(error)s)"
    ) % {"error": error}
    return RowError(table.excel_row(number), "unexpected", message)


def _apply_pairings(
    book: PairingBook, accepted: list[tuple[ListRow, Enterprise, str]], table: Table, report: ImportReport
) -> list[RowError]:
    """Pair the cadres the valid rows name, in row order; a row whose pairing changes counts as updated."""
    created: set[int] = set()  # id() of the cadres this list registers: a namesake among them is the list's doing
    errors = []
    for list_row, enterprise, outcome_of_row in accepted:
        if list_row.plan is None:
            continue
        row = table.excel_row(list_row.number)
        try:
            outcome = book.pairing_apply(enterprise=enterprise, plan=list_row.plan, row=list_row.number)
        except ValidationError as exc:
            errors.extend(_row_errors(row, exc))
            continue
        if outcome.changed and outcome_of_row == "skip":
            report.unchanged -= 1
            report.updated += 1
        match = outcome.cadre
        if match is None or not match.created:
            continue
        created.add(id(match.cadre))
        namesakes = [c for c in match.namesakes if id(c) not in created]
        if namesakes:
            report.warnings.append(_namesake_registered(row, match.cadre, namesakes))
    return errors


def _namesake_registered(row: int, cadre: Cadre, namesakes: list[Cadre]) -> RowWarning:
    message = _(
        "A new cadre %(cadre)s is registered, though %(namesakes)s is registered already. "
        "If they are one person, give the mobile (%(column)s) in the list and on the registered cadre."
    ) % {"cadre": cadre, "namesakes": "、".join(str(c) for c in namesakes), "column": _column("cadre_mobile")}
    return RowWarning((row,), "cadre_namesake_registered", message, "cadre")


def _row_errors(row: int, refusal: ValidationError) -> list[RowError]:
    """One RowError per message of a row's ValidationError, each naming its column and keeping its code."""
    by_field = refusal.error_dict if hasattr(refusal, "error_dict") else {NON_FIELD_ERRORS: refusal.error_list}
    errors = []
    for name, field_errors in by_field.items():
        field_name = "" if name == NON_FIELD_ERRORS else name
        column = _column(field_name)
        for error in field_errors:
            message = " ".join(str(part) for part in error)  # the message with its parameters filled in
            code = error.code or "invalid"
            errors.append(RowError(row, code, f"{column}：{message}" if column else message, field_name))
    return errors


def _column(field_name: str) -> str:
    if field_name in HEADERS:
        return HEADERS[field_name][0]
    return ""


@dataclass(frozen=True)
class _CadreRow:
    row: int
    title: str
    mobile: str


def _cross_row_checks(table: Table) -> tuple[list[RowError], list[RowWarning]]:
    """Refuse rows that contradict each other (one enterprise twice, one cadre paired twice); warn of namesakes."""
    errors = []
    warnings = []
    seen: dict[tuple[str, str], int] = {}
    cadres: dict[str, list[_CadreRow]] = defaultdict(list)
    mobiles: dict[str, int] = {}
    for index, values in enumerate(table.dataset.dict, start=1):
        row = table.excel_row(index)
        for key, value in (("uscc", normalize_uscc(values["uscc"])), ("name", clean_text(values["name"]))):
            if not value:
                continue
            first = seen.setdefault((key, value), row)
            if first != row:
                errors.append(
                    RowError(
                        row,
                        "duplicate_enterprise",
                        _("Rows %(first)d and %(row)d are the same enterprise (%(column)s “%(value)s”).")
                        % {"first": first, "row": row, "column": _column(key), "value": value},
                        key,
                    )
                )
        name = clean_text(values["cadre"])
        if not name:
            continue
        this = _CadreRow(row, clean_text(values["cadre_title"]), normalize_mobile(clean_text(values["cadre_mobile"])))
        error, warning = _same_cadre(name, this, cadres[name], mobiles)
        if error is not None:
            errors.append(error)
        elif warning is not None:
            warnings.append(warning)
        cadres[name].append(this)
        if this.mobile:
            mobiles.setdefault(this.mobile, row)
    return errors, warnings


def _same_cadre(
    name: str, this: _CadreRow, earlier: list[_CadreRow], mobiles: dict[str, int]
) -> tuple[RowError | None, RowWarning | None]:
    """Compare a row's cadre with the earlier rows': the same cadre twice is an error, a namesake a warning."""
    if this.mobile in mobiles:
        message = _(
            "Rows %(first)d and %(row)d both pair the cadre with the mobile %(mobile)s: "
            "each cadre is paired with one enterprise only."
        ) % {"first": mobiles[this.mobile], "row": this.row, "mobile": this.mobile}
        return RowError(this.row, "cadre_twice", message, "cadre_mobile"), None
    namesake = None
    for other in earlier:
        if this.mobile and other.mobile:
            continue  # two mobiles: two people who share a name
        # Two different titles may be two people of the same name; a blank title could be either.
        if not this.title or not other.title or this.title == other.title:
            message = _(
                "Rows %(first)d and %(row)d both pair the cadre %(name)s: "
                "each cadre is paired with one enterprise only."
            ) % {"first": other.row, "row": this.row, "name": name}
            return RowError(this.row, "cadre_twice", message, "cadre"), None
        namesake = namesake or other
    if namesake is None:
        return None, None
    message = _(
        "Rows %(first)d and %(row)d both name a cadre %(name)s, with the titles %(first_title)s and %(title)s: "
        "they are imported as two people. If they are one person, correct the title; "
        "to tell namesakes apart for sure, give each cadre's mobile (%(column)s)."
    ) % {
        "first": namesake.row,
        "row": this.row,
        "name": name,
        "first_title": namesake.title,
        "title": this.title,
        "column": _column("cadre_mobile"),
    }
    return None, RowWarning((namesake.row, this.row), "cadre_namesake", message, "cadre")
