"""The campaign office's import of enterprise lists, and the pairings a list asks for.

`enterprise_import` is the one entry point, used by the import page and by
`manage.py import_enterprises`. A preview and a real import run the very same
code inside one transaction; the preview (and any import with a bad row) is
rolled back at the end, so the preview cannot promise what the import would not do.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth.models import Group, User
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from bangqiao_portal.roles import Role
from cadres.models import Cadre, Pairing
from enterprises.importers import HEADERS, EnterpriseResource, ImportFileError, Table, clean_text, read_table
from enterprises.models import Enterprise
from enterprises.uscc import normalize_uscc

CADRE_USERNAME_PREFIX = "cadre-"


@dataclass(frozen=True)
class RowError:
    """A reason a list cannot be imported; `row` is the row number Excel shows, 0 for the whole file."""

    row: int
    message: str

    def __str__(self) -> str:
        if not self.row:
            return self.message
        return _("Row %(row)d: %(message)s") % {"row": self.row, "message": self.message}


@dataclass
class ImportReport:
    """What an import did, or what a preview found it would do."""

    dry_run: bool
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def written(self) -> bool:
        return self.ok and not self.dry_run

    @property
    def rows(self) -> int:
        return self.new + self.updated + self.unchanged


def enterprise_import(*, data: bytes, dry_run: bool, filename: str = "") -> ImportReport:
    """Import a list (.xlsx or .csv bytes) all or nothing; with dry_run, report and write nothing."""
    report = ImportReport(dry_run=dry_run)
    try:
        table = read_table(data, filename=filename)
    except ImportFileError as exc:
        report.errors.append(RowError(0, str(exc)))
        return report
    conflicts = _cross_row_errors(table)
    report.errors.extend(conflicts)
    with transaction.atomic():
        # dry_run=False on purpose: the preview runs the real import, then rolls it back.
        result = EnterpriseResource().import_data(
            table.dataset, dry_run=False, use_transactions=True, rollback_on_validation_errors=True
        )
        # A row that contradicts another fails again in the import for that reason; say it once.
        conflicting = {e.row for e in conflicts}
        report.errors.extend(e for e in _result_errors(result, table) if e.row not in conflicting)
        report.errors.sort(key=lambda e: e.row)
        report.new = result.totals["new"]
        report.updated = result.totals["update"]
        report.unchanged = result.totals["skip"]
        if dry_run or report.errors:
            transaction.set_rollback(True)
    return report


def _column(field_name: str) -> str:
    if field_name in HEADERS:
        return HEADERS[field_name][0]
    return ""


def _result_errors(result, table: Table) -> list[RowError]:
    errors = [RowError(0, _("The list could not be read: %(error)s") % {"error": e.error}) for e in result.base_errors]
    for invalid in result.invalid_rows:
        row = table.excel_row(invalid.number)
        for name, messages in invalid.error_dict.items():
            column = "" if name == NON_FIELD_ERRORS else _column(name)
            for message in messages:
                errors.append(RowError(row, f"{column}：{message}" if column else message))
    for error_row in result.error_rows:
        row = table.excel_row(error_row.number)
        for error in error_row.errors:
            errors.append(RowError(row, _("Unexpected error: %(error)s") % {"error": error.error}))
    return errors


def _cross_row_errors(table: Table) -> list[RowError]:
    """Refuse rows that contradict each other: one enterprise twice, one cadre paired twice."""
    errors = []
    seen: dict[tuple[str, str], int] = {}
    cadres: dict[str, list[tuple[str, int]]] = defaultdict(list)
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
                        _("Rows %(first)d and %(row)d are the same enterprise (%(column)s “%(value)s”).")
                        % {"first": first, "row": row, "column": _column(key), "value": value},
                    )
                )
        name, title = clean_text(values["cadre"]), clean_text(values["cadre_title"])
        if not name:
            continue
        for other_title, other_row in cadres[name]:
            # Two different titles mean two people of the same name; a blank title could be either.
            if not title or not other_title or title == other_title:
                errors.append(
                    RowError(
                        row,
                        _(
                            "Rows %(first)d and %(row)d both pair the cadre %(name)s: "
                            "each cadre is paired with one enterprise only."
                        )
                        % {"first": other_row, "row": row, "name": name},
                    )
                )
                break
        cadres[name].append((title, row))
    return errors


def cadre_find_or_create(*, name: str, title: str) -> Cadre:
    """Return the cadre of that name (and title, when given), creating an account when there is none."""
    candidates = list(Cadre.objects.filter(name=name).order_by("pk"))
    same = [c for c in candidates if c.title == title] if title else candidates
    if len(same) == 1:
        return same[0]
    if len(same) > 1:
        titles = "、".join(c.title or "—" for c in same)
        raise ValidationError(
            {
                "cadre_title": _("Several cadres are called %(name)s (%(titles)s): give the title to tell them apart.")
                % {"name": name, "titles": titles}
            }
        )
    return cadre_create(name=name, title=title)


def cadre_create(*, name: str, title: str) -> Cadre:
    """Create a cadre with an account the office gives a password later (none is usable yet)."""
    user = User(username=_next_cadre_username(), first_name=name)
    user.set_unusable_password()
    user.save()
    user.groups.add(Group.objects.get_or_create(name=Role.CADRE)[0])
    return Cadre.objects.create(user=user, name=name, title=title)


def _next_cadre_username() -> str:
    # cadre-0001, cadre-0002, …: deterministic for a given database, and free of pinyin guesses.
    taken = User.objects.filter(username__startswith=CADRE_USERNAME_PREFIX).values_list("username", flat=True)
    numbers = [
        int(u.removeprefix(CADRE_USERNAME_PREFIX)) for u in taken if u.removeprefix(CADRE_USERNAME_PREFIX).isdigit()
    ]
    return f"{CADRE_USERNAME_PREFIX}{max(numbers, default=0) + 1:04d}"


def pairing_apply(*, enterprise: Enterprise, name: str, title: str, started_on: datetime.date | None) -> Pairing:
    """Pair the named cadre with the enterprise, ending either side's other active pairing (history kept)."""
    active = Pairing.objects.active().filter(enterprise=enterprise).select_related("cadre").first()
    if (
        active is not None
        and active.cadre.name == name
        and (not title or active.cadre.title == title)
        and (started_on is None or active.started_on == started_on)
    ):
        return active
    cadre = cadre_find_or_create(name=name, title=title)
    if active is not None and active.cadre_id == cadre.pk:
        # Same cadre, another date: the list corrects when the pairing began.
        active.started_on = started_on
        active.save(update_fields=["started_on"])
        return active
    if started_on is None:
        raise ValidationError({"paired_on": _("A pairing date is needed to pair %(name)s.") % {"name": name}})
    ended_on = started_on - datetime.timedelta(days=1)
    for old in (
        Pairing.objects.active().filter(Q(enterprise=enterprise) | Q(cadre=cadre)).select_related("cadre", "enterprise")
    ):
        if ended_on < old.started_on:
            raise ValidationError(
                {
                    "paired_on": _(
                        "The pairing date %(date)s is not after the start (%(start)s) of the pairing it replaces "
                        "(%(old)s)."
                    )
                    % {"date": started_on, "start": old.started_on, "old": old}
                }
            )
        old.ended_on = ended_on
        old.save(update_fields=["ended_on"])
    return Pairing.objects.create(cadre=cadre, enterprise=enterprise, started_on=started_on)
