"""The demo district's supervision (demo/supervision.py): every kind of inspection, every state of an item."""

import datetime
import zoneinfo
from collections import Counter

import django.utils.timezone
import pytest
from django.contrib.auth.models import User

from core.roles import Role, has_role
from demo.seed import campaign_start, seed_demo
from demo.supervision import busy_cadre, png
from supervision.models import Confirmation, Inspection, Kind, Rating, Rectification, SupervisionFile, Target
from supervision.services import may_check
from visits import attachments

pytestmark = pytest.mark.django_db

Status = Rectification.Status


def _state(item: Rectification, today: datetime.date) -> str:
    """The item's state as the demo promises them: open or overdue, answered, sent back, accepted on time or late."""
    if item.status == Status.ACCEPTED:
        return "accepted on time" if item.was_on_time else "accepted late"
    if item.is_overdue(today):
        return "overdue"
    return str(item.status)


def _states(today: datetime.date, **responsible) -> Counter[str]:
    return Counter(_state(item, today) for item in Rectification.objects.filter(**responsible))


def test_it_has_inspections_of_every_kind_and_target(demo_district):
    kinds = Counter(Inspection.objects.values_list("kind", "target"))
    assert kinds == {
        (Kind.CONCENTRATED, Target.DEPARTMENT): 1,
        (Kind.CONCENTRATED, Target.STREET): 1,
        (Kind.OPEN_VISIT, Target.ENTERPRISE): 3,
        (Kind.UNANNOUNCED, Target.ENTERPRISE): 4,
        (Kind.FOLLOW_UP, Target.DEPARTMENT): 1,
        (Kind.FOLLOW_UP, Target.ENTERPRISE): 1,
    }
    assert set(Inspection.objects.values_list("rating", flat=True)) == set(Rating.values)
    for follow_up in Inspection.objects.filter(kind=Kind.FOLLOW_UP):
        assert follow_up.follows is not None and follow_up.follows.inspected_on < follow_up.inspected_on


def test_unannounced_visits_record_what_each_enterprise_said_one_denying_the_visits(demo_district):
    unannounced = Inspection.objects.filter(kind=Kind.UNANNOUNCED)
    assert set(unannounced.values_list("visits_confirmed", flat=True)) == set(Confirmation.values)
    assert all(inspection.said_of_cadre for inspection in unannounced)
    denied = unannounced.get(visits_confirmed=Confirmation.DENIED)
    assert denied.rating == Rating.POOR and denied.follow_ups.exists()
    # Only unannounced visits carry what the enterprise said.
    assert not Inspection.objects.exclude(kind=Kind.UNANNOUNCED).exclude(visits_confirmed="").exists()


def test_every_inspection_lies_in_the_campaign_span_and_counts_for_the_cadre_serving_then(demo_district):
    today = demo_district.today
    for inspection in Inspection.objects.select_related("enterprise"):
        assert campaign_start(today) <= inspection.inspected_on < today
        if inspection.target == Target.ENTERPRISE:
            pairing = inspection.enterprise.pairings.get(cadre=inspection.cadre)
            assert pairing.started_on <= inspection.inspected_on


def test_the_inspectors_are_the_leading_group_and_the_offices_clerk(demo_district):
    inspectors = set(User.objects.filter(inspections__isnull=False).values_list("username", flat=True))
    assert inspectors == {"lingdao01", "lingdao02", "lingdao03", "lingdao04", "lingdao05", "bangongshi"}
    for user in User.objects.filter(username__in=inspectors):
        assert has_role(user, Role.LEADING_GROUP, Role.CAMPAIGN_OFFICE)


def test_items_come_in_every_state(demo_district):
    today = demo_district.today
    assert _states(today) == {
        "open": 2,
        "overdue": 2,
        "answered": 1,
        "sent_back": 1,
        "accepted on time": 1,
        "accepted late": 1,
    }
    assert Rectification.objects.overdue(today).count() == 2
    assert Rectification.objects.due_soon(today).exists()
    # An inspection is closed once every item of it is accepted, and only then.
    closed = Inspection.objects.filter(closed_at__isnull=False)
    assert set(closed.values_list("items__status", flat=True)) == {Status.ACCEPTED}
    assert closed.count() == 2


def test_bumen01s_department_has_one_open_item_and_one_overdue(demo_district):
    department = User.objects.get(username="bumen01").department_staff.department
    assert _states(demo_district.today, department=department) == {"open": 1, "overdue": 1}


def test_jiedao01s_street_has_an_item_accepted_on_time(demo_district):
    street = User.objects.get(username="jiedao01").department_staff.department
    assert _states(demo_district.today, department=street) == {"accepted on time": 1}


def test_ganbu001_has_an_item_sent_back(demo_district):
    assert _states(demo_district.today, cadre__user__username="ganbu001") == {"sent_back": 1}


def test_the_busy_cadre_has_an_item_due_soon_from_an_unannounced_visit_they_cannot_see(demo_district):
    cadre = busy_cadre()  # the a11y tests' busy cadre too (tests/a11y/pages.py asks the demo)
    assert cadre is not None
    item = Rectification.objects.get(cadre=cadre)
    assert item.status == Status.OPEN and item.inspection.kind == Kind.UNANNOUNCED
    assert Rectification.objects.due_soon(demo_district.today).filter(pk=item.pk).exists()
    assert not Inspection.objects.visible_to(cadre.user).filter(pk=item.inspection_id).exists()
    assert Rectification.objects.visible_to(cadre.user).filter(pk=item.pk).exists()


def test_lingdao01_checks_the_answer_waiting_with_its_evidence(demo_district):
    item = Rectification.objects.get(status=Status.ANSWERED)
    assert may_check(User.objects.get(username="lingdao01"), item.inspection)
    answer = item.responses.get()
    evidence = answer.files.get()
    with evidence.file.open("rb") as file:
        assert attachments.kind_of(file) == attachments.PNG


def test_one_inspection_carries_a_photo(demo_district):
    photo = SupervisionFile.objects.get(inspection__isnull=False)
    assert photo.inspection.kind == Kind.CONCENTRATED and photo.inspection.target == Target.DEPARTMENT
    with photo.file.open("rb") as file:
        assert file.read() == png()


def test_the_accepted_late_item_was_answered_after_its_deadline(demo_district):
    late = [item for item in Rectification.objects.filter(status=Status.ACCEPTED) if not item.was_on_time]
    assert len(late) == 1
    (item,) = late
    assert item.inspection.visits_confirmed == Confirmation.DENIED
    assert item.answered_at is not None and item.answered_at.date() > item.deadline


@pytest.fixture
def first_of_march(monkeypatch, settings, tmp_path) -> datetime.date:
    """The portal's clock at 10:00 on 1 March 2027 in Xi'an: the shortest campaign span (59 days)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    moment = datetime.datetime(2027, 3, 1, 10, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))
    monkeypatch.setattr(django.utils.timezone, "now", lambda: moment)
    return moment.date()


def test_the_shortest_campaign_span_still_holds_every_kind_and_state(first_of_march):
    result = seed_demo(today=first_of_march)
    assert (result.created["inspections"], result.created["rectifications"]) == (11, 8)
    assert sum(_states(first_of_march).values()) == 8
    assert set(_states(first_of_march)) == {
        "open",
        "overdue",
        "answered",
        "sent_back",
        "accepted on time",
        "accepted late",
    }
    assert (first_of_march - campaign_start(first_of_march)).days == 59
