"""Who sees which visits and errands: `visible_to(user)` on their QuerySets, persona by persona."""

import datetime

import pytest

from organisation.models import Pairing
from tests import factories
from tests.visibility import expected, seen_by
from visits.models import Errand, Policy, Visit

pytestmark = pytest.mark.django_db


@pytest.fixture
def pairings(cadre, other_cadre, successor, enterprise, other_enterprise, former_enterprise):
    """Each pairing by a short name: alice's earlier one, alice's, bob's, and ivan's since he took over."""
    return {
        "alice-before": Pairing.objects.get(cadre=cadre, enterprise=former_enterprise),
        "alice-now": Pairing.objects.get(cadre=cadre, enterprise=enterprise),
        "bob": Pairing.objects.get(cadre=other_cadre),
        "ivan": Pairing.objects.get(cadre=successor),
    }


def test_each_persona_sees_exactly_the_visits_its_role_allows(everyone, pairings):
    days = {"alice-before": (3, 2), "alice-now": (7, 3), "bob": (7, 4), "ivan": (7, 5)}
    for name, (month, day) in days.items():
        factories.VisitFactory(pairing=pairings[name], visited_on=datetime.date(2026, month, day), summary=name)
    # Two visits on one pairing: each is listed once.
    factories.VisitFactory(pairing=pairings["alice-now"], visited_on=datetime.date(2026, 7, 20), summary="alice-now-2")

    seen = seen_by(everyone, lambda user: Visit.objects.visible_to(user).values_list("summary", flat=True))

    assert seen == expected(
        {"alice-before", "alice-now", "alice-now-2", "bob", "ivan"},
        # A cadre keeps read access to the visits of a pairing that has ended, not to the successor's.
        cadre={"alice-before", "alice-now", "alice-now-2"},
        other_cadre={"bob"},
        successor={"ivan"},
        # Visits are the cadres' own work: a department sees none of them.
        staff=(),
        other_staff=(),
    )


def test_each_persona_sees_exactly_the_errands_its_role_allows(everyone, pairings):
    for name, pairing in pairings.items():
        Errand.objects.create(pairing=pairing, matter=name, approving_department="区行政审批服务局")

    seen = seen_by(everyone, lambda user: Errand.objects.visible_to(user).values_list("matter", flat=True))

    assert seen == expected(
        {"alice-before", "alice-now", "bob", "ivan"},
        cadre={"alice-before", "alice-now"},
        other_cadre={"bob"},
        successor={"ivan"},
        staff=(),
        other_staff=(),
    )


def test_each_persona_sees_exactly_the_policies_its_role_allows(everyone):
    for title, active in (("在用政策", True), ("已失效政策", False)):
        Policy.objects.create(title=title, level="district", issuing_body="区政府", is_active=active)

    seen = seen_by(everyone, lambda user: Policy.objects.visible_to(user).values_list("title", flat=True))

    assert seen == expected(
        # The overseers keep the library, withdrawn policies included; every other role reads the ones in force.
        {"在用政策", "已失效政策"},
        cadre={"在用政策"},
        other_cadre={"在用政策"},
        successor={"在用政策"},
        staff={"在用政策"},
        other_staff={"在用政策"},
    )
