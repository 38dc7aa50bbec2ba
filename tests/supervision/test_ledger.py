"""The supervision ledger and the items list: their filters, their xlsx read back, queries that do not grow."""

import datetime
import io

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from organisation.models import Department
from supervision.models import Kind, Rating, Rectification, Target
from tests.factories import CadreFactory, DepartmentFactory, InspectionFactory, RectificationFactory, UserFactory

pytestmark = pytest.mark.django_db
LEDGER = reverse("supervision:ledger")
ITEMS = reverse("supervision:items")


def _listed(response) -> list[int]:
    return [row.pk for row in response.context["page"].object_list]


def _sheet(response) -> list[tuple]:
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    return list(book.worksheets[0].iter_rows(values_only=True))


@pytest.fixture
def district(cadre, other_cadre, department, leader, office):
    """Inspections of each kind and state, for the filters."""
    today = timezone.localdate()
    street = DepartmentFactory(name="灞桥街道办事处", kind=Department.Kind.STREET)
    rows = {
        "closed": InspectionFactory(cadre=cadre, inspected_on=today - datetime.timedelta(days=40), rating=Rating.GOOD),
        "open": InspectionFactory(
            kind=Kind.OPEN_VISIT,
            cadre=other_cadre,
            inspected_on=today - datetime.timedelta(days=10),
            rating=Rating.POOR,
        ),
        "none": InspectionFactory(
            kind=Kind.FOLLOW_UP,
            target=Target.STREET,
            cadre=None,
            department=street,
            inspected_on=today - datetime.timedelta(days=5),
            findings="街道营商环境整体向好。",
            inspectors=[leader, office],
        ),
        "unit": InspectionFactory(
            kind=Kind.UNANNOUNCED,
            target=Target.DEPARTMENT,
            cadre=None,
            department=department,
            inspected_on=today,
            rating=Rating.AVERAGE,
        ),
    }
    RectificationFactory(
        inspection=rows["closed"],
        status=Rectification.Status.ACCEPTED,
        deadline=today - datetime.timedelta(days=30),
        answered_at=timezone.now() - datetime.timedelta(days=35),
        accepted_at=timezone.now() - datetime.timedelta(days=34),
    )
    RectificationFactory(inspection=rows["open"], deadline=today - datetime.timedelta(days=1))  # overdue
    RectificationFactory(
        inspection=rows["open"],
        status=Rectification.Status.ACCEPTED,
        deadline=today - datetime.timedelta(days=8),
        answered_at=timezone.now() - datetime.timedelta(days=2),  # after its deadline: late
        accepted_at=timezone.now() - datetime.timedelta(days=1),
    )
    RectificationFactory(inspection=rows["unit"], cadre=None, department=department, status="answered")
    return rows


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ({}, ["unit", "none", "open", "closed"]),
        ({"kind": "open_visit"}, ["open"]),
        ({"rating": "poor"}, ["open"]),
        ({"target": "street"}, ["none"]),
        ({"status": "open"}, ["unit", "open"]),
        ({"status": "closed"}, ["closed"]),
        ({"status": "none"}, ["none"]),
        ({"q": "营商环境"}, ["none"]),
        ({"q": "李志强"}, ["open"]),
        ({"cadre": "cadre"}, ["closed"]),
        ({"department": "department"}, ["unit"]),
        ({"date_from": "-10"}, ["unit", "none", "open"]),
        ({"date_to": "-10"}, ["open", "closed"]),
        ({"date_from": "-40", "date_to": "-6"}, ["open", "closed"]),
        ({"status": "nonsense", "cadre": "10" * 20}, ["unit", "none", "open", "closed"]),
    ],
)
def test_the_ledgers_filters(client, leader, district, cadre, department, query, found):
    today = timezone.localdate()
    values = {"cadre": cadre.pk, "department": department.pk}
    params = {}
    for key, value in query.items():
        if key.startswith("date_"):
            value = (today + datetime.timedelta(days=int(value))).isoformat()
        params[key] = values.get(value, value)
    client.force_login(leader)
    response = client.get(LEDGER, params)
    assert response.status_code == 200
    names = {row.pk: name for name, row in district.items()}
    assert [names[pk] for pk in _listed(response)] == found


