"""Rectification items reminded like errands: raised, due soon, overdue to the responsible; answers to the checkers."""

import datetime

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from core.roles import Role
from notifications import reminders
from notifications.models import Kind, Reminder
from notifications.reminders import scan
from notifications.services import reminders_send
from notifications.texts import say
from supervision.models import Kind as InspectionKind
from supervision.models import Rectification, Target
from supervision.services import item_answer, item_check, item_raise
from tests.factories import CadreFactory, DepartmentStaffFactory, InspectionFactory, UserFactory
from tests.notifications.conftest import NOW, TODAY, at

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)
RECTIFICATION_KINDS = (
    Kind.RECTIFICATION_RAISED,
    Kind.RECTIFICATION_DUE_SOON,
    Kind.RECTIFICATION_OVERDUE,
    Kind.RECTIFICATION_ANSWERED,
)
KIND_SCANS = {
    Kind.RECTIFICATION_RAISED: reminders.rectification_raised,
    Kind.RECTIFICATION_DUE_SOON: reminders.rectification_due_soon,
    Kind.RECTIFICATION_OVERDUE: reminders.rectification_overdue,
    Kind.RECTIFICATION_ANSWERED: reminders.rectification_answered,
}
# Run alone, with a People of its own: the items, then who answers for the units (or, for answers,
# the inspectors, then the leading group and the office, whom the whole scan asks once for every kind).
QUERIES = {
    Kind.RECTIFICATION_RAISED: 2,
    Kind.RECTIFICATION_DUE_SOON: 2,
    Kind.RECTIFICATION_OVERDUE: 2,
    Kind.RECTIFICATION_ANSWERED: 4,
}


def due_of(kind: str, now=NOW) -> list[tuple[int, int, str]]:
    """Return (item, recipient, period) of each reminder of the kind due at `now`."""
    return sorted((d.object_id, d.recipient_id, d.period) for d in scan(now=now) if d.kind == kind)


def recorded(kind: str) -> list[tuple[int, int, str]]:
    return sorted(Reminder.objects.filter(kind=kind).values_list("object_id", "recipient_id", "period"))


@pytest.fixture
def inspection(cadre, leader, office):
    """An inspection of `cadre` ten days ago, recorded by the office, with `leader` as its inspector."""
    return InspectionFactory(cadre=cadre, created_by=office, inspectors=[leader], inspected_on=TODAY - 10 * DAY)


@pytest.fixture
def raise_item(inspection, cadre):
    """Raise an item through the service, for `cadre` unless a unit is given, by the inspection's recorder."""

    def _raise(deadline: datetime.date, when: datetime.datetime = NOW - 5 * DAY, **responsible) -> Rectification:
        responsible = responsible or {"cadre": cadre}
        return item_raise(
            actor=inspection.created_by,
            inspection=responsible.pop("inspection", inspection),
            requirement="如实记录走访情况，每月两次上门走访企业。",
            deadline=deadline,
            now=when,
            **responsible,
        )

    return _raise


def _answer(item: Rectification, by, when: datetime.datetime) -> None:
    item_answer(actor=by, item_id=item.pk, text="已整改，情况说明附后。", now=when)


def _check(item: Rectification, by, when: datetime.datetime, *, accept: bool) -> None:
    item_check(actor=by, item_id=item.pk, accept=accept, note="" if accept else "请补充佐证材料。", now=when)


# --- Raised ---


def test_a_raised_item_reminds_its_cadre_once_under_the_local_date_it_was_raised(raise_item, cadre, other_cadre):
    # 16:30 UTC on the 14th is already the 15th, 00:30, in Xi'an.
    item = raise_item(TODAY + 10 * DAY, when=datetime.datetime(2026, 11, 14, 16, 30, tzinfo=datetime.UTC))
    assert due_of(Kind.RECTIFICATION_RAISED) == [(item.pk, cadre.user_id, "2026-11-15")]
    assert due_of(Kind.RECTIFICATION_RAISED, NOW + 30 * DAY) == [(item.pk, cadre.user_id, "2026-11-15")]


