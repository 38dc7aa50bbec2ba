"""Two visits explaining the same policy to the same enterprise, logged at once on real PostgreSQL: both count."""

import time

import pytest
from django.db import transaction
from django.utils import timezone

from tests.at_once import at_once
from visits import reach
from visits.models import Policy, PolicyReach, PolicySector, Visit
from visits.services import VisitData, visit_log

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_visits_logged_at_once_for_the_same_policy_and_enterprise_both_count(cadre):
    policy = Policy.objects.create(title="强工业奖励", level="district", issuing_body="区政府")
    PolicySector.objects.create(policy=policy, sector="industry")
    pairing = cadre.pairings.get()
    day = timezone.localdate()

    def log() -> None:
        with transaction.atomic():
            data = VisitData(visited_on=day, mode="on_site", policies=[policy])
            visit_log(actor=cadre.user, pairing=pairing, data=data)
            # Hold the pair's new row uncommitted while the other logs the same pair.
            time.sleep(0.5)

    at_once(log)
    assert Visit.objects.count() == 2
    kept = PolicyReach.objects.get(policy=policy, enterprise=pairing.enterprise)
    assert (kept.visits, kept.last_on) == (2, day)
    assert reach.drift() == []
