"""What the figures are judged against: the working-days calendar (core/kept_receivers.py) and the assessment's
weights and rating values (assessment/kept.py), changed in the admin, show at once."""

import pytest
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from assessment import scores
from assessment.models import RatingValue, Subject, Weight
from core.models import CalendarDay
from core.workdays import Calendar, due_soon_horizon
from tests.kept.conftest import Kept

pytestmark = pytest.mark.django_db


def test_a_holiday_entered_in_the_admin_moves_due_soon_at_once(client, superuser):
    today = timezone.localdate()
    horizon = Kept("horizon", {"calendar": None}, lambda: due_soon_horizon(today), judged_on=today)
    before = horizon.read()
    client.force_login(superuser)
    next_working_day = Calendar().add_working_days(today, 1)
    response = client.post(
        reverse("admin:core_calendarday_add"),
        {"date": next_working_day.isoformat(), "name": "临时调休", "is_working_day": ""},
    )
    assert response.status_code == 302
    assert CalendarDay.objects.filter(date=next_working_day, is_working_day=False).exists()
    after = horizon.read()
    assert after == due_soon_horizon(today) > before
    assert horizon.counted == 2


def _cadre_scores(year: int) -> list[tuple[int, str, str]]:
    return [(score.unit_id, str(score.score), str(score.out_of)) for score in scores.live(year).cadres]


def test_a_weight_changed_in_the_admin_shows_at_once(client, superuser, cadre):
    year = timezone.localdate().year
    page = Kept("assessment", {"assessment": None}, lambda: _cadre_scores(year))
    before = page.read()
    assert before  # the cadre is scored
    weight = Weight.objects.get(subject=Subject.CADRE, measure="compliance")
    client.force_login(superuser)
    response = client.post(
        reverse("admin:assessment_weight_change", args=[weight.pk]), {"points": str(weight.points + 5)}
    )
    assert response.status_code == 302
    after = page.read()
    assert after == _cadre_scores(year) != before


def test_a_rating_value_changed_in_the_admin_touches_the_assessment(client, superuser):
    values = Kept("ratings", {"assessment": None}, lambda: dict(RatingValue.objects.values_list("rating", "percent")))
    before = values.read()
    client.force_login(superuser)
    rating = RatingValue.objects.get(rating="average")
    response = client.post(reverse("admin:assessment_ratingvalue_change", args=[rating.pk]), {"percent": "60"})
    assert response.status_code == 302
    assert values.read() == dict(RatingValue.objects.values_list("rating", "percent")) != before


def _inspect(leader, cadre, findings, poor):
    """An inspection of the cadre by the leader, recorded through the service."""
    from supervision.models import Kind, Rating, Target
    from supervision.services import InspectionData, inspection_record

    data = InspectionData(
        kind=Kind.CONCENTRATED,
        inspected_on=timezone.localdate(),
        inspectors=[leader],
        target=Target.CADRE,
        cadre=cadre,
        findings=findings,
        rating=Rating.POOR if poor else Rating.GOOD,
    )
    return inspection_record(actor=leader, data=data)


def test_an_inspection_recorded_shows_in_the_assessment_at_once(cadre, leader):
    """The assessment reads the inspections (the family "supervision", assessment/kept.py)."""

    year = timezone.localdate().year
    page = Kept("assessment", {"assessment": None, "supervision": None}, lambda: _cadre_scores(year))
    before = page.read()
    _inspect(leader, cadre, "走访台账与企业反映不一致。", poor=True)
    after = page.read()
    assert after == _cadre_scores(year) != before


def test_an_inspections_inspectors_changed_touch_the_supervision(cadre, leader, office):
    """Who inspected is read by the supervision ledger's filter: a change to them counts it again."""
    from supervision.models import Inspection

    inspection = _inspect(leader, cadre, "走访台账与企业反映一致。", poor=False)

    def by_inspector():
        return dict(Inspection.objects.values_list("inspectors").annotate(n=Count("pk")).values_list("inspectors", "n"))

    page = Kept("by inspector", {"supervision": None}, by_inspector)
    assert page.read() == {leader.pk: 1}
    inspection.inspectors.add(office)
    assert page.read() == by_inspector() == {leader.pk: 1, office.pk: 1}
