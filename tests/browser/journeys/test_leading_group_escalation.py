"""A leading-group member decides an escalation: the problem goes to a department, under supervision (督办)."""

import pytest

from issues.forms import AssignForm
from issues.models import Action, Status
from issues.payloads import EscalatePayload
from tests.factories import category

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_leading_group_assigns_an_escalation_under_supervision(journey, report, leader, staff, department):
    issue = report(
        EscalatePayload(note="园区十余家企业共同反映，需区里统筹。"),
        title="园区道路年久失修，货车通行困难",
        category=category("utilities"),
    )
    page, t = journey.page, journey.t
    journey.log_in("erin")
    # The home page lists the escalations waiting for the leading group, oldest first.
    page.get_by_role("link", name=issue.title).click()

    assign = t(Action.ASSIGN.label)
    form = journey.move(assign)
    form.get_by_label(journey.label(AssignForm, "department")).select_option(label=department.name)
    form.get_by_label(journey.label(AssignForm, "responsible_person"), exact=True).fill("张晓明")
    form.get_by_label(journey.label(AssignForm, "note")).fill("请区行政审批服务局牵头，十五日内拿出修复方案。")
    form.get_by_role("button", name=assign).click()
    journey.done(assign)
    journey.sees(t(Status.ASSIGNED.label))
    journey.sees(t("Supervised"))
    journey.shot("1-decided")

    issue.refresh_from_db()
    assert (issue.status, issue.department, issue.supervised) == (Status.ASSIGNED, department, True)
    assert issue.responsible_person == "张晓明"
    assert [e.action for e in issue.events.all()] == ["report", "escalate", "assign"]
