"""`manage.py bench_data` (demo/scale.py): the tiers built quickly, into an empty database only."""

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.db.models import Max, OuterRef, Subquery
from django.utils import timezone

from core.roles import Role
from demo import scale
from enterprises.models import Enterprise
from enterprises.uscc import check_character
from issues.models import Issue, IssueEvent, Status
from notifications.models import Delivery, Kind, Reminder
from organisation.models import Cadre, DepartmentStaff, Pairing
from tests.factories import PairingFactory
from visits.models import Visit

SMALL = scale.Tier(pairings=30, months=4, problems=200, visits_a_month=(1, 2), postgresql_only=False)


def _shape_is_whole() -> None:
    """What every tier must hold: logins in their roles, valid USCCs, timelines, `updated_at` from the last move."""
    assert User.objects.get(username=scale.LEAD).groups.filter(name=Role.LEADING_GROUP).exists()
    assert User.objects.get(username=scale.OFFICE).groups.filter(name=Role.CAMPAIGN_OFFICE).exists()
    assert Cadre.objects.filter(user__username=scale.cadre_username(0), user__groups__name=Role.CADRE).exists()
    assert DepartmentStaff.objects.acting().filter(user__username=scale.staff_username(0)).exists()
    assert all(uscc[-1] == check_character(uscc[:-1]) for uscc in Enterprise.objects.values_list("uscc", flat=True))
    assert not Issue.objects.filter(events__isnull=True).exists()
    last_move = IssueEvent.objects.filter(issue=OuterRef("pk")).order_by("-created_at").values("created_at")[:1]
    assert not Issue.objects.annotate(last=Subquery(last_move)).exclude(updated_at=Subquery(last_move)).exists()
    # The sequences were moved past the explicit ids: the next row made the ordinary way gets a fresh one.
    pairing = PairingFactory()
    assert pairing.pk > Pairing.objects.exclude(pk=pairing.pk).aggregate(top=Max("pk"))["top"]


@pytest.mark.django_db
def test_the_district_tier_builds_into_an_empty_database_and_refuses_a_second_time(capsys):
    call_command("bench_data", "--tier", "district")
    tier = scale.TIERS["district"]
    assert Cadre.objects.count() == tier.pairings
    assert Pairing.objects.filter(ended_on__isnull=True).count() == tier.pairings
    assert Issue.objects.count() == tier.problems + scale.DESK
    assert IssueEvent.objects.count() > 2 * tier.problems
    # The first department's desk, the same at every tier: its inbox's tabs list the same kinds of problems.
    desk = Issue.objects.filter(department__staff__user__username=scale.staff_username(0))
    today = timezone.localdate()
    assert desk.filter(status=Status.ASSIGNED).count() >= scale.DESK_EACH
    assert desk.filter(status=Status.IN_PROGRESS, deadline__lt=today).count() >= scale.DESK_EACH
    assert desk.filter(status=Status.IN_PROGRESS, deadline__gt=today).count() >= 2 * scale.DESK_EACH
    assert desk.filter(status=Status.RESOLVED).count() >= scale.DESK_EACH
    handed_on = Issue.objects.filter(events__department__staff__user__username=scale.staff_username(0)).exclude(
        pk__in=desk
    )
    assert handed_on.distinct().count() >= scale.DESK_HANDED_ON
    assert Visit.objects.count() > tier.pairings * tier.months
    assert "Built the district tier" in capsys.readouterr().out
    _shape_is_whole()
    cadres = Cadre.objects.count()
    with pytest.raises(CommandError, match="holds pairings or problems already"):
        call_command("bench_data", "--tier", "district")
    assert Cadre.objects.count() == cadres


@pytest.mark.django_db
def test_a_tier_never_goes_into_a_database_with_data(enterprise, cadre):
    with pytest.raises(CommandError, match="holds pairings or problems already"):
        call_command("bench_data", "--tier", "district")
    assert not Issue.objects.exists() and not Visit.objects.exists()


@pytest.mark.django_db
def test_the_big_tiers_and_the_stress_set_refuse_sqlite(monkeypatch):
    from django.db import connection

    # On PostgreSQL (CI) the command is shown an SQLite database: the refusal runs on every backend.
    with monkeypatch.context() as patched:
        patched.setattr(connection, "vendor", "sqlite")
        for args in (("--tier", "city"), ("--tier", "province"), ("--stress",)):
            with pytest.raises(CommandError, match="PostgreSQL only"):
                call_command("bench_data", *args)
    assert not Pairing.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db
def test_copy_builds_a_tier_and_the_stress_set_on_postgresql():
    scale.build(SMALL)
    assert Cadre.objects.count() == SMALL.pairings and Issue.objects.count() == SMALL.problems + scale.DESK
    _shape_is_whole()
    overdue = scale.build_stress(open_problems=2_000, due_share=0.05)
    stress = Issue.objects.filter(title=scale.STRESS_TITLE)
    assert stress.count() == 2_000 and overdue == 100
    assert stress.filter(status=Status.IN_PROGRESS, department__isnull=False).count() == 2_000
    assert IssueEvent.objects.filter(issue__in=stress).count() == 2_000
    today = timezone.localdate()
    assert (stress.overdue(today).count(), stress.due_soon(today).count()) == (100, 0)


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_stress_set_with_due_soon_mixes_both_kinds_and_drops_cleanly():
    scale.build(SMALL)
    before = (Issue.objects.count(), IssueEvent.objects.count())
    due = scale.build_stress(open_problems=2_000, due_share=0.05, due_soon=True)
    stress = Issue.objects.filter(title=scale.STRESS_TITLE)
    today = timezone.localdate()
    assert due == 100
    assert (stress.overdue(today).count(), stress.due_soon(today).count()) == (50, 50)
    # Overdue by 1 to 20 days: some past the leading group's threshold.
    days = {(today - d).days for d in stress.overdue(today).values_list("deadline", flat=True)}
    assert min(days) == 1 and max(days) == 20
    lead = User.objects.get(username=scale.LEAD)
    about = {"stress": stress.first(), "other": Issue.objects.exclude(title=scale.STRESS_TITLE).first()}
    for name, issue in about.items():
        reminder = Reminder.objects.create(kind=Kind.ISSUE_OVERDUE, object_id=issue.pk, recipient=lead, period=name)
        Delivery.objects.create(reminder=reminder, recipient=lead, channel="inbox")
    assert scale.drop_stress() == 2_000
    assert (Issue.objects.count(), IssueEvent.objects.count()) == before
    assert list(Reminder.objects.values_list("period", flat=True)) == ["other"]
    assert Delivery.objects.get().reminder.period == "other"
