"""The cadre shows the QR code; through its link the enterprise confirms the visit and reopens a problem."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from issues.models import Action, Feedback, IssueEvent, Status
from issues.payloads import AcceptPayload, ResolvePayload
from issues.timeline import BY_ENTERPRISE
from tests.browser.conftest import PHONE
from tests.factories import VisitFactory, category
from visits.models import EnterpriseAnswer
from voice.forms import RatingForm

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_enterprise_confirms_a_visit_and_reopens_a_problem_through_its_link(
    journey, browser, report, assignment, move, staff, cadre, enterprise, enterprise_link, settings
):
    settings.PORTAL_BASE_URL = journey.base_url  # the link's address is absolute: this live server's
    visit = VisitFactory(pairing=cadre.pairings.get(), visited_on=timezone.localdate())
    issue = report(assignment, title="厂区供电容量不足", category=category("utilities"))
    move(issue, staff.user, Action.ACCEPT, AcceptPayload())
    move(issue, staff.user, Action.RESOLVE, ResolvePayload(note="已协调供电公司增容。"))
    page, t = journey.page, journey.t

    # The cadre opens the enterprise's link page from 我的企业 and shows the QR code.
    journey.log_in("alice")
    page.locator("#cadre-panel").get_by_role("link", name=t("My enterprise")).click()
    page.get_by_role("link", name=t("The enterprise's link")).click()
    expect(page.locator("#qr svg")).to_be_visible()
    journey.shot("1-qr-code")
    address = page.get_by_label(t("Address of the link")).input_value()

    # The enterprise scans it: a browser of its own, no login, on a phone.
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN")
    context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": journey.language, "url": address}])
    errors: list[str] = []
    phone = context.new_page()
    phone.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    phone.goto(address)
    expect(phone.get_by_role("heading", name=enterprise.name)).to_be_visible()
    phone.get_by_role("button", name=t("It took place")).click()
    expect(phone.locator(f'#visit-{visit.pk} [data-answer="{EnterpriseAnswer.CONFIRMED}"]')).to_be_visible()

    rating = phone.locator(f"#rate-{issue.pk}")
    rating.get_by_label(t(Feedback.Rating.DISSATISFIED.label), exact=True).check()
    rating.get_by_label(t(RatingForm.base_fields["comment"].label)).fill("增容后仍频繁跳闸。")
    rating.get_by_role("button", name=t("Send my rating")).click()
    expect(phone.locator("#status")).to_have_attribute("data-status", Status.REOPENED)
    assert errors == [], errors
    context.close()

    # Back with the cadre: the problem is reopened, "by the enterprise, via its link" in its timeline.
    page.goto(f"{journey.base_url}/issues/{issue.pk}/")
    expect(page.locator("#timeline .by-enterprise").last).to_have_text(t(BY_ENTERPRISE))
    journey.sees(t(Status.REOPENED.label))
    journey.shot("2-reopened-by-the-enterprise")

    issue.refresh_from_db()
    visit.refresh_from_db()
    assert issue.status == Status.REOPENED and visit.enterprise_answer == EnterpriseAnswer.CONFIRMED
    event = IssueEvent.objects.filter(issue=issue).latest("pk")
    assert (event.action, event.enterprise_link_id, event.actor_id) == (Action.REOPEN, enterprise_link.pk, None)
