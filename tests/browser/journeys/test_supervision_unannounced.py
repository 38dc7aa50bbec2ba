"""An unannounced visit (暗访) to rectification, and into the cadre's assessment.

A leading-group member records an unannounced visit to the cadre's enterprise with a finding and raises
a rectification item for the cadre; the cadre finds it on the home page and answers it with a photo;
the member accepts the answer; the cadre's assessment then shows the inspection's points in its row.
"""

import datetime
import importlib

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from assessment.models import RatingValue, Weight
from demo.supervision import png
from supervision.forms import AnswerForm, CheckForm, InspectionForm, ItemForm
from supervision.models import Confirmation, Inspection, Kind, Rating, Rectification, Target

pytestmark = pytest.mark.django_db(transaction=True)

FINDING = "企业反映本月未见帮扶干部上门，走访台账与企业说法不符。"
REQUIREMENT = "本月内补齐两次走访，如实记录，并向企业说明诉求办理进度。"
ANSWER = "已于本周两次上门走访，走访记录和照片附后。"


@pytest.fixture
def weights():
    """The default weights and rating values, as the migration gives them (a transactional test flushes them)."""
    defaults = importlib.import_module("assessment.migrations.0002_default_weights")
    for subject, measures in defaults.WEIGHTS.items():
        for measure, points in measures.items():
            Weight.objects.get_or_create(subject=subject, measure=measure, defaults={"points": points})
    for key, percent in defaults.RATINGS.items():
        RatingValue.objects.get_or_create(rating=key, defaults={"percent": percent})


@pytest.fixture
def uploads(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_an_unannounced_visit_is_rectified_and_counted(journey, cadre, enterprise, leader, weights, uploads):
    page, t = journey.page, journey.t
    deadline = timezone.localdate() + datetime.timedelta(days=10)

    # The leading-group member records the unannounced visit, with what the enterprise said.
    journey.log_in("erin")
    page.locator("#supervision-panel").get_by_role("link", name=t("Supervision ledger")).click()
    page.get_by_role("link", name=t("Record an inspection")).click()
    page.get_by_label(t(Kind.UNANNOUNCED.label), exact=True).check()
    page.get_by_label(t(Target.ENTERPRISE.label), exact=True).check()
    # Only the enterprise's picker is shown for an enterprise (static/js/supervision.js).
    expect(page.get_by_label(journey.label(InspectionForm, "cadre"), exact=True)).to_be_hidden()
    # A city's enterprises are not listed: the leader searches by name, then chooses (supervision/pickers.py).
    chooser = page.get_by_label(journey.label(InspectionForm, "enterprise"), exact=True)
    page.locator(f"#{chooser.get_attribute('id')}-search").fill(enterprise.name[:4])
    chooser.select_option(label=enterprise.name)
    page.get_by_label(journey.label(InspectionForm, "findings")).fill(FINDING)
    page.get_by_label(t(Rating.POOR.label), exact=True).check()
    page.get_by_label(journey.label(InspectionForm, "visits_confirmed"), exact=True).select_option(
        value=Confirmation.DENIED
    )
    page.get_by_label(journey.label(InspectionForm, "said_of_cadre"), exact=True).fill("本月没有见到帮扶干部。")
    journey.shot("1-record")
    page.get_by_role("button", name=t("Record the inspection")).click()
    journey.sees(t("The inspection is recorded."))
    visit = Inspection.objects.get()
    assert (visit.kind, visit.enterprise, visit.cadre, visit.rating) == (Kind.UNANNOUNCED, enterprise, cadre, "poor")

    # From its page, a rectification item for the cadre serving the enterprise (chosen already).
    form = page.locator("form").filter(has=page.get_by_role("button", name=t("Raise the item")))
    expect(form.get_by_label(journey.label(ItemForm, "cadre"), exact=True)).to_have_value(str(cadre.pk))
    form.get_by_label(journey.label(ItemForm, "requirement")).fill(REQUIREMENT)
    form.get_by_label(journey.label(ItemForm, "deadline")).fill(deadline.isoformat())
    form.get_by_role("button", name=t("Raise the item")).click()
    journey.sees(t("The rectification item is raised."))
    journey.shot("2-raised")
    item = Rectification.objects.get()
    assert (item.cadre, item.deadline, item.status) == (cadre, deadline, Rectification.Status.OPEN)

    # The cadre finds it on the home page and answers it with a photo.
    page.context.clear_cookies()
    journey.log_in("alice")
    page.locator("#cadre-items").get_by_role("link").filter(has_text=REQUIREMENT[:20]).click()
    journey.sees(t(Rectification.Status.OPEN.label))
    page.get_by_label(journey.label(AnswerForm, "text")).fill(ANSWER)
    page.get_by_label(journey.label(AnswerForm, "uploads")).set_input_files(
        [{"name": "走访照片.png", "mimeType": "image/png", "buffer": png()}]
    )
    journey.shot("3-answer")
    page.get_by_role("button", name=t("Send the answer")).click()
    journey.sees(t("Your answer is sent; it waits for the inspectors' check."))
    journey.sees(t(Rectification.Status.ANSWERED.label))
    expect(page.get_by_role("link", name="走访照片.png")).to_be_visible()
    # The visit itself stays the leading group's: no link to it from the cadre's item.
    assert page.locator(f'a[href="/supervision/{visit.pk}/"]').count() == 0

    # The member sees an answer waiting for a check, and accepts it.
    page.context.clear_cookies()
    journey.log_in("erin")
    page.locator("#items-to-check").click()
    page.get_by_role("link").filter(has_text=REQUIREMENT[:20]).click()
    page.get_by_label(t(dict(CheckForm.base_fields["verdict"].choices)[CheckForm.ACCEPT]), exact=True).check()
    page.get_by_role("button", name=t("Save the check")).click()
    journey.sees(t("The answer is accepted."))
    journey.shot("4-accepted")
    item.refresh_from_db()
    visit.refresh_from_db()
    assert item.status == Rectification.Status.ACCEPTED and visit.is_closed

    # The cadre's assessment counts the visit's rating: poor, 40% of the measure's 15 points.
    page.context.clear_cookies()
    journey.log_in("alice")
    journey.open_menu(t("Assessment"))
    expect(page).to_have_url(f"{journey.base_url}/assessment/")
    row = page.locator("#measure-inspections")
    expect(row).to_be_visible()
    expect(row).to_contain_text("40")
    expect(row.locator("td").last.locator("strong")).to_have_text("6.00")  # the points, beside the weight (15.0)
    journey.shot("5-assessment")
