"""Two identical submits of the visit form at the same moment, on real PostgreSQL: one visit is filed."""

import time

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core import services
from core.models import Submission
from issues.models import Issue, IssueEvent
from tests.at_once import at_once
from tests.submissions import tokens_on, with_token
from tests.visits.test_submit_once import visit_with_two_problems
from visits import views
from visits.models import Visit

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_identical_visit_submits_at_once_file_one_visit_with_its_two_problems(
    cadre, department, staff, monkeypatch
):
    page = Client()
    page.force_login(cadre.user)
    [token] = tokens_on(page.get(reverse("visits:visit_new")))
    data = with_token(visit_with_two_problems(department), token)

    slow_visit_log = views.visit_log

    def visit_log_after_a_pause(**kwargs):
        # Hold the claimed token a while uncommitted, so the other request certainly meets it.
        time.sleep(0.5)
        return slow_visit_log(**kwargs)

    claims: list[str] = []
    claim = services._claim

    def watched_claim(**kwargs):
        try:
            claimed = claim(**kwargs)
        except services.Resubmitted:
            claims.append("found the first")
            raise
        claims.append("claimed")
        return claimed

    monkeypatch.setattr(views, "visit_log", visit_log_after_a_pause)
    monkeypatch.setattr(services, "_claim", watched_claim)
    locations: list[str] = []

    def submit() -> None:
        # Two connections, as a phone re-sending the form reaches the server on a second one.
        client = Client()
        client.force_login(cadre.user)
        response = client.post(reverse("visits:visit_new"), data)
        locations.append(response.status_code == 302 and response["Location"])

    at_once(submit)

    visit = Visit.objects.get()
    assert locations == [reverse("visits:visit_detail", args=[visit.pk])] * 2
    # Both got past the check before the first committed; the unique index made the second wait.
    assert sorted(claims) == ["claimed", "found the first"]
    assert visit.issues.count() == Issue.objects.count() == 2
    assert IssueEvent.objects.count() == 4  # each problem: reported, then routed
    assert Submission.objects.count() == 1


def test_two_visits_logged_at_once_for_the_same_month_both_count_in_the_tally(cadre):
    from django.db import transaction

    from visits import tallies
    from visits.models import VisitTally
    from visits.services import VisitData, visit_log

    pairing = cadre.pairings.get()
    day = timezone.localdate()

    def log() -> None:
        with transaction.atomic():
            visit_log(actor=cadre.user, pairing=pairing, data=VisitData(visited_on=day, mode="on_site"))
            # Hold the month's new tally row uncommitted while the other logs into the same month.
            time.sleep(0.5)

    at_once(log)
    assert Visit.objects.count() == 2
    assert VisitTally.objects.get(pairing=pairing).visits == 2
    assert tallies.drift() == []
