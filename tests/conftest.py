"""Personas and the rules for tests that need PostgreSQL, Redis or a browser.

Personas, after healthchecks' Alice and Bob: `cadre` (paired with `enterprise`),
`other_cadre` (paired with `other_enterprise`), `staff` and `other_staff` (two
departments), `leader` (leading group), `office` (campaign office), `clerk` (the
campaign office with access to the administration pages, not a superuser), `superuser`
and `nobody` (an account with no role). `successor` took over `former_enterprise`,
which `cadre` served before.

Problems go through the real services: `report` reports one for `cadre`'s enterprise and
routes it, `assignment` is a route to `department` with a roadmap, `move` makes a move.

`demo_district` is the demo district (demo/seed.py), seeded once per session for the
tests that only read it (see tests/shared_district.py); those tests run first.
"""

import datetime
import os

import pytest
from django.db import connection
from django.utils import timezone, translation

from core.roles import Role
from issues.models import Action, Issue
from issues.payloads import AssignPayload, MovePayload, RoutePayload
from issues.services import issue_report, issue_transition
from tests import factories
from tests.shared_district import DemoDistrict, SharedDistrict, is_transactional, uses_district

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@pytest.fixture(autouse=True)
def _test_settings(settings):
    # PBKDF2 at full strength would dominate the suite's run time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # No warm-up queued after each change (core/kept.py): the tests that test it turn it on.
    settings.KEPT_WARM = False
    # Tests render templates without running collectstatic first.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    yield
    # A request with the English cookie activates English in this thread (core/middleware.py);
    # the next test starts in the default language again, whichever test ran before it.
    translation.deactivate()


@pytest.fixture(autouse=True)
def _empty_calendar_table():
    """Each test starts with the calendar table empty (core/workdays.py), as its database does.

    What one test read of the table (or a row it made, rolled back without a signal) must not leak into the
    next, and a page's pinned query count must not depend on which test read the table first: the table is
    taken as empty until a test saves a row, which forgets its year (tests/core/test_workdays.py reads it).
    """
    from core import workdays

    workdays.forget()
    workdays.remember_empty(range(2000, 2041))
    yield
    workdays.forget()


@pytest.fixture(autouse=True)
def queued(request, monkeypatch):
    """Record the delivery tasks queued after a commit (a scan, a move's hand-over) instead of publishing them.

    Tests that talk to a real broker say so with a module-level REAL_BROKER = True.
    """
    from notifications import tasks

    recorded: list[int] = []
    if getattr(request.module, "REAL_BROKER", False):
        return recorded
    monkeypatch.setattr(tasks.deliver, "apply_async", lambda args, **options: recorded.append(*args))
    return recorded


SHARED_DISTRICT = pytest.StashKey[SharedDistrict]()


@pytest.hookimpl(trylast=True)  # after pytest-django has put the transactional tests last
def pytest_collection_modifyitems(items):
    misused = [item.nodeid for item in items if uses_district(item) and is_transactional(item)]
    if misused:
        raise pytest.UsageError(
            "demo_district is rolled back, never committed: a transactional or browser test cannot use it: "
            + ", ".join(misused)
        )
    # The tests on the shared district first and together: it is rolled back after the last of them.
    items.sort(key=lambda item: not uses_district(item))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    try:
        return (yield)
    finally:
        # After the test's own savepoint is rolled back: the next test must not see the district.
        shared = item.config.stash.get(SHARED_DISTRICT, None)
        if shared is not None and uses_district(item) and not (nextitem is not None and uses_district(nextitem)):
            shared.close()


@pytest.fixture(scope="session")
def _shared_district(request, django_db_setup, django_db_blocker):
    # Session-scoped, so pytest sets it up before any test's own transaction (`db`) begins.
    shared = SharedDistrict(django_db_blocker)
    request.config.stash[SHARED_DISTRICT] = shared
    shared.open()
    yield shared
    shared.close()


@pytest.fixture
def demo_district(_shared_district, db) -> DemoDistrict:
    """The demo district, seeded once per session for tests that read it; what a test writes is rolled back."""
    if not _shared_district.is_open:
        pytest.fail(
            "The shared demo district was rolled back already: its tests must run together (conftest sorts them)."
        )
    return _shared_district.district


def _missing(item) -> str | None:
    """Return why the service a test needs is absent, or None when it is here."""
    if item.get_closest_marker("postgres") and connection.vendor != "postgresql":
        return "needs PostgreSQL: set DATABASE_URL=postgres://…"
    if item.get_closest_marker("redis"):
        from tests.services import redis_url

        if redis_url() is None:
            return "needs Redis: set REDIS_URL=redis://…"
    if item.get_closest_marker("browser"):
        from tests.services import chromium_path

        if chromium_path() is None:
            return "needs Chromium (apt-get install chromium)"
    if item.get_closest_marker("axe"):
        from tests.services import axe_missing

        if reason := axe_missing():
            return reason
    if item.get_closest_marker("vnu"):
        from tests.services import vnu_missing

        if reason := vnu_missing():
            return reason
    if item.get_closest_marker("pg_cluster"):
        from tests.services import postgres_bindir

        if postgres_bindir() is None:
            return "needs PostgreSQL's server programs, initdb and pg_ctl (apt-get install postgresql)"
    return None


