"""A cadre on site logs a visit and the two problems the enterprise raised, each routed its own way."""

import pytest
from playwright.sync_api import expect

from issues.models import Action, Status
from tests.factories import category
from visits.forms import ProblemForm, VisitForm
from visits.models import Visit

pytestmark = pytest.mark.django_db(transaction=True)

POWER = "厂区供电容量不足"
ROAD = "园区道路年久失修，货车通行困难"


def test_a_cadre_logs_a_visit_with_two_problems(journey, cadre, enterprise, staff, department):
    utilities = category("utilities")  # transactional tests flush what the migrations loaded
    page, t = journey.page, journey.t
    journey.log_in("alice")
    page.get_by_role("link", name=t("Log a visit")).click()
    page.get_by_label(t(Visit.Mode.ON_SITE.label), exact=True).check()
    page.get_by_label(journey.label(VisitForm, "operations")).fill("二期厂房主体完工，设备进场。")

    def problem(title: str, route: Action):
        page.get_by_role("button", name=t("Add a problem the enterprise raised")).click()
        card = page.get_by_role("group", name=t("Problem")).last
        card.get_by_label(journey.label(ProblemForm, "title")).fill(title)
        card.get_by_label(journey.label(ProblemForm, "category")).select_option(label=utilities.name)
        card.get_by_label(t(dict(ProblemForm.ROUTES)[route]), exact=True).check()
        return card

    # The first for the power supply company's department, with its responsible person.
    power = problem(POWER, Action.ASSIGN)
    power.get_by_label(journey.label(ProblemForm, "department")).select_option(label=department.name)
    power.get_by_label(journey.label(ProblemForm, "responsible_person"), exact=True).fill("张晓明")
    # The second is the whole park's: for the leading group, with why.
    road = problem(ROAD, Action.ESCALATE)
    road.get_by_label(journey.label(ProblemForm, "note")).fill("园区十余家企业共同反映，需区里统筹。")
    expect(page.get_by_role("group", name=t("Problem"))).to_have_count(2)
    journey.shot("1-form")
    page.get_by_role("button", name=t("Save the visit")).click()

    journey.sees(t("Visit logged with %(n)d problem(s).", n=2))
    expect(page.get_by_role("link").filter(has_text=POWER)).to_contain_text(t(Status.ASSIGNED.label))
    expect(page.get_by_role("link").filter(has_text=ROAD)).to_contain_text(t(Status.ESCALATED.label))
    journey.shot("2-saved")
    visit = Visit.objects.get()
    assert (visit.mode, visit.operations) == (Visit.Mode.ON_SITE, "二期厂房主体完工，设备进场。")
    raised = {issue.title: issue for issue in visit.issues.all()}
    assert (raised[POWER].status, raised[POWER].department) == (Status.ASSIGNED, department)
    assert raised[POWER].responsible_person == "张晓明"
    assert (raised[ROAD].status, raised[ROAD].department) == (Status.ESCALATED, None)
