"""The policy library's "explained to N enterprises": counted for the overseers only, in one query on the summary
the visit services keep (visits/reach.py; issue 16). The links here are made around the services, so each test
rebuilds the summary as a bulk writer does; tests/visits/test_policy_reach.py holds it to the services."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import EnterpriseFactory, PairingFactory, VisitFactory
from visits import reach
from visits.models import Policy, PolicyReach, PolicySector, Visit

pytestmark = pytest.mark.django_db
LIST = reverse("visits:policy_list")
LINKS = Visit.policies.through._meta.db_table
REACH = PolicyReach._meta.db_table


def _policy(title: str) -> Policy:
    policy = Policy.objects.create(title=title, level="district", issuing_body="区政府")
    PolicySector.objects.create(policy=policy, sector="industry")
    return policy


def _get(client, user):
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIST)
    assert response.status_code == 200
    return response, [q["sql"] for q in queries.captured_queries]


def test_the_figure_counts_each_enterprise_once_however_many_visits_or_pairings(client, office, cadre, enterprise):
    both, one, none = _policy("强工业奖励"), _policy("技改补贴"), _policy("人才政策")
    for visit in VisitFactory.create_batch(3, pairing=cadre.pairings.get()):
        visit.policies.add(both)
    # The enterprise's earlier cadre explained it too: still one enterprise.
    earlier = PairingFactory(
        enterprise=enterprise, started_on=datetime.date(2025, 1, 1), ended_on=datetime.date(2025, 12, 31)
    )
    VisitFactory(pairing=earlier, visited_on=datetime.date(2025, 6, 1)).policies.add(both)
    other = PairingFactory(enterprise=EnterpriseFactory())
    VisitFactory(pairing=other).policies.add(both, one)
    reach.rebuild()
    response, _sql = _get(client, office)
    assert {policy.title: n for policy, n in response.context["policies"]} == {
        both.title: 2,
        one.title: 1,
        none.title: 0,
    }
    page = response.content.decode()
    assert "已向2家企业宣传" in page and "已向1家企业宣传" in page and "已向0家企业宣传" in page


def test_a_cadre_sees_the_library_without_the_figure_and_nothing_is_counted_for_it(client, cadre):
    VisitFactory(pairing=cadre.pairings.get()).policies.add(_policy("强工业奖励"))
    reach.rebuild()
    response, sql = _get(client, cadre.user)
    assert [n for _policy, n in response.context["policies"]] == [None]
    assert "宣传" not in response.content.decode()
    assert not [q for q in sql if LINKS in q or REACH in q]


def test_the_overseers_list_costs_the_same_queries_with_more_policies_and_links(client, leader, cadre):
    VisitFactory(pairing=cadre.pairings.get()).policies.add(_policy("强工业奖励"))
    reach.rebuild()
    _response, small = _get(client, leader)
    policies = [_policy(f"政策{n}") for n in range(10)]
    for pairing in PairingFactory.create_batch(10):
        VisitFactory(pairing=pairing).policies.add(*policies)
    reach.rebuild()
    _response, large = _get(client, leader)
    assert len(small) == len(large)
    assert len([q for q in large if REACH in q]) == 1  # one count for the whole list, on the summary
    assert not [q for q in large if LINKS in q]  # never the links themselves
