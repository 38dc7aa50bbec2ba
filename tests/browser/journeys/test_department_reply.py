"""The department accepts a problem from its inbox, records progress on its roadmap, and replies."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from issues.forms import ProgressForm, ResolveForm
from issues.models import Action, Status
from tests.factories import category

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_department_accepts_records_progress_and_replies(journey, report, assignment, staff):
    issue = report(assignment, title="厂区供电容量不足", category=category("utilities"))
    checked = issue.milestones.get(title="核实材料")
    page, t = journey.page, journey.t
    journey.log_in("charlie")
    page.get_by_role("link", name=t("Open the department's inbox")).click()
    page.get_by_role("link", name=issue.title).click()

    accept, progress, resolve = (t(action.label) for action in (Action.ACCEPT, Action.PROGRESS, Action.RESOLVE))
    journey.move(accept).get_by_role("button", name=accept).click()
    journey.done(accept)

    form = journey.move(progress)
    form.get_by_label(journey.label(ProgressForm, "milestone")).select_option(
        label=f"{checked.planned_on:%Y-%m-%d} {checked.title}"
    )
    form.get_by_label(journey.label(ProgressForm, "note")).fill("材料已核实，供电公司已受理增容申请。")
    form.get_by_role("button", name=progress).click()
    journey.done(progress)

    form = journey.move(resolve)
    form.get_by_label(journey.label(ResolveForm, "note")).fill("已协调供电公司增容，书面答复企业。")
    form.get_by_role("button", name=resolve).click()
    journey.done(resolve)
    journey.sees(t(Status.RESOLVED.label))
    expect(page.get_by_text("已协调供电公司增容，书面答复企业。").first).to_be_visible()
    journey.shot("1-replied")

    issue.refresh_from_db()
    checked.refresh_from_db()
    assert issue.status == Status.RESOLVED and issue.resolution == "已协调供电公司增容，书面答复企业。"
    assert checked.done_on == timezone.localdate()
    assert [e.action for e in issue.events.all()] == ["report", "assign", "accept", "progress", "resolve"]
