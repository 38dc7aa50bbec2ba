"""The assessment's rules against the hand-built year (tests/assessment/year.py): exact points, measure by measure."""

import datetime
from decimal import Decimal
from fractions import Fraction

import pytest

from assessment import rules, scores
from assessment.models import Subject, Weight
from tests.assessment.year import at, day

pytestmark = pytest.mark.django_db

# Read in March 2026: the year is over, so it is read as of its end.
LATER = at(3, 1, year=2026)


def points(score: scores.Score) -> dict[str, Decimal]:
    return {part.measure: part.points for part in score.items}


def test_the_first_cadre_exactly(year):
    score = scores.live(2025, LATER).find(Subject.CADRE, year.cadre.pk)
    assert points(score) == {
        "compliance": Decimal("25.00"),  # 30 × 10/12: December's second visit was logged in January
        "response": Decimal("12.00"),  # 15 × 4/5: A5 unanswered
        "on_time": Decimal("5.00"),  # 10 × 2/4: A1, A2 (by D2) on time; A2 (by D1) late; A3 overdue
        "satisfaction": Decimal("7.50"),  # 10 × 3/4: A1, A2, A4 satisfied; A2 once dissatisfied
        "returns_reopened": Decimal("6.00"),  # 10 × (1 − (1 returned + 1 dissatisfied)/5)
        "inspections": Decimal("12.75"),  # 15 × (100 + 70)/2 %
        "rectification": Decimal("5.00"),  # 10 × 1/2: R2 answered after its deadline
    }
    assert (score.score, score.out_of) == (Decimal("73.25"), Decimal("100.00"))
    assert score.part("rectification").counts == {"items_on_time": 1, "items_counted": 2}
    assert score.part("compliance").counts == {"months_met": 10, "months_counted": 12}


def test_the_other_cadre_exactly(year):
    score = scores.live(2025, LATER).find(Subject.CADRE, year.other_cadre.pk)
    assert points(score) == {
        "compliance": Decimal("20.00"),  # 30 × 4/6: paired from July; September short, December none
        "response": Decimal("7.50"),  # 15 × 1/2: B2 never accepted
        "on_time": Decimal("5.00"),  # 10 × 1/2: B1 on time, B2 overdue
        "satisfaction": Decimal("10.00"),
        "returns_reopened": Decimal("10.00"),
        "inspections": Decimal("15.00"),  # one follow-up, good
        "rectification": Decimal("10.00"),  # no item: nothing to judge, full points
    }
    assert score.score == Decimal("77.50")
    assert score.part("rectification").full_because_empty
    assert score.part("rectification").attainment is None


def test_the_first_department_exactly(year):
    score = scores.live(2025, LATER).find(Subject.DEPARTMENT, year.d1.pk)
    assert points(score) == {
        "response": Decimal("12.50"),  # 25 × 1/2: with D1 at the year's end A1 (answered) and B2 (not)
        "on_time": Decimal("8.33"),  # 25 × 1/3: A1 on time, A2 late, B2 overdue
        "satisfaction": Decimal("7.50"),  # 15 × 1/2: A1 satisfied, A2 dissatisfied
        "returns_reopened": Decimal("5.00"),  # 10 × (1 − (A3 returned + A2 dissatisfied)/4 assigned)
        "inspections": Decimal("12.75"),  # 15 × 85%: one open visit, fairly good
        "rectification": Decimal("5.00"),  # 10 × 1/2: R4 answered in time but accepted only in January
    }
    assert score.score == Decimal("51.08")
    assert "compliance" not in points(score)


def test_the_other_department_exactly(year):
    score = scores.live(2025, LATER).find(Subject.DEPARTMENT, year.d2.pk)
    assert points(score) == {
        "response": Decimal("25.00"),  # A2, A3, B1 all answered
        "on_time": Decimal("16.67"),  # 25 × 2/3: A2, B1 on time, A3 overdue
        "satisfaction": Decimal("15.00"),
        "returns_reopened": Decimal("10.00"),
        "inspections": Decimal("6.00"),  # 15 × 40%: one concentrated inspection, poor
        "rectification": Decimal("10.00"),  # R5 is due next year: nothing to judge
    }
    assert score.score == Decimal("82.67")


def test_ranks_follow_the_scores(year):
    found = scores.live(2025, LATER)
    assert [s.unit_id for s in found.cadres] == [year.other_cadre.pk, year.cadre.pk]
    assert [s.rank for s in found.cadres] == [1, 2]
    departments = {s.unit_id: s.rank for s in found.departments}
    assert departments[year.d2.pk] < departments[year.d1.pk]