def test_a_units_item_goes_to_its_acting_staff_only(raise_item, department, staff, other_staff):
    disabled = DepartmentStaffFactory(department=department, user__is_active=False)
    without_the_role = DepartmentStaffFactory(department=department, user__roles=[])
    item = raise_item(TODAY + 10 * DAY, department=department)
    assert due_of(Kind.RECTIFICATION_RAISED) == [(item.pk, staff.user_id, str(TODAY - 5 * DAY))]
    assert {disabled.user_id, without_the_role.user_id, other_staff.user_id}.isdisjoint(
        {d.recipient_id for d in scan(now=NOW)}
    )


def test_a_cadre_whose_account_is_disabled_is_not_reminded(raise_item, cadre):
    raise_item(TODAY + DAY)
    cadre.user.is_active = False
    cadre.user.save()
    assert [d for d in scan(now=NOW) if d.kind in RECTIFICATION_KINDS] == []


def test_the_responsibles_reminders_link_to_the_item_and_never_tell_an_unannounced_visits_notes(
    raise_item, cadre, enterprise, office, leader
):
    visit = InspectionFactory(
        kind=InspectionKind.UNANNOUNCED,
        target=Target.ENTERPRISE,
        enterprise=enterprise,
        cadre=cadre,
        created_by=office,
        inspectors=[leader],
        inspected_on=TODAY - 10 * DAY,
        findings="企业称近两个月未见包联干部。",
        said_of_cadre="没见过包联干部。",
    )
    item = raise_item(TODAY + DAY, inspection=visit, cadre=cadre)
    found = [d for d in scan(now=NOW) if d.recipient_id == cadre.user_id and d.kind in RECTIFICATION_KINDS]
    assert {d.kind for d in found} == {Kind.RECTIFICATION_RAISED, Kind.RECTIFICATION_DUE_SOON}
    for due in found:
        assert due.link == f"/supervision/items/{item.pk}/"
        with translation.override("en"):
            said = due.title + due.body
        assert "Unannounced visit of " + str(visit.inspected_on) in said  # its kind and date, as the item's page
        assert enterprise.name not in said and "包联干部" not in said and "subject" not in due.params


# --- Due soon, overdue ---


def test_within_three_working_days_of_the_deadline_the_responsible_is_reminded(raise_item, cadre):
    # Friday 2026-11-20: Monday, Tuesday and Wednesday are the next three working days.
    item = raise_item(TODAY + 5 * DAY)
    raise_item(TODAY + 6 * DAY)  # Thursday: not yet
    assert due_of(Kind.RECTIFICATION_DUE_SOON) == [(item.pk, cadre.user_id, str(TODAY + 5 * DAY))]


def test_overdue_reminds_the_responsible_every_three_days(raise_item, cadre):
    item = raise_item(TODAY - DAY)  # the first overdue day
    expected = lambda step: [(item.pk, cadre.user_id, f"{TODAY - DAY}#{step}")]  # noqa: E731
    assert due_of(Kind.RECTIFICATION_OVERDUE) == expected(0)
    assert due_of(Kind.RECTIFICATION_OVERDUE, NOW + 2 * DAY) == expected(0)
    assert due_of(Kind.RECTIFICATION_OVERDUE, NOW + 3 * DAY) == expected(1)
    assert due_of(Kind.RECTIFICATION_OVERDUE, NOW + 6 * DAY) == expected(2)
    assert due_of(Kind.RECTIFICATION_DUE_SOON) == []


def test_a_scan_that_did_not_run_catches_up_with_the_latest_step_only(raise_item, cadre):
    item = raise_item(TODAY - DAY)
    reminders_send(now=NOW + 7 * DAY)  # eight days overdue: step 2, not 0, 1 and 2
    assert recorded(Kind.RECTIFICATION_OVERDUE) == [(item.pk, cadre.user_id, f"{TODAY - DAY}#2")]


def test_a_units_overdue_item_reminds_its_staff(raise_item, department, staff):
    item = raise_item(TODAY - 4 * DAY, department=department)
    assert due_of(Kind.RECTIFICATION_OVERDUE) == [(item.pk, staff.user_id, f"{TODAY - 4 * DAY}#1")]


