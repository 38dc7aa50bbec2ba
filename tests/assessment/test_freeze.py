"""Freezing a year keeps its scores whatever changes afterwards; unfreezing is a recorded act with a reason."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from assessment import scores
from assessment.models import Freeze, FrozenScore, RatingValue, Subject, Weight
from assessment.services import AssessmentError, year_freeze, year_unfreeze
from supervision.models import Kind, Rating, Target
from tests import factories
from tests.assessment.year import at

pytestmark = pytest.mark.django_db

FROZEN_AT = at(2, 1, year=2026)


def breakdown(assessment, subject, pk) -> tuple[Decimal, list]:
    score = assessment.find(subject, pk)
    return score.score, [part.as_json() for part in score.items]


def test_a_frozen_year_does_not_change_when_data_or_weights_change(year):
    before = scores.live(2025, FROZEN_AT)
    freeze = year_freeze(actor=year.leader, year=2025, now=FROZEN_AT)

    # Afterwards: the office reweighs, an average rating is worth less, and an inspection of 2025 turns up.
    Weight.objects.filter(subject=Subject.CADRE, measure="compliance").update(points=Decimal("50"))
    RatingValue.objects.filter(rating=Rating.AVERAGE).update(percent=10)
    factories.InspectionFactory(
        cadre=year.other_cadre,
        inspected_on=datetime.date(2025, 12, 30),
        created_at=at(12, 30),
        rating=Rating.POOR,
        kind=Kind.CONCENTRATED,
        target=Target.CADRE,
    )
    now = scores.live(2025, at(3, 1, year=2026))
    assert now.find(Subject.CADRE, year.cadre.pk).score != before.find(Subject.CADRE, year.cadre.pk).score
    assert now.find(Subject.CADRE, year.other_cadre.pk).score != before.find(Subject.CADRE, year.other_cadre.pk).score

    kept = scores.for_year(2025)
    assert kept.freeze == freeze
    for subject, pk in (
        (Subject.CADRE, year.cadre.pk),
        (Subject.CADRE, year.other_cadre.pk),
        (Subject.DEPARTMENT, year.d1.pk),
    ):
        assert breakdown(kept, subject, pk) == breakdown(before, subject, pk)
    assert [(s.unit_id, s.rank) for s in kept.cadres] == [(s.unit_id, s.rank) for s in before.cadres]
    assert kept.weights == before.weights
    assert kept.weights.weight(Subject.CADRE, "compliance") == Decimal("30.0")
    assert kept.weights.ratings["average"] == 70


def test_the_freeze_keeps_every_score_and_who_froze_it(year):
    freeze = year_freeze(actor=year.leader, year=2025, now=FROZEN_AT)
    assert (freeze.frozen_by, freeze.frozen_at, freeze.year) == (year.leader, FROZEN_AT, 2025)
    live = scores.live(2025, FROZEN_AT)
    assert FrozenScore.objects.filter(freeze=freeze).count() == len(live.cadres) + len(live.departments)
    row = FrozenScore.objects.get(freeze=freeze, subject=Subject.CADRE, unit_id=year.cadre.pk)
    assert (row.name, row.score, row.out_of, row.rank) == ("王建国", Decimal("73.25"), Decimal("100.00"), 2)
    assert freeze.weights["cadre"]["compliance"] == "30.0"
    assert freeze.weights["ratings"] == {"good": 100, "fairly_good": 85, "average": 70, "poor": 40}


def test_unfreezing_needs_a_reason_and_is_recorded(year):
    year_freeze(actor=year.leader, year=2025, now=FROZEN_AT)
    with pytest.raises(AssessmentError) as refused:
        year_unfreeze(actor=year.leader, year=2025, reason="  \u200b ")
    assert refused.value.code == "no_reason"
    freeze = year_unfreeze(actor=year.leader, year=2025, reason="数据更正", now=at(3, 1, year=2026))
    assert (freeze.unfrozen_by, freeze.unfrozen_at, freeze.unfreeze_reason) == (
        year.leader,
        at(3, 1, year=2026),
        "数据更正",
    )
    assert scores.for_year(2025).freeze is None  # counted live again
    assert FrozenScore.objects.filter(freeze=freeze).exists()  # the old snapshot stays


def test_freezing_again_makes_a_new_snapshot(year):
    first = year_freeze(actor=year.leader, year=2025, now=FROZEN_AT)
    year_unfreeze(actor=year.leader, year=2025, reason="权重调整", now=at(2, 10, year=2026))
    Weight.objects.filter(subject=Subject.CADRE, measure="compliance").update(points=Decimal("40"))
    second = year_freeze(actor=year.leader, year=2025, now=at(2, 11, year=2026))
    assert second.pk != first.pk
    assert list(Freeze.objects.in_force().filter(year=2025)) == [second]
    assert scores.snapshot(first).find(Subject.CADRE, year.cadre.pk).out_of == Decimal("100.00")
    assert scores.for_year(2025).find(Subject.CADRE, year.cadre.pk).out_of == Decimal("110.00")


@pytest.mark.parametrize("who", ["office", "superuser", "cadre", "staff"])
def test_only_the_leading_group_freezes_or_unfreezes(everyone, who):
    with pytest.raises(AssessmentError) as refused:
        year_freeze(actor=everyone[who], year=2025)
    assert refused.value.code == "not_leading_group"
    with pytest.raises(AssessmentError) as refused:
        year_unfreeze(actor=everyone[who], year=2025, reason="理由")
    assert refused.value.code == "not_leading_group"
    assert not Freeze.objects.exists()


def test_a_year_is_frozen_once_and_only_once_it_has_begun(leader):
    year_freeze(actor=leader, year=2025, now=FROZEN_AT)
    with pytest.raises(AssessmentError) as refused:
        year_freeze(actor=leader, year=2025, now=FROZEN_AT)
    assert refused.value.code == "already_frozen"
    with pytest.raises(AssessmentError) as refused:
        year_freeze(actor=leader, year=2027, now=FROZEN_AT)
    assert refused.value.code == "year_not_begun"
    with pytest.raises(AssessmentError) as refused:
        year_unfreeze(actor=leader, year=2024, reason="理由")
    assert refused.value.code == "not_frozen"
    assert Freeze.objects.count() == 1


def test_a_frozen_years_pages_read_the_snapshot(client, year):
    year_freeze(actor=year.leader, year=2025, now=FROZEN_AT)
    FrozenScore.objects.filter(subject=Subject.CADRE, unit_id=year.cadre.pk).update(score=Decimal("1.23"))
    client.force_login(year.leader)
    page = client.get(reverse("assessment:year", args=[2025]))
    assert page.context["freeze"] is not None
    assert "1.23" in page.content.decode()
    assert "73.25" not in page.content.decode()
    mine = client.get(reverse("assessment:cadre", args=[2025, year.cadre.pk]))
    assert mine.context["score"].score == Decimal("1.23")
    assert 'id="freeze-state"' in mine.content.decode()


def test_the_leading_group_freezes_and_unfreezes_from_the_year_page(client, year):
    client.force_login(year.leader)
    url = reverse("assessment:year", args=[2025])
    token = client.get(url).context["freeze_form"]["submission"].value()
    response = client.post(reverse("assessment:freeze", args=[2025]), {"submission": token})
    assert response.status_code == 302
    assert Freeze.objects.in_force().filter(year=2025, frozen_by=year.leader).count() == 1
    # The same form sent again lands on what the first made, and freezes nothing more.
    client.post(reverse("assessment:freeze", args=[2025]), {"submission": token})
    assert Freeze.objects.count() == 1

    page = client.get(url)
    token = page.context["unfreeze_form"]["submission"].value()
    refused = client.post(reverse("assessment:unfreeze", args=[2025]), {"submission": token, "reason": ""})
    assert refused.status_code == 302 and Freeze.objects.in_force().exists()
    client.post(reverse("assessment:unfreeze", args=[2025]), {"submission": token, "reason": "核实数据"})
    freeze = Freeze.objects.get()
    assert (freeze.unfrozen_by, freeze.unfreeze_reason) == (year.leader, "核实数据")
    history = client.get(url)
    assert "核实数据" in history.content.decode()
    compare = client.get(reverse("assessment:compare", args=[2025]))
    assert compare.context["freeze"] == freeze


def test_a_refused_freeze_shows_its_code(client, leader):
    client.force_login(leader)
    year_freeze(actor=leader, year=2025, now=FROZEN_AT)
    token = "6a4c3c52-5d2e-4c66-9d0e-1d1f0b3c9a11"
    response = client.post(reverse("assessment:freeze", args=[2025]), {"submission": token}, follow=True)
    assert [m.extra_tags for m in response.context["messages"]] == ["already_frozen"]


@pytest.mark.parametrize("who", ["office", "cadre", "staff", "nobody"])
def test_the_freeze_forms_refuse_everyone_but_the_leading_group(client, everyone, who):
    client.force_login(everyone[who])
    for name in ("assessment:freeze", "assessment:unfreeze"):
        assert client.post(reverse(name, args=[2025]), {"reason": "x"}).status_code == 403
    assert not Freeze.objects.exists()


def test_the_freeze_forms_are_post_only(client, leader):
    client.force_login(leader)
    for name in ("assessment:freeze", "assessment:unfreeze"):
        assert client.get(reverse(name, args=[2025])).status_code == 405


def test_the_compare_page_shows_each_units_difference(client, year):
    year_freeze(actor=year.leader, year=2025, now=FROZEN_AT)
    Weight.objects.filter(subject=Subject.CADRE, measure="compliance").update(points=Decimal("60"))
    client.force_login(year.leader)
    page = client.get(reverse("assessment:compare", args=[2025]))
    changes = {change.unit_id: change for change in page.context["page"].object_list}
    mine = changes[year.cadre.pk]
    assert (mine.frozen.score, mine.now.score, mine.difference) == (
        Decimal("73.25"),
        Decimal("98.25"),
        Decimal("25.00"),
    )
    assert page.context["weights_changed"]
    assert page.context["cadres_changed"] == 2
