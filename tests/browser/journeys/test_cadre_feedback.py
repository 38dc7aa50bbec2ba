"""The cadre records the enterprise's word on the department's reply, which closes the problem."""

import pytest

from issues.forms import FeedbackForm
from issues.models import Action, Feedback, Status
from issues.payloads import AcceptPayload, ResolvePayload
from tests.factories import category

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_cadre_records_the_enterprises_feedback(journey, report, assignment, move, staff):
    issue = report(assignment, title="厂区供电容量不足", category=category("utilities"))
    move(issue, staff.user, Action.ACCEPT, AcceptPayload())
    move(issue, staff.user, Action.RESOLVE, ResolvePayload(note="已协调供电公司增容，书面答复企业。"))
    page, t = journey.page, journey.t
    journey.log_in("alice")
    # The home page lists it under "awaiting the enterprise's feedback".
    page.get_by_role("link", name=issue.title).click()

    record = t("Record the enterprise's feedback")
    form = journey.move(record)
    form.get_by_label(t(Feedback.Rating.SATISFIED.label), exact=True).check()
    form.get_by_label(journey.label(FeedbackForm, "note")).fill("企业对增容结果满意。")
    form.get_by_role("button", name=record).click()
    journey.done(t(Action.CLOSE.label))
    journey.sees(t(Status.CLOSED.label))
    journey.shot("1-closed")

    issue.refresh_from_db()
    assert issue.status == Status.CLOSED
    assert issue.feedback.get().rating == Feedback.Rating.SATISFIED
