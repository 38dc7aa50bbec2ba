"""With the keyboard alone (Tab, the arrow keys, Space, Enter and typing; no click), a cadre logs a visit with a
problem, and the department accepts a problem from its inbox and replies."""

import pytest
from playwright.sync_api import expect

from issues.forms import ResolveForm
from issues.models import Action, Status
from tests.browser.journeys.conftest import PASSWORD, choose_by_keys, select_by_keys, tab_to
from tests.factories import category
from visits.forms import ProblemForm, VisitForm
from visits.models import Visit

pytestmark = pytest.mark.django_db(transaction=True)


def log_in_by_keys(walk, username: str) -> None:
    walk.page.goto(f"{walk.base_url}/")
    username_field, password_field = walk.login_fields()
    tab_to(walk.page, username_field)
    walk.page.keyboard.type(username)
    tab_to(walk.page, password_field)
    walk.page.keyboard.type(PASSWORD)
    walk.page.keyboard.press("Enter")
    walk.page.wait_for_url(f"{walk.base_url}/")


def follow_by_keys(walk, link) -> None:
    tab_to(walk.page, link)
    walk.page.keyboard.press("Enter")


def test_a_cadre_logs_a_visit_with_a_problem_by_keyboard(at_a_desk, cadre, enterprise, staff, department):
    utilities = category("utilities")  # transactional tests flush what the migrations loaded
    walk, page, keys = at_a_desk, at_a_desk.page, at_a_desk.page.keyboard
    t, label = walk.t, walk.label
    log_in_by_keys(walk, "alice")
    follow_by_keys(walk, page.get_by_role("link", name=t("Log a visit")).first)

    choose_by_keys(page, page.get_by_label(t(Visit.Mode.ON_SITE.label), exact=True))
    tab_to(page, page.get_by_label(label(VisitForm, "operations")))
    keys.type("二期厂房主体完工，设备进场。")
    tab_to(page, page.get_by_role("button", name=t("Add a problem the enterprise raised")))
    keys.press("Enter")
    card = page.get_by_role("group", name=t("Problem"))
    title = card.get_by_label(label(ProblemForm, "title"))
    expect(title).to_be_focused()  # the new problem's first field takes the focus
    keys.type("厂区供电容量不足")
    select_by_keys(page, card.get_by_label(label(ProblemForm, "category")), utilities.name)
    choose_by_keys(page, card.get_by_label(t(dict(ProblemForm.ROUTES)[Action.ASSIGN]), exact=True))
    select_by_keys(page, card.get_by_label(label(ProblemForm, "department")), department.name)
    tab_to(page, card.get_by_label(label(ProblemForm, "responsible_person"), exact=True))
    keys.type("张晓明")
    tab_to(page, page.get_by_role("button", name=t("Save the visit")))
    keys.press("Enter")

    walk.sees(t("Visit logged with %(n)d problem(s).", n=1))
    visit = Visit.objects.get()
    assert (visit.mode, visit.operations) == (Visit.Mode.ON_SITE, "二期厂房主体完工，设备进场。")
    issue = visit.issues.get()
    assert (issue.title, issue.status, issue.department) == ("厂区供电容量不足", Status.ASSIGNED, department)
    assert issue.responsible_person == "张晓明"


def test_the_department_accepts_and_replies_from_its_inbox_by_keyboard(at_a_desk, report, assignment, staff):
    issue = report(assignment, title="厂区供电容量不足", category=category("utilities"))
    walk, page, keys = at_a_desk, at_a_desk.page, at_a_desk.page.keyboard
    log_in_by_keys(walk, "charlie")
    follow_by_keys(walk, page.get_by_role("link", name=walk.t("Department inbox"), exact=True))
    follow_by_keys(walk, page.get_by_role("link", name=issue.title))

    accept, resolve = walk.t(Action.ACCEPT.label), walk.t(Action.RESOLVE.label)
    tab_to(page, page.get_by_role("button", name=accept, exact=True))  # the first panel is open
    keys.press("Enter")
    walk.done(accept)
    tab_to(page, walk.fold(resolve))
    keys.press("Enter")  # unfolds the reply's panel
    tab_to(page, page.get_by_label(walk.label(ResolveForm, "note")))
    keys.type("已协调供电公司增容，书面答复企业。")
    tab_to(page, page.get_by_role("button", name=resolve, exact=True))
    keys.press("Enter")

    walk.done(resolve)
    issue.refresh_from_db()
    assert (issue.status, issue.resolution) == (Status.RESOLVED, "已协调供电公司增容，书面答复企业。")
    assert [e.action for e in issue.events.all()] == ["report", "assign", "accept", "resolve"]