# --- Answered, accepted, sent back ---


def test_an_answer_goes_to_the_inspectors_and_the_recorder_who_may_check_it(
    raise_item, cadre, leader, office, inspection
):
    bystander = UserFactory(roles=[Role.LEADING_GROUP])  # not an inspector of this one
    departed = UserFactory(roles=[Role.LEADING_GROUP], is_active=False)
    inspection.inspectors.add(departed)
    item = raise_item(TODAY + 10 * DAY)
    answered_at = at("2026-11-18 21:40")
    _answer(item, cadre.user, answered_at)
    assert due_of(Kind.RECTIFICATION_ANSWERED) == sorted(
        (item.pk, user.pk, "2026-11-18T21:40:00+08:00") for user in (leader, office)
    )
    assert bystander.pk not in {d.recipient_id for d in scan(now=NOW)}
    # Answered, it waits for the check: the responsible is not reminded of it, not even past its deadline.
    for kind in (Kind.RECTIFICATION_RAISED, Kind.RECTIFICATION_DUE_SOON, Kind.RECTIFICATION_OVERDUE):
        assert due_of(kind, NOW + 20 * DAY) == []


def test_the_answers_reminder_says_who_answered_what_in_english(raise_item, cadre, leader):
    item = raise_item(TODAY + 10 * DAY)
    _answer(item, cadre.user, NOW - DAY)
    due = next(d for d in scan(now=NOW) if d.kind == Kind.RECTIFICATION_ANSWERED)
    with translation.override("en"):
        assert due.title == "Rectification answered, to check: 如实记录走访情况，每月两次上门走访企业。"
        assert due.body == (
            f"{cadre.name} answered on {TODAY - DAY} (Concentrated inspection of {TODAY - 10 * DAY}, {cadre.name}): "
            "已整改，情况说明附后。"
        )


def test_an_accepted_item_stops_reminding(raise_item, cadre, leader):
    item = raise_item(TODAY - DAY)
    reminders_send(now=NOW)
    _answer(item, cadre.user, NOW + DAY)
    _check(item, leader, NOW + 2 * DAY, accept=True)
    for later in (NOW + 3 * DAY, NOW + 30 * DAY):
        assert [d for d in scan(now=later) if d.kind in RECTIFICATION_KINDS] == []


def test_an_answer_sent_back_starts_the_reminders_again(raise_item, cadre, leader, office):
    overdue = raise_item(TODAY - DAY)
    due_soon = raise_item(TODAY + 2 * DAY)
    reminders_send(now=NOW)
    for item in (overdue, due_soon):
        _answer(item, cadre.user, NOW + datetime.timedelta(hours=2))
    reminders_send(now=NOW + datetime.timedelta(hours=3))  # the answers, to the inspector and the recorder
    for item in (overdue, due_soon):
        _check(item, leader, NOW + datetime.timedelta(hours=4), accept=False)

    result = reminders_send(now=NOW + datetime.timedelta(hours=5))  # the same day, the same overdue step
    assert result.counts == {Kind.RECTIFICATION_OVERDUE: 1, Kind.RECTIFICATION_DUE_SOON: 1}
    assert recorded(Kind.RECTIFICATION_OVERDUE) == [
        (overdue.pk, cadre.user_id, f"{TODAY - DAY}#0"),
        (overdue.pk, cadre.user_id, f"{TODAY - DAY}#0+1"),
    ]
    assert (due_soon.pk, cadre.user_id, f"{TODAY + 2 * DAY}+1") in recorded(Kind.RECTIFICATION_DUE_SOON)
    # Raised once: a sent-back item is not raised again. Its next answer is put to the inspectors afresh.
    assert len(recorded(Kind.RECTIFICATION_RAISED)) == 2
    _answer(overdue, cadre.user, NOW + datetime.timedelta(hours=6))
    assert reminders_send(now=NOW + datetime.timedelta(hours=7)).counts == {Kind.RECTIFICATION_ANSWERED: 2}


# --- Exactly once, in both languages, at a fixed cost ---


