"""The visit list's filters: what the dashboard's count of a period's visits links to (Scope.visit_list)."""

import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from core.months import Month
from core.periods import Period
from oversight.scope import Filters, Scope, visit_figures
from tests.factories import DepartmentFactory, EnterpriseFactory, PairingFactory, VisitFactory

pytestmark = pytest.mark.django_db
LIST = reverse("visits:visit_list")
NOVEMBER = Period.month(Month(2026, 11))


@pytest.fixture
def visits(db):
    """Visits in November 2026 to enterprises of different origins, sectors and streets, by cadres of two units."""
    finance, housing = DepartmentFactory(name="区财政局"), DepartmentFactory(name="区住建局")
    city = PairingFactory(
        cadre__unit=finance, enterprise=EnterpriseFactory(origin="city", sector="industry", street="纺织城街道")
    )
    district = PairingFactory(
        cadre__unit=housing, enterprise=EnterpriseFactory(origin="district", sector="culture", street="席王街道")
    )
    for day in (2, 15, 30):
        VisitFactory(pairing=city, visited_on=datetime.date(2026, 11, day))
    VisitFactory(pairing=district, visited_on=datetime.date(2026, 11, 20))
    VisitFactory(pairing=district, visited_on=datetime.date(2026, 10, 31))  # the month before
    VisitFactory(pairing=city, visited_on=datetime.date(2026, 12, 1))  # the month after
    return {"finance": finance, "housing": housing}


def listed(client, url: str) -> int:
    response = client.get(url)
    assert response.status_code == 200
    return response.context["page"].paginator.count


@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"origin": "city"},
        {"origin": "district"},
        {"sector": "culture"},
        {"street": "纺织城街道"},
        {"department": "finance"},
        {"department": "housing", "sector": "industry"},
    ],
)
def test_the_dashboards_link_lists_exactly_the_visits_it_counted(client, leader, visits, filters):
    if "department" in filters:
        filters = {**filters, "department": visits[filters["department"]]}
    scope = Scope(NOVEMBER, Filters(**filters))
    client.force_login(leader)
    counted = visit_figures(leader, scope, now=datetime.datetime(2027, 1, 5, tzinfo=datetime.UTC)).visits
    assert listed(client, scope.visit_list()) == counted


def test_the_period_takes_in_its_first_and_last_days(client, leader, visits):
    client.force_login(leader)
    assert listed(client, Scope(NOVEMBER).visit_list()) == 4
    assert listed(client, f"{LIST}?visited_after=2026-11-15&visited_before=2026-11-30") == 3
    assert listed(client, f"{LIST}?visited_after=2026-10-31&visited_before=2026-10-31") == 1


def test_each_filter_narrows_the_list(client, leader, visits):
    client.force_login(leader)
    assert listed(client, LIST) == 6
    assert listed(client, f"{LIST}?origin=district") == 2
    assert listed(client, f"{LIST}?sector=industry") == 4
    assert listed(client, f"{LIST}?street=席王街道") == 2
    assert listed(client, f"{LIST}?department={visits['housing'].pk}") == 2


def test_the_filter_form_is_on_the_page_and_open_when_an_enterprise_filter_is_in_use(client, leader, visits):
    client.force_login(leader)
    plain = client.get(LIST).content.decode()
    assert 'id="visit-filters"' in plain and 'name="visited_after"' in plain and 'name="department"' in plain
    assert "<details open>" not in plain
    assert "<details open>" in client.get(f"{LIST}?sector=culture").content.decode()


def test_the_pages_keep_the_filters(client, leader, visits):
    pairing = PairingFactory(enterprise=EnterpriseFactory(sector="tourism"))
    for day in range(1, 29):
        VisitFactory(pairing=pairing, visited_on=datetime.date(2026, 2, day))
    client.force_login(leader)
    response = client.get(f"{LIST}?sector=tourism")
    assert response.context["page"].paginator.num_pages == 2
    next_link = next(a for a in response.content.decode().split('href="')[1:] if "page=2" in a).split('"')[0]
    assert parse_qs(urlsplit(next_link.replace("&amp;", "&")).query) == {"sector": ["tourism"], "page": ["2"]}
    assert listed(client, f"{LIST}?sector=tourism&page=2") == 28


def test_a_cadre_still_sees_only_their_own_visits_whatever_the_filters(client, cadre, other_cadre):
    VisitFactory(pairing=cadre.pairings.get(), visited_on=datetime.date(2026, 11, 3))
    VisitFactory(pairing=other_cadre.pairings.get(), visited_on=datetime.date(2026, 11, 4))
    client.force_login(cadre.user)
    assert listed(client, f"{LIST}?visited_after=2026-11-01&visited_before=2026-11-30") == 1
    assert listed(client, f"{LIST}?department={other_cadre.unit.pk}") == 0


@pytest.mark.parametrize("query", ["visited_after=2026-13-01", "visited_before=yesterday", "department=99999999999"])
def test_a_bad_filter_is_a_form_error_never_a_500(client, leader, visits, query):
    client.force_login(leader)
    response = client.get(f"{LIST}?{query}")
    assert response.status_code == 200
    assert response.context["filter"].form.errors
    assert response.context["page"].paginator.count == 6


def test_past_a_districts_units_the_cadres_unit_is_searched(client, leader, visits):
    """The cadre's unit was the one list filter still listing every unit (a province's 1,173 options): past
    `PLAIN_UP_TO` it is the search picker the ledgers use. The list still filters by the unit chosen, and a search
    without JavaScript comes back with the matches and the list as it was asked for."""
    from core.pickers import PLAIN_UP_TO, SEARCH

    for n in range(PLAIN_UP_TO + 1):
        DepartmentFactory(name=f"不该列出的单位{n}")
    client.force_login(leader)
    everything = client.get(LIST).content.decode()
    assert "不该列出的单位" not in everything and ">区财政局</option>" not in everything
    finance = visits["finance"]
    chosen = client.get(LIST, {"department": finance.pk})
    body = chosen.content.decode()
    assert f'<option value="{finance.pk}" selected>区财政局</option>' in body and "不该列出的单位" not in body
    assert chosen.context["page"].paginator.count == 4  # the finance cadre's four visits, of six
    searched = client.get(LIST, {"department": finance.pk, "department-q": "不该列出的单位1", SEARCH: "department"})
    assert searched.status_code == 200 and ">不该列出的单位1</option>" in searched.content.decode()
    assert searched.context["page"].paginator.count == 4
