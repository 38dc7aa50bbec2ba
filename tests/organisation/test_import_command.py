import errno
import os
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils.translation import gettext

from enterprises.models import Enterprise
from organisation.imports import enterprise_import
from tests.organisation.helpers import FIXTURES, fixture

pytestmark = pytest.mark.django_db


def test_it_imports_a_valid_list_and_exits_zero(capsys):
    call_command("import_enterprises", str(FIXTURES / "title_row.xlsx"))
    assert "新增 3 条" in capsys.readouterr().out
    assert Enterprise.objects.count() == 3


def test_a_dry_run_writes_nothing(capsys):
    call_command("import_enterprises", str(FIXTURES / "district_gbk.csv"), "--dry-run")
    out = capsys.readouterr().out
    assert "试运行" in out and "新增 2 条" in out
    assert Enterprise.objects.count() == 0


def test_an_invalid_list_exits_non_zero_writes_nothing_and_names_each_bad_row(capsys):
    # What the command should print: each error of the same import, as the user reads it.
    report = enterprise_import(data=fixture("bad_values.xlsx"), dry_run=True)
    assert [e.row for e in report.errors] == [3, 4, 5, 6, 7, 8, 9]
    problems = gettext("%(count)d problem(s) found; nothing was written.") % {"count": 7}
    with pytest.raises(CommandError, match=re.escape(problems)):
        call_command("import_enterprises", str(FIXTURES / "bad_values.xlsx"))
    assert capsys.readouterr().err.splitlines() == [str(error) for error in report.errors]
    assert Enterprise.objects.count() == 0


def test_it_prints_each_warning_and_still_imports(capsys):
    report = enterprise_import(data=fixture("namesakes.xlsx"), dry_run=True)
    call_command("import_enterprises", str(FIXTURES / "namesakes.xlsx"))
    out = capsys.readouterr().out
    [warning] = report.warnings
    assert gettext("Please check: %(warning)s") % {"warning": warning} in out
    assert Enterprise.objects.count() == 3


def test_a_missing_file_is_an_error():
    path = FIXTURES / "no-such-file.xlsx"
    cannot = gettext("Cannot read %(file)s: %(error)s") % {"file": path, "error": os.strerror(errno.ENOENT)}
    with pytest.raises(CommandError, match=re.escape(cannot)):
        call_command("import_enterprises", str(path))


@pytest.mark.slow  # migrates a fresh database in a subprocess: about 3 seconds
def test_the_exit_status_is_one_for_an_invalid_list(tmp_path):
    # The contract as a shell sees it: run the real command in a subprocess.
    import os
    import subprocess
    import sys

    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    env.pop("DEBUG", None)
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True)
    bad = subprocess.run(
        [*manage, "import_enterprises", str(FIXTURES / "cadre_twice.xlsx")], env=env, capture_output=True, text=True
    )
    assert bad.returncode == 1
    # The refusal this process finds too (both databases are empty): row 4 pairs a cadre twice.
    report = enterprise_import(data=fixture("cadre_twice.xlsx"), dry_run=True)
    assert [(e.row, e.code) for e in report.errors] == [(4, "cadre_twice")]
    assert bad.stderr.splitlines()[0] == str(report.errors[0])
    good = subprocess.run(
        [*manage, "import_enterprises", str(FIXTURES / "title_row.xlsx"), "--dry-run"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert good.returncode == 0, good.stderr