@pytest.mark.parametrize("url", [LEDGER, ITEMS])
def test_the_unit_filter_offers_every_unit_and_keeps_the_one_chosen(client, leader, district, department, url):
    client.force_login(leader)
    page = client.get(url, {"department": department.pk}).content.decode()
    select = page[page.index('name="department"') : page.index("</select>", page.index('name="department"'))]
    offered = [(unit.pk, unit.name) for unit in Department.objects.order_by("kind", "name", "pk")]
    assert len(offered) >= 2
    for pk, name in offered:
        chosen = " selected" if pk == department.pk else ""
        assert f'<option value="{pk}"{chosen}>{name}</option>' in select
    assert select.count(" selected") == 1


def test_the_ledgers_xlsx_has_every_filtered_row(client, leader, district):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(leader)
    response = client.get(LEDGER, {"status": "open", "format": "xlsx", "page": "2"})
    rows = _sheet(response)
    assert rows[0][:4] == ("No.", "Date", "Kind", "What was inspected")
    assert [(row[0], row[2], row[9], row[10], row[11]) for row in rows[1:]] == [
        (district["unit"].pk, "Unannounced visit", 1, 1, "Items open"),
        (district["open"].pk, "Open visit", 2, 1, "Items open"),
    ]


def test_the_ledgers_xlsx_names_the_inspectors(client, leader, office, district):
    client.force_login(leader)
    rows = _sheet(client.get(LEDGER, {"status": "none", "format": "xlsx"}))
    assert rows[1][7] == "刘海涛、活动办公室" and rows[1][4] == "灞桥街道办事处"


def test_the_ledger_pages_by_fifty(client, leader, cadre):
    for _ in range(51):
        InspectionFactory(cadre=cadre)
    client.force_login(leader)
    assert len(_listed(client.get(LEDGER))) == 50
    assert len(_listed(client.get(LEDGER, {"page": "2"}))) == 1
    assert len(_sheet(client.get(LEDGER, {"format": "xlsx"}))) == 52


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ({}, ["closed", "open_overdue", "open_late", "unit"]),
        ({"status": "overdue"}, ["open_overdue"]),
        ({"status": "accepted"}, ["closed", "open_late"]),
        ({"status": "answered"}, ["unit"]),
        ({"on_time": "yes"}, ["closed"]),
        ({"on_time": "no"}, ["open_late"]),
        ({"kind": "unannounced"}, ["unit"]),
        ({"inspection": "open"}, ["open_overdue", "open_late"]),
        ({"department": "department"}, ["unit"]),
        ({"cadre": "other_cadre"}, ["open_overdue", "open_late"]),
        ({"deadline_to": "-2"}, ["closed", "open_late"]),
        ({"deadline_from": "-1"}, ["open_overdue", "unit"]),
        ({"inspection": "1.5"}, ["closed", "open_overdue", "open_late", "unit"]),
    ],
)
def test_the_items_filters(client, leader, district, other_cadre, department, query, found):
    today = timezone.localdate()
    names = {
        district["closed"].items.get().pk: "closed",
        district["open"].items.get(status="open").pk: "open_overdue",
        district["open"].items.get(status="accepted").pk: "open_late",
        district["unit"].items.get().pk: "unit",
    }
    values = {"open": district["open"].pk, "department": department.pk, "other_cadre": other_cadre.pk}
    params = {}
    for key, value in query.items():
        if key.startswith("deadline_"):
            value = (today + datetime.timedelta(days=int(value))).isoformat()
        params[key] = values.get(value, value)
    client.force_login(leader)
    response = client.get(ITEMS, params)
    assert response.status_code == 200
    assert sorted(names[pk] for pk in _listed(response)) == sorted(found)


