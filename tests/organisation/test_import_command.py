import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from enterprises.models import Enterprise
from tests.organisation.helpers import FIXTURES

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
    with pytest.raises(CommandError, match="7 处问题"):
        call_command("import_enterprises", str(FIXTURES / "bad_values.xlsx"))
    lines = capsys.readouterr().err.splitlines()
    assert [line.split("：")[0] for line in lines] == [f"第 {n} 行" for n in range(3, 10)]
    assert Enterprise.objects.count() == 0


def test_a_missing_file_is_an_error():
    with pytest.raises(CommandError, match="无法读取"):
        call_command("import_enterprises", str(FIXTURES / "no-such-file.xlsx"))


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
    assert "第 4 行" in bad.stderr
    good = subprocess.run(
        [*manage, "import_enterprises", str(FIXTURES / "title_row.xlsx"), "--dry-run"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert good.returncode == 0, good.stderr
