"""Day one, as a new user does it: the office's clerk gives a street office its staff account in the
administration pages, and that account accepts the problem assigned to the street office.

The database is a fresh install's: the roles and the office's permissions come from core's own
migrations, run again here (`fresh_install`), so nothing is granted by hand. The clerk is made as
the demo makes `bangongshi`: admin access and the campaign-office role, not a superuser.
"""

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command

from core.roles import Role
from demo.seed import DEMO_PASSWORD
from issues.models import Status
from organisation.models import Department, DepartmentStaff
from tests.browser.conftest import PHONE, log_in
from tests.factories import DepartmentFactory, UserFactory, category, issue_in

pytestmark = pytest.mark.django_db(transaction=True)

TABLET = {"width": 820, "height": 1180}
STREET = "纺织城街道办事处"


@pytest.fixture
def fresh_install(transactional_db):
    """The roles and the office's permissions as `migrate` leaves them on a new server.

    A transactional test starts from a flushed database: the tables and the migration history
    stay, what the data migrations wrote does not. So core's migrations are unapplied and applied
    again, for real. (serialized_rollback cannot restore it here: Playwright's event loop gives
    the test another database connection than the one the contents were serialized on.)
    """
    call_command("migrate", "core", "zero", verbosity=0)
    call_command("migrate", verbosity=0)


@pytest.fixture(params=["tablet", "phone"])
def device(request, browser):
    size = PHONE if request.param == "phone" else TABLET
    context = browser.new_context(viewport=size, locale="zh-CN", is_mobile=True, has_touch=True)
    page = context.new_page()
    page.device = request.param
    yield page
    context.close()


def _shot(page, name: str) -> None:
    page.screenshot(path=f"test-results/admin-{name}-{page.device}.png", full_page=True)


def test_the_clerk_gives_a_street_office_a_staff_account_that_accepts_its_problem(fresh_install, device, live_server):
    page, url = device, live_server.url
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(f"{msg.text} {msg.location['url']}") if msg.type == "error" else None)
    # The office's permissions are the migration's; day one adds the clerk, a street office
    # without staff and a problem waiting to be routed.
    assert Permission.objects.filter(group__name=Role.CAMPAIGN_OFFICE, codename="add_departmentstaff").exists()
    clerk = UserFactory(username="bangongshi", first_name="办公室文员", is_staff=True, roles=[Role.CAMPAIGN_OFFICE])
    clerk.set_password(DEMO_PASSWORD)
    clerk.save()
    street = DepartmentFactory(name=STREET, kind=Department.Kind.STREET)
    issue = issue_in(Status.REPORTED, title="厂区门前道路破损", category=category("utilities"))

    # The problem page says why the street office is not offered yet.
    log_in(page, url, "bangongshi", DEMO_PASSWORD)
    page.get_by_role("heading", name="活动办公室", exact=True).wait_for()
    page.goto(f"{url}/issues/{issue.pk}/")
    assert STREET in page.locator("#act-assign .units-awaiting-staff").inner_text()
    assert page.locator(f"#id_assign-department option:has-text('{STREET}')").count() == 0

    # The administration pages: add the street office's staff member, with a new login.
    page.goto(f"{url}/")
    page.get_by_role("link", name="管理企业、干部、结对和账号").click()  # the office's panel on the home page
    page.wait_for_url("**/admin/")
    _shot(page, "index")
    page.locator('a[href="/admin/organisation/departmentstaff/add/"]').first.click()
    page.locator("#id_department").select_option(label=STREET)
    page.locator("#id_name").fill("周敏")
    page.locator("#id_phone").fill("13800000000")
    page.locator("#id_username").fill("jiedao-fangzhicheng")
    page.locator("#id_password1").fill("Jiedao-banshi-2026")
    page.locator("#id_password2").fill("Jiedao-banshi-2026")
    _shot(page, "staff-add")
    page.locator('input[name="_save"]').click()
    page.wait_for_url("**/admin/organisation/departmentstaff/")
    _shot(page, "staff-list")
    staff = DepartmentStaff.objects.get(department=street)
    assert staff.user.username == "jiedao-fangzhicheng" and not staff.user.is_staff

    # Now the street office is offered: the clerk assigns the problem to it.
    page.goto(f"{url}/issues/{issue.pk}/")
    note = page.locator("#act-assign .units-awaiting-staff")
    assert note.count() == 0 or STREET not in note.inner_text()  # the cadre's own unit may still wait
    page.locator("#id_assign-department").select_option(label=STREET)
    page.locator("#id_assign-responsible_person").fill("周敏")
    page.locator("#act-assign").get_by_role("button", name="交办").click()
    page.get_by_text("已完成：交办").wait_for()

    # The new account logs in and accepts it.
    page.context.clear_cookies()
    log_in(page, url, "jiedao-fangzhicheng", "Jiedao-banshi-2026")
    page.get_by_role("link", name="打开本单位待办").click()
    page.get_by_role("link", name="厂区门前道路破损").click()
    page.get_by_role("button", name="接收").click()
    page.get_by_text("已完成：接收").wait_for()
    issue.refresh_from_db()
    assert issue.status == Status.IN_PROGRESS and issue.department == street
    assert issue.events.last().actor == staff.user
    assert errors == [], errors