def test_a_running_year_counts_as_of_now(year):
    """Read on 30 November 2025: November, short but running, is not yet counted, December has not begun; R4 (due
    20 Dec, accepted in January) is not yet counted."""
    found = scores.live(2025, at(11, 30, hour=12))
    mine = found.find(Subject.CADRE, year.cadre.pk)
    assert mine.part("compliance").counts == {"months_met": 10, "months_counted": 10}
    d1 = found.find(Subject.DEPARTMENT, year.d1.pk)
    assert d1.part("rectification").counts == {"items_on_time": 1, "items_counted": 1}
    assert not found.is_over


def test_a_running_month_already_met_counts(year):
    """On 25 October 2025 October has its two visits: it counts, met; a short month still running would not."""
    found = scores.live(2025, at(10, 25))
    assert found.find(Subject.CADRE, year.cadre.pk).part("compliance").counts == {
        "months_met": 10,
        "months_counted": 10,
    }


def test_the_weights_decide_the_points(year):
    Weight.objects.filter(subject=Subject.CADRE, measure="compliance").update(points=Decimal("40"))
    Weight.objects.filter(subject=Subject.CADRE, measure="satisfaction").update(points=Decimal("0"))
    score = scores.live(2025, LATER).find(Subject.CADRE, year.cadre.pk)
    assert score.part("compliance").points == Decimal("33.33")  # 40 × 10/12
    assert score.part("satisfaction") is None  # a weight of 0 leaves it out
    assert score.out_of == Decimal("100.00")  # 40 + 15 + 10 + 10 + 15 + 10


def test_every_part_links_to_the_rows_behind_it(year):
    score = scores.live(2025, LATER).find(Subject.CADRE, year.cadre.pk)
    assert score.part("response").links["answered"] == (
        f"/issues/?measure=answered&from=2025-01&to=2025-12&cadre={year.cadre.pk}"
    )
    assert score.part("compliance").link == (
        f"/cadres/visits/?cadre={year.cadre.pk}&visited_after=2025-01-01&visited_before=2025-12-31"
        "&logged_before=2026-01-01"
    )
    assert score.part("inspections").link == (
        f"/supervision/?cadre={year.cadre.pk}&date_from=2025-01-01&date_to=2025-12-31"
    )
    assert score.part("rectification").links["items_on_time"] == (
        f"/supervision/items/?cadre={year.cadre.pk}&deadline_from=2025-01-01&deadline_to=2025-12-31&on_time=yes"
    )
    d1 = scores.live(2025, LATER).find(Subject.DEPARTMENT, year.d1.pk)
    assert (
        d1.part("returns_reopened").link
        == f"/issues/?measure=assigned_to_unit&from=2025-01&to=2025-12&unit={year.d1.pk}"
    )
    assert d1.part("inspections").link.startswith(f"/supervision/?department={year.d1.pk}&")


def test_the_ledger_lists_exactly_the_problems_a_cadres_figure_counts(client, year, leader):
    client.force_login(leader)
    score = scores.live(2025, LATER).find(Subject.CADRE, year.cadre.pk)
    for name, value in score.part("on_time").counts.items():
        response = client.get(score.part("on_time").links[name])
        assert response.context["page"].paginator.count == value, name


@pytest.mark.parametrize(
    ("weight", "share", "expected"),
    [
        ("25", Fraction(1, 3), "8.33"),
        ("25", Fraction(2, 3), "16.67"),
        ("10", Fraction(1, 8), "1.25"),
        ("15", Fraction(1, 200), "0.08"),  # 0.075 rounds half up
        ("15", None, "15.00"),
    ],
)
def test_points_are_the_weight_times_the_attainment_to_the_cent(weight, share, expected):
    assert rules.points(Decimal(weight), share) == Decimal(expected)


def test_returns_and_reopenings_never_go_below_nothing():
    many = rules.Figures(numerator=7, denominator=5)
    assert rules.attainment("returns_reopened", many) == 0
    assert rules.attainment("returns_reopened", rules.Figures(1, 4)) == Fraction(3, 4)
    assert rules.attainment("response", rules.Figures(0, 0)) is None


def test_a_year_to_come_or_before_2000_is_not_assessed():
    today = datetime.date(2026, 11, 27)
    assert rules.may_assess(2026, today) and rules.may_assess(2000, today)
    assert not rules.may_assess(2027, today) and not rules.may_assess(1999, today)
    assert day(1, 1) == rules.year_period(2025).start


def test_the_visit_list_lists_the_visits_the_compliance_measure_counted(client, year):
    """王建国's 2025 visits logged by its end: two a month to October, one in November, one of December's two."""
    client.force_login(year.leader)
    score = scores.live(2025, LATER).find(Subject.CADRE, year.cadre.pk)
    page = client.get(score.part("compliance").link)
    assert page.context["page"].paginator.count == 22
    assert {visit.pairing.cadre_id for visit in page.context["page"]} == {year.cadre.pk}


def test_the_visit_lists_cadre_filter_refuses_a_number_too_large_without_a_500(client, leader):
    client.force_login(leader)
    assert client.get("/cadres/visits/", {"cadre": str(10**30)}).status_code == 200
