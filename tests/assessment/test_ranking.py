"""The ranking is light, the breakdowns are built for what a page shows; a province's tables stay paged.

A year ranks every cadre on light rows (scores in integer cents, `scores.Row`) and builds the full breakdown
(`Score`, its `Part`s) only for the rows a page shows. On a built set with ties (equal scores, equal names)
the rows give exactly the scores and ranks the full breakdowns add up to under the rule (highest first; equal
scores share a rank and are listed by name, then id), live and frozen alike; the year page stays small
however many departments and cadres are ranked, and the Excel file keeps every row.
"""

import io
import itertools
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from assessment import rules, scores
from assessment.models import Subject
from assessment.services import year_freeze
from core import kept
from organisation.models import Department
from supervision.models import Rating, Target
from tests import factories
from tests.assessment.year import at, day

pytestmark = pytest.mark.django_db

LATER = at(3, 1, year=2026)
FROZEN_AT = at(2, 1, year=2026)
# Few names for many cadres: equal scores under equal names are listed by id.
NAMES = ("张伟", "李娜", "王芳", "刘洋")
RATINGS = (Rating.GOOD, Rating.FAIRLY_GOOD, Rating.AVERAGE, Rating.POOR)


def _more(year, n: int = 36) -> None:
    """n more cadres paired in 2025 (visits, inspections and items in a few patterns, so many tie) and units."""
    for i in range(n):
        pairing = factories.PairingFactory(
            cadre__name=NAMES[i % len(NAMES)], cadre__unit=year.d1 if i % 2 else year.d2, started_on=day(1, 1)
        )
        for month in range(1, 1 + (i % 5) * 3):  # 0, 3, 6, 9 or 12 months with two visits
            factories.visit_logged(pairing, day(min(month, 12), 5))
            factories.visit_logged(pairing, day(min(month, 12), 20))
        if i % 3 == 0:
            inspection = factories.InspectionFactory(
                cadre=pairing.cadre,
                inspected_on=day(6, 1),
                created_at=at(6, 1),
                rating=RATINGS[i % len(RATINGS)],
                created_by=year.leader,
            )
            accepted = at(6, 20) if i % 2 else None
            factories.RectificationFactory(
                inspection=inspection,
                deadline=day(6, 30),
                answered_at=accepted,
                accepted_at=accepted,
            )
    for i in range(6):  # departments inspected alike (names are unique: equal scores are listed by name)
        unit = factories.DepartmentFactory(name=f"区测试单位{5 - i}")
        factories.InspectionFactory(
            target=Target.DEPARTMENT,
            cadre=None,
            department=unit,
            inspected_on=day(5, 1),
            created_at=at(5, 1),
            rating=RATINGS[i % 2],
            created_by=year.leader,
        )


def _reference(assessment: scores.Assessment, subject: str) -> list[tuple[int, str, int]]:
    """Each unit's score as its full breakdown adds up (each part's points worked out afresh by rules.py),
    ranked by the rule: (id, score as shown, rank)."""
    found = []
    for score in assessment.scores(subject):
        total = Decimal(0)
        for part in score.items:
            share = rules.attainment(part.measure, rules.Figures(part.numerator, part.denominator))
            assert part.points == rules.points(assessment.weights.weight(subject, part.measure), share)
            total += part.points
        found.append((score.unit_id, score.name, total.quantize(rules.CENT)))
    found.sort(key=lambda unit: (-unit[2], unit[1], unit[0]))
    ranked, rank = [], 0
    for i, (pk, _name, total) in enumerate(found):
        if i == 0 or total != found[i - 1][2]:
            rank = i + 1
        ranked.append((pk, str(total), rank))
    return ranked


def _rows(assessment: scores.Assessment, subject: str) -> list[tuple[int, str, int]]:
    return [(row.unit_id, str(row.score), row.rank) for row in assessment.rows(subject)]


def test_the_light_ranking_gives_the_scores_and_ranks_of_the_full_breakdowns(year):
    _more(year)
    assessment = scores.live(2025, LATER)
    for subject in Subject.values:
        rows = assessment.rows(subject)
        assert _rows(assessment, subject) == _reference(assessment, subject), subject
        full = assessment.scores(subject)
        assert [row.points for row in rows] == [tuple(part.points for part in score.items) for score in full]
        assert [(s.unit_id, s.score, s.rank, s.out_of) for s in full] == [
            (r.unit_id, r.score, r.rank, r.out_of) for r in rows
        ]
    cadres = assessment.rows(Subject.CADRE)
    assert len(cadres) == 38
    ranks = [row.rank for row in cadres]
    assert len(set(ranks)) < len(ranks)  # ties: shared ranks, and the next rank skips (1, 2, 2, 4)
    tied = [(a, b) for a, b in itertools.pairwise(cadres) if (a.score, a.name) == (b.score, b.name)]
    assert tied and all(a.unit_id < b.unit_id and a.rank == b.rank for a, b in tied)
    departments = assessment.rows(Subject.DEPARTMENT)
    assert any(a.rank == b.rank for a, b in itertools.pairwise(departments))