def test_a_second_scan_records_nothing_new(raise_item, cadre, department, staff):
    raise_item(TODAY - DAY)
    raise_item(TODAY + DAY, department=department)
    _answer(raise_item(TODAY + 9 * DAY), cadre.user, NOW - DAY)
    first = reminders_send(now=NOW)
    assert {kind: first.counts[kind] for kind in RECTIFICATION_KINDS} == {
        Kind.RECTIFICATION_RAISED: 2,
        Kind.RECTIFICATION_DUE_SOON: 1,
        Kind.RECTIFICATION_OVERDUE: 1,
        Kind.RECTIFICATION_ANSWERED: 2,
    }
    assert reminders_send(now=NOW).total == 0
    assert reminders_send(now=NOW + datetime.timedelta(hours=2)).total == 0


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_every_rectification_reminder_is_said_from_its_values_in_either_language(language, raise_item, cadre, caplog):
    raise_item(TODAY - DAY)
    raise_item(TODAY + DAY)
    _answer(raise_item(TODAY + 9 * DAY), cadre.user, NOW - DAY)
    found = [d for d in scan(now=NOW) if d.kind in RECTIFICATION_KINDS]
    assert {d.kind for d in found} == set(RECTIFICATION_KINDS)
    with translation.override(language):
        for due in found:
            said = say(due.kind, due.params)
            assert said.title and said.body and "%(" not in said.title + said.body
    assert "cannot be said" not in caplog.text
    with translation.override("en"):
        overdue = next(d for d in found if d.kind == Kind.RECTIFICATION_OVERDUE)
        assert overdue.title == "Rectification overdue 1 days: 如实记录走访情况，每月两次上门走访企业。"


def _items(size: int, cadre, department, leader) -> None:
    """`size` items in each state, for cadres and for a unit, from inspections with two inspectors."""
    for _n in range(size):
        inspection = InspectionFactory(inspectors=[leader, UserFactory(roles=[Role.CAMPAIGN_OFFICE])])
        other = CadreFactory()
        for responsible in ({"cadre": other}, {"department": department}):
            for deadline in (TODAY - 2 * DAY, TODAY + DAY, TODAY + 10 * DAY):
                Rectification.objects.create(
                    inspection=inspection,
                    requirement="整改",
                    deadline=deadline,
                    created_by=inspection.created_by,
                    created_at=NOW - 7 * DAY,
                    **responsible,
                )
        item = Rectification.objects.filter(inspection=inspection, cadre=other).first()
        _answer(item, other.user, NOW - DAY)
        _check(item, inspection.created_by, NOW - DAY, accept=False)
        _answer(item, other.user, NOW - datetime.timedelta(hours=2))


@pytest.mark.parametrize("size", [1, 5])
def test_each_kind_runs_a_fixed_number_of_queries_whatever_the_number_of_items(
    size, cadre, department, staff, leader, office, django_assert_num_queries
):
    _items(size, cadre, department, leader)
    for kind, kind_scan in KIND_SCANS.items():
        with django_assert_num_queries(QUERIES[kind]):
            found = list(kind_scan(reminders.Clock(NOW), reminders.People()))
        assert found and {d.kind for d in found} == {kind}


def test_the_whole_scan_runs_as_many_queries_for_five_items_of_each_state_as_for_one(
    cadre, department, staff, leader, office
):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            scan(now=NOW)
        return len(queries)

    _items(1, cadre, department, leader)
    one = count()
    _items(4, cadre, department, leader)
    assert count() == one


# --- The demo district ---


def test_the_demo_districts_items_are_reminded(demo_district):
    found = scan(now=timezone.now())
    told = {(d.kind, d.recipient_id) for d in found if d.kind in RECTIFICATION_KINDS}
    users = dict(User.objects.filter(username__in=("bumen01", "lingdao01")).values_list("username", "pk"))
    assert {(Kind.RECTIFICATION_RAISED, users["bumen01"]), (Kind.RECTIFICATION_OVERDUE, users["bumen01"])} <= told
    assert (Kind.RECTIFICATION_ANSWERED, users["lingdao01"]) in told
    assert {kind for kind, _user in told} == set(RECTIFICATION_KINDS)
