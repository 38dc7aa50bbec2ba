"""`manage.py demo_logins` (what `make run` prints) lists exactly the accounts the demo district has."""

import io
import re

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.utils import translation

from core.roles import Role
from demo.seed import DEMO_LOGINS, DEMO_PASSWORD, DemoLogin

pytestmark = pytest.mark.django_db
# "  Cadre: ganbu001 … ganbu139" or "  Campaign office: bangongshi (note)", in either language's colon.
LINE = re.compile(r"^  (?P<role>[^:：]+)[:：] ?(?P<first>[a-z]+\d*)(?: … (?P<last>[a-z]+\d*))?")


def _printed(language: str) -> list[str]:
    out = io.StringIO()
    with translation.override(language):
        call_command("demo_logins", stdout=out)
    return out.getvalue().splitlines()


def test_the_printed_logins_are_every_account_of_the_demo_district_and_no_other(demo_district):
    lines = _printed("en")
    assert DEMO_PASSWORD in lines[0]
    printed = set()
    for line in lines[1:]:
        found = LINE.match(line)
        assert found, line
        printed.update(DemoLogin("", found["first"], found["last"] or found["first"]).usernames())
    assert printed == set(User.objects.values_list("username", flat=True))
    assert "bangongshi" in printed and "admin" in printed and "jiedao09" in printed


def test_each_line_names_the_role_its_logins_hold(demo_district):
    lines = _printed("en")[1:]
    assert len(lines) == len(DEMO_LOGINS)
    for line, login in zip(lines, DEMO_LOGINS, strict=True):
        with translation.override("en"):
            assert line.startswith(f"  {Role(login.role).label}: {login.first}")
    assert lines[-1] == (
        "  Campaign office: bangongshi (the office's clerk: the administration pages, within the portal's roles)"
    )


def test_the_list_is_said_in_the_campaigns_language_by_default(demo_district):
    out = io.StringIO()
    call_command("demo_logins", stdout=out)
    assert "  助企干部" in out.getvalue() and "Cadre" not in out.getvalue()


def test_a_range_of_logins_expands_to_each_one():
    assert DemoLogin(Role.LEADING_GROUP, "lingdao01", "lingdao03").usernames() == [
        "lingdao01",
        "lingdao02",
        "lingdao03",
    ]
    assert DemoLogin(Role.CAMPAIGN_OFFICE, "admin", "admin").usernames() == ["admin"]