def test_sorting_the_light_rows_is_sorting_the_full_scores(year):
    _more(year)
    assessment = scores.live(2025, LATER)
    for subject in Subject.values:
        full = assessment.scores(subject)
        for key in ("name", "score", "nonsense", *rules.ORDER):
            for descending in (False, True):
                light = [row.unit_id for row in scores.sort_rows(assessment, subject, key, descending)]
                assert light == [s.unit_id for s in scores.sort_scores(full, key, descending)], (subject, key)


def test_a_frozen_year_ranks_sorts_and_breaks_down_as_it_was_counted(year):
    _more(year)
    live = scores.live(2025, FROZEN_AT)
    freeze = year_freeze(actor=year.leader, year=2025, now=FROZEN_AT)
    frozen = scores.snapshot(freeze)
    for subject in Subject.values:
        assert _rows(frozen, subject) == _rows(live, subject) == _reference(frozen, subject)
        assert [[p.as_json() for p in s.items] for s in frozen.scores(subject)] == [
            [p.as_json() for p in s.items] for s in live.scores(subject)
        ]
        for key in rules.ORDER:  # a snapshot reads its points per measure when sorted on one
            got = [row.unit_id for row in scores.sort_rows(frozen, subject, f"{key}", True)]
            assert got == [row.unit_id for row in scores.sort_rows(live, subject, key, True)], (subject, key)
    top, bottom = frozen.board_rows(Subject.CADRE, 5)
    assert [s.unit_id for s in frozen.board(Subject.CADRE, 5).bottom] == [row.unit_id for row in bottom]
    assert [s.rank for s in frozen.board(Subject.CADRE, 5).top] == [row.rank for row in top]


# -- a province's size ----------------------------------------------------------------------------------------


def _year_page(client, **query) -> tuple[str, int, dict]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("assessment:year", args=[2025]), query)
    assert response.status_code == 200
    return response.content.decode(), len(queries), response.context


@pytest.mark.parametrize("frozen", [False, True])
def test_the_year_page_stays_small_however_many_are_ranked_and_the_excel_file_has_them_all(
    client, year, frozen, monkeypatch
):
    _more(year, n=60)
    Department.objects.bulk_create(Department(name=f"区批量单位{i:04d}") for i in range(140))
    if frozen:
        year_freeze(actor=year.leader, year=2025, now=FROZEN_AT)
    client.force_login(year.leader)
    _year_page(client)  # the figures' version rows are made once per database (core/kept.py)
    cache.clear()  # what follows is counted again: a miss, in the budget
    html, queries, context = _year_page(client)
    assert len(context["cadre_rows"]) == len(context["department_rows"]) == 50
    assert context["department_page"].paginator.count > 140
    assert 'href="?page=2"' in html and 'href="?dpage=2"' in html
    assert queries <= 12
    # The last page of departments, sorted on a measure: still its own rows only, in the same queries.
    last = context["department_page"].paginator.num_pages
    _html, sorted_queries, later = _year_page(client, dpage=last, dsort="-inspections", sort="-compliance")
    assert 0 < len(later["department_rows"]) <= 50 and sorted_queries <= 12

    Department.objects.bulk_create(Department(name=f"区再批单位{i:04d}") for i in range(400))
    kept.touch("names", None)  # as a bulk writer says what it changed (no signal reaches the kept figures)
    bigger, _queries, _context = _year_page(client)
    # Four times the departments: the same tables and boards, a few digits longer at most.
    assert len(bigger.encode()) - len(html.encode()) < 200
    assert len(bigger.encode()) < 200_000

    if frozen:  # the snapshot against now: both tables paged as well
        compared = client.get(reverse("assessment:compare", args=[2025]))
        assert len(compared.context["department_page"].object_list) == 50
        assert len(compared.context["page"].object_list) == 50
        assert 'href="?dpage=2"' in compared.content.decode() and len(compared.content) < 200_000

    monkeypatch.setattr(scores, "_BY_ID", 10)  # a snapshot's every breakdown read by subject, not by id
    response = client.get(reverse("assessment:year", args=[2025]), {"format": "xlsx"})
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    cadres, departments, _board = book.worksheets
    assessment = scores.for_year(2025)
    assert [r[2] for r in cadres.iter_rows(min_row=2, values_only=True)] == [float(s.score) for s in assessment.cadres]
    assert cadres.max_row - 1 == len(assessment.rows(Subject.CADRE)) == 62
    assert departments.max_row - 1 == len(assessment.rows(Subject.DEPARTMENT)) > 140 + (0 if frozen else 400)
    assert 2025 in context["years"]
