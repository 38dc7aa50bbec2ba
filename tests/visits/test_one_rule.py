"""Every page, panel and export tells a user the same thing about the two-visit rule.

They once disagreed: a pairing begun on the 20th with one visit, looked at on the 27th,
read 1/1 on 我的企业, 1/2 on the home page, "not compliant" in the oversight panel and
11 months short in the visits export. Here each is asked through its real view.
"""

import datetime
import zoneinfo

import django.utils.timezone
import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from core.months import Month
from organisation.models import Cadre
from tests.factories import VisitFactory
from tests.organisation.helpers import read_xlsx, response_bytes
from visits.compliance import Standing

pytestmark = pytest.mark.django_db
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def test_a_part_month_pairing_reads_the_same_everywhere(client, the_27th, cadre, leader, office):
    # Paired on the 20th: 11 of November's 30 days need ceil(2 × 11/30) = 1 visit, and it has one.
    pairing = cadre.pairings.get()
    pairing.started_on = datetime.date(2026, 11, 20)
    pairing.save()
    VisitFactory(pairing=pairing, visited_on=datetime.date(2026, 11, 23))

    # The cadre: the home page's panel and 我的企业.
    client.force_login(cadre.user)
    response = client.get(reverse("home"))
    home = response.context["cadre_panel"].cell
    assert (home.visits, home.required, home.standing) == (1, 1, Standing.COMPLIANT)
    assert 'id="month-visits">1 / 1<' in response.content.decode()
    response = client.get(reverse("visits:my_enterprise"))
    assert response.context["cell"] == home
    assert 'id="month-visits">1 / 1<' in response.content.decode()

    # The leading group: the oversight panel and the grid (page cell, short count, chart).
    client.force_login(leader)
    response = client.get(reverse("home"))
    summary = response.context["oversight_panel"].visits
    assert (summary.compliant, summary.judged) == (1, 1)
    assert 'id="cadres-meeting-the-rule">1 / 1<' in response.content.decode()
    response = client.get(reverse("visits:compliance"))
    [row] = response.context["rows"]
    assert response.context["months"][-1] == "2026-11"
    assert row.cells[-1] == home
    assert row.short == 0
    assert response.context["chart"]["rates"][-1] == 100.0
    assert "cell-compliant" in response.content.decode()

    # The campaign office: the visits export for the year.
    client.force_login(office)
    sheet = read_xlsx(response_bytes(client.get(reverse("visits:visit_export"), {"year": 2026})))["每月走访"]
    [row] = sheet[1:]
    assert row[0] == cadre.name
    assert row[5 + 10] == 1  # November
    assert row[-2:] == [1, 0]  # one visit in the year, no month below the rule


def test_the_visits_export_and_the_grid_count_the_same_short_months_for_every_demo_cadre(
    client, demo_district, monkeypatch
):
    from visits import views

    monkeypatch.setattr(views, "GRID_PAGE_SIZE", 1000)  # every demo cadre on one page of the grid
    client.force_login(User.objects.get(username="admin"))
    year = django.utils.timezone.localdate().year
    sheet = read_xlsx(response_bytes(client.get(reverse("visits:visit_export"), {"year": year})))["每月走访"]
    exported = {(r[0], r[1] or ""): r for r in sheet[1:]}  # an empty cell reads back as None

    grid = client.get(reverse("visits:compliance")).context
    # The grid shows the last 12 months; compare the ones in this year.
    this_year = [i for i, label in enumerate(grid["months"]) if label.startswith(f"{year}-")]
    assert this_year, "the grid always shows the current month"
    shown = {(r.cadre.name, r.cadre.unit.name if r.cadre.unit else ""): r for r in grid["rows"]}

    assert len(exported) == len(shown) == Cadre.objects.count() >= 139
    assert exported.keys() == shown.keys()
    for key, row in shown.items():
        cells = [row.cells[i] for i in this_year]
        months = [Month(year, int(grid["months"][i][5:])) for i in this_year]
        exported_row = exported[key]
        assert exported_row[-1] == sum(cell.is_short for cell in cells), key
        assert [exported_row[4 + m.month] for m in months] == [cell.visits for cell in cells], key
    # The demo district has cadres below the rule, so the comparison is not all zeros.
    assert any(r[-1] for r in exported.values())