def test_the_items_xlsx_reads_back(client, leader, district):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(leader)
    rows = _sheet(client.get(ITEMS, {"status": "accepted", "format": "xlsx"}))
    assert rows[0][3:7] == ("Responsible", "What must change", "Deadline", "Status")
    assert sorted((row[3], row[6], row[10]) for row in rows[1:]) == [
        ("李志强", "Accepted", "Late"),
        ("王建国", "Accepted", "On time"),
    ]


def test_a_cadres_items_list_and_export_hold_their_own_only(client, cadre, district):
    client.force_login(cadre.user)
    mine = [district["closed"].items.get().pk]
    assert _listed(client.get(ITEMS)) == mine
    assert [row[0] for row in _sheet(client.get(ITEMS, {"format": "xlsx"}))[1:]] == mine
    # The ledger's cadre choice lists only themselves.
    assert list(client.get(LEDGER).context["filter"].form.fields["cadre"].queryset) == [cadre]


def _more(cadre, department, leader, n: int) -> None:
    for i in range(n):
        inspector = UserFactory(roles=["leading_group"])
        found = InspectionFactory(
            cadre=CadreFactory() if i % 2 else cadre, created_by=leader, inspectors=[leader, inspector]
        )
        RectificationFactory(inspection=found)
        RectificationFactory(inspection=found, cadre=None, department=department)


@pytest.mark.parametrize("persona", ["cadre", "staff", "leader"])
@pytest.mark.parametrize("url", [LEDGER, ITEMS])
def test_the_lists_run_the_same_number_of_queries_for_more_data(
    client, request, persona, url, cadre, staff, department, leader, django_assert_num_queries
):
    user = request.getfixturevalue(persona)
    client.force_login(getattr(user, "user", user))
    _more(cadre, department, leader, 3)
    client.get(url)  # the session, the user's roles: read once
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    _more(cadre, department, leader, 12)
    with django_assert_num_queries(len(small)):
        client.get(url)


def _export_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        rows = b"".join(response.streaming_content) if response.streaming else response.content
    assert response.status_code == 200 and rows
    return len(queries)


@pytest.mark.parametrize("url", [LEDGER, ITEMS])
def test_the_exports_run_the_same_number_of_queries_for_more_data(client, url, cadre, department, leader):
    client.force_login(leader)
    export = f"{url}?format=xlsx"
    _more(cadre, department, leader, 3)
    client.get(export)  # the session, the user's roles: read once
    small = _export_queries(client, export)
    _more(cadre, department, leader, 12)
    assert _export_queries(client, export) == small


@pytest.mark.parametrize("url", [LEDGER, ITEMS, reverse("issues:ledger")])
def test_past_a_districts_units_the_unit_filter_searches(client, leader, district, department, url):
    """A province's 1,173 units were listed in every list's unit filter (47 KB of the supervision ledger): past
    `PLAIN_UP_TO` the filter is the search picker (core/pickers.py). The page lists no unit but the one chosen,
    still filters by it, and a search without JavaScript comes back with the matches and the other filters."""
    from core.pickers import PLAIN_UP_TO, SEARCH

    for n in range(PLAIN_UP_TO + 1):
        DepartmentFactory(name=f"不该列出的单位{n}")
    client.force_login(leader)
    everything = client.get(url).content.decode()
    assert "不该列出的单位" not in everything and f">{department.name}</option>" not in everything
    chosen = client.get(url, {"department": department.pk})
    body = chosen.content.decode()
    assert f'<option value="{department.pk}" selected>{department.name}</option>' in body
    assert "不该列出的单位" not in body
    unfiltered = client.get(url, {"department": ""}).context["page"].paginator.count
    assert chosen.context["page"].paginator.count < unfiltered or unfiltered == 0
    searched = client.get(url, {"q": "", "department-q": "不该列出的单位1", SEARCH: "department"})
    assert searched.status_code == 200
    assert ">不该列出的单位1</option>" in searched.content.decode()