def pytest_runtest_setup(item):
    reason = _missing(item)
    if reason is None:
        return
    if IN_CI:
        # Under CI these tests must run: a skipped test would hide a broken set-up.
        pytest.fail(f"CI=true but the test {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture
def enterprise(db):
    return factories.EnterpriseFactory(name="西安灞河精密机械有限公司")


@pytest.fixture
def enterprise_link(enterprise):
    """The enterprise's own link (企业码), issued through the real service."""
    from enterprises.links import link_issue

    return link_issue(enterprise=enterprise, actor=None)


@pytest.fixture
def other_enterprise(db):
    return factories.EnterpriseFactory(name="西安浐灞文化传媒有限公司", origin="district", sector="culture")


@pytest.fixture
def cadre(enterprise):
    c = factories.CadreFactory(name="王建国", user__username="alice", user__first_name="王建国")
    factories.PairingFactory(cadre=c, enterprise=enterprise)
    return c


@pytest.fixture
def other_cadre(other_enterprise):
    c = factories.CadreFactory(name="李志强", user__username="bob", user__first_name="李志强")
    factories.PairingFactory(cadre=c, enterprise=other_enterprise)
    return c


@pytest.fixture
def department(db):
    return factories.DepartmentFactory(name="区行政审批服务局")


@pytest.fixture
def other_department(db):
    return factories.DepartmentFactory(name="区住房和城乡建设局")


@pytest.fixture
def staff(department):
    return factories.DepartmentStaffFactory(
        department=department, name="张晓明", user__username="charlie", user__first_name="张晓明"
    )


@pytest.fixture
def other_staff(other_department):
    return factories.DepartmentStaffFactory(
        department=other_department, name="赵丽华", user__username="dave", user__first_name="赵丽华"
    )


@pytest.fixture
def leader(db):
    return factories.UserFactory(username="erin", first_name="刘海涛", roles=[Role.LEADING_GROUP])


@pytest.fixture
def office(db):
    return factories.UserFactory(username="frank", first_name="活动办公室", roles=[Role.CAMPAIGN_OFFICE])


@pytest.fixture
def clerk(db):
    """The campaign office's clerk, like the demo's `bangongshi`: admin access, not a superuser.

    The office group's permissions come from the migration, as on a fresh install: none are granted here.
    """
    return factories.UserFactory(username="judy", first_name="办公室文员", is_staff=True, roles=[Role.CAMPAIGN_OFFICE])


@pytest.fixture
def superuser(db):
    return factories.UserFactory(username="grace", first_name="系统管理员", is_staff=True, is_superuser=True)


@pytest.fixture
def nobody(db):
    """An account that holds no role: it may log in and see nothing."""
    return factories.UserFactory(username="heidi", first_name="无角色用户")


@pytest.fixture
def former_enterprise(cadre):
    """An enterprise `cadre` served from March to 16 June 2026, before being paired with `enterprise`."""
    former = factories.EnterpriseFactory(name="西安灞桥纺织印染有限公司", sector="commerce")
    factories.PairingFactory(
        cadre=cadre,
        enterprise=former,
        started_on=datetime.date(2026, 3, 1),
        ended_on=datetime.date(2026, 6, 16),
    )
    return former


@pytest.fixture
def successor(former_enterprise):
    """The cadre who serves `former_enterprise` since `cadre` left it."""
    c = factories.CadreFactory(name="陈思远", user__username="ivan", user__first_name="陈思远")
    factories.PairingFactory(cadre=c, enterprise=former_enterprise, started_on=datetime.date(2026, 6, 17))
    return c


@pytest.fixture
def everyone(cadre, other_cadre, successor, staff, other_staff, leader, office, superuser, nobody):
    """Every persona's account by name, and an anonymous visitor: for tests of who sees which rows."""
    from django.contrib.auth.models import AnonymousUser

    return {
        "cadre": cadre.user,
        "other_cadre": other_cadre.user,
        "successor": successor.user,
        "staff": staff.user,
        "other_staff": other_staff.user,
        "leader": leader,
        "office": office,
        "superuser": superuser,
        "nobody": nobody,
        "anonymous": AnonymousUser(),
    }


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def assignment(department, staff, today):
    """An assignment to `department`, which can receive it: `staff` works there."""
    return AssignPayload(
        department=department,
        responsible_person="张晓明",
        deadline=today + datetime.timedelta(days=15),
        milestones=(
            ("核实材料", today + datetime.timedelta(days=5)),
            ("办结答复", today + datetime.timedelta(days=14)),
        ),
    )


@pytest.fixture
def report(cadre, enterprise):
    """Report a problem for the cadre's enterprise, routed as the route's record says."""

    def _report(route: RoutePayload, **kwargs) -> Issue:
        kwargs.setdefault("title", "施工许可证办理进度缓慢")
        kwargs.setdefault("category", factories.category("approvals"))
        return issue_report(actor=cadre.user, enterprise=enterprise, route=route, **kwargs)

    return _report


@pytest.fixture
def move():
    """Make a move as the given user on the problem's current version."""

    def _move(issue: Issue, user, action: Action, payload: MovePayload) -> Issue:
        issue.refresh_from_db()
        return issue_transition(issue_id=issue.pk, actor=user, action=action, version=issue.version, payload=payload)

    return _move
