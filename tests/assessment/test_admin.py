"""The campaign office edits the weights and rating values in the admin (history kept), and nothing else of it."""

from decimal import Decimal

import pytest
from django.urls import reverse

from assessment.models import RatingValue, Subject, Weight

pytestmark = pytest.mark.django_db


def _log_in(client, username: str) -> None:
    response = client.post(reverse("login"), {"username": username, "password": "secret-pass-123"})
    assert response.status_code == 302, "the login was refused"


def test_the_clerk_reweighs_a_measure_and_the_change_is_kept(client, clerk):
    _log_in(client, "judy")
    weight = Weight.objects.get(subject=Subject.CADRE, measure="compliance")
    change = reverse("admin:assessment_weight_change", args=[weight.pk])
    page = client.get(change)
    assert page.status_code == 200
    response = client.post(change, {"points": "35"})
    assert response.status_code == 302
    weight.refresh_from_db()
    assert weight.points == Decimal("35")
    assert (weight.subject, weight.measure) == ("cadre", "compliance")  # read-only
    latest = weight.history.latest()
    assert (latest.points, latest.history_user.username) == (Decimal("35"), "judy")
    assert client.get(reverse("admin:assessment_weight_history", args=[weight.pk])).status_code == 200


def test_the_clerk_changes_a_rating_value(client, clerk):
    _log_in(client, "judy")
    rating = RatingValue.objects.get(rating="average")
    response = client.post(reverse("admin:assessment_ratingvalue_change", args=[rating.pk]), {"percent": "60"})
    assert response.status_code == 302
    rating.refresh_from_db()
    assert rating.percent == 60


def test_measures_and_freezes_are_not_added_or_deleted_in_the_admin(client, superuser):
    client.force_login(superuser)
    assert client.get(reverse("admin:assessment_weight_add")).status_code == 403
    assert client.get(reverse("admin:assessment_ratingvalue_add")).status_code == 403
    assert client.get(reverse("admin:assessment_freeze_add")).status_code == 403
    weight = Weight.objects.first()
    assert client.get(reverse("admin:assessment_weight_delete", args=[weight.pk])).status_code == 403
    assert client.get(reverse("admin:assessment_freeze_changelist")).status_code == 200
