"""What only the database refuses at the confirmation names its row, and nothing is written (issue 16)."""

import pytest
from django.contrib.auth import get_user_model
from django.utils.translation import gettext

from enterprises.models import Enterprise
from organisation import imports
from organisation.imports import enterprise_import
from organisation.models import Cadre, Pairing
from organisation.services import PairingBook
from tests import factories
from tests.organisation.helpers import xlsx_bytes
from tests.organisation.test_import_scale import HEADER, _row

pytestmark = pytest.mark.django_db


def _written() -> tuple[int, ...]:
    return (
        Enterprise.objects.count(),
        Enterprise.history.count(),
        Cadre.objects.count(),
        Cadre.history.count(),
        Pairing.objects.count(),
        get_user_model().objects.count(),
    )


def _meanwhile(monkeypatch, book, change) -> None:
    """Make `change` happen once `book` has read what the list names: someone else's write, in between."""

    class Raced(book):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            change()

    monkeypatch.setattr(imports, book.__name__, Raced)


def test_an_enterprise_name_taken_meanwhile_fails_the_import_naming_its_row_and_writes_nothing(monkeypatch):
    rows = [_row(n) for n in range(1, 41)]
    before = _written()
    # The 30th enterprise's name is registered by someone else after the list was read.
    _meanwhile(monkeypatch, imports.EnterpriseBook, lambda: factories.EnterpriseFactory(name=rows[29][0]))
    report = enterprise_import(data=xlsx_bytes([HEADER, *rows]), dry_run=False)
    [error] = report.errors
    assert (error.row, error.code) == (31, "unexpected")  # the headers are Excel's row 1
    assert str(error).startswith(gettext("Row %(row)d: %(message)s") % {"row": 31, "message": ""})
    assert _written() == before  # the 29 rows before it, replayed to find it, are rolled back too


def test_an_enterprise_update_the_database_refuses_names_its_row(monkeypatch):
    factories.EnterpriseFactory(name="西安旧名有限公司", uscc=_row(2)[1])
    rows = [_row(1), _row(2), _row(3)]  # row 2 renames the registered enterprise (found by its code)
    before = (_written(), Enterprise.objects.get().name)
    _meanwhile(monkeypatch, imports.EnterpriseBook, lambda: factories.EnterpriseFactory(name=rows[1][0]))
    report = enterprise_import(data=xlsx_bytes([HEADER, *rows]), dry_run=False)
    assert [(e.row, e.code) for e in report.errors] == [(3, "unexpected")]
    assert (_written(), Enterprise.objects.get().name) == before


def test_a_cadre_mobile_taken_meanwhile_fails_the_import_naming_its_row_and_writes_nothing(monkeypatch):
    rows = [_row(n) for n in range(1, 6)]
    before = _written()
    _meanwhile(monkeypatch, PairingBook, lambda: factories.CadreFactory(mobile=rows[3][8]))
    report = enterprise_import(data=xlsx_bytes([HEADER, *rows]), dry_run=False)
    assert [(e.row, e.code) for e in report.errors] == [(5, "unexpected")]
    assert _written() == before


def test_a_cadre_name_or_title_longer_than_its_column_is_refused_as_the_rows_error_not_the_databases():
    # PostgreSQL used to refuse these only when writing ("value too long"), failing the import unnamed.
    long_name, long_title = _row(2), _row(3)
    long_name[6] = "王" * 51
    long_title[7] = "局" * 101
    before = _written()
    report = enterprise_import(data=xlsx_bytes([HEADER, _row(1), long_name, long_title]), dry_run=False)
    assert [(e.row, e.field, e.code) for e in report.errors] == [
        (3, "cadre", "max_length"),
        (4, "cadre_title", "max_length"),
    ]
    assert _written() == before
