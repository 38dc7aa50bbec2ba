"""The scan is set-based: the same queries for a few reminders due or many, for the real scan and the dry run."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from issues.models import Action, ExtensionRequest, Flow, IssueEvent, Status
from notifications import reminders
from notifications.models import Delivery, Kind, Reminder
from notifications.services import reminders_send
from tests.factories import IssueFactory, PairingFactory
from tests.notifications.conftest import NOW, TODAY

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)

# The scan's reads: every kind's rows and who receives them (notifications/reminders.py).
READS = 20
# A dry run adds one query: which of the due keys are recorded already (notifications/recording.py).
DRY_RUN = READS + 1
# A real run adds the recording (one statement on PostgreSQL, two on SQLite: the reminders, their
# deliveries), who has anything pending, the scan record, and the savepoint of its transaction
# (a test runs inside a transaction; a scan of its own runs BEGIN/COMMIT, which are not queries).
RECORDING = {"postgresql": 1, "sqlite": 2}


def real_run() -> int:
    return READS + RECORDING[connection.vendor] + 2 + 2


@pytest.fixture
def campaign(department, staff, leader, office):
    """Return an adder of `count` enterprises, each with a problem of every kind the scan reminds of."""

    def _add(count: int) -> None:
        for _n in range(count):
            pairing = PairingFactory()
            mine = {"enterprise": pairing.enterprise, "reporter": pairing.cadre}
            with_department = {**mine, "flow": Flow.ASSIGNED, "department": department}
            IssueFactory(**with_department, status=Status.IN_PROGRESS, deadline=TODAY - 8 * DAY)  # overdue, 督办
            due_soon = IssueFactory(**with_department, status=Status.ASSIGNED, deadline=TODAY + DAY)
            ExtensionRequest.objects.create(
                issue=due_soon,
                requested_by=staff.user,
                old_deadline=due_soon.deadline,
                new_deadline=due_soon.deadline + 9 * DAY,
                reason="等待批复",
                created_at=NOW - 6 * DAY,
            )
            IssueFactory(**mine, status=Status.RESOLVED, resolved_at=NOW - 12 * DAY)  # waiting for feedback
            waiting = IssueFactory(**mine, status=Status.ESCALATED)  # waiting for the leading group's decision
            IssueEvent.objects.create(
                issue=waiting, actor=pairing.cadre.user, action=Action.ESCALATE, to_status=Status.ESCALATED,
                created_at=NOW - 10 * DAY,
            )  # fmt: skip

    return _add


def _queries(**kwargs) -> tuple[int, int]:
    """Run the scan at NOW (queued hand-over, as beat runs it); return (queries, reminders recorded or due)."""
    with CaptureQueriesContext(connection) as captured:
        result = reminders_send(now=NOW, **kwargs)
    return len(captured), result.total


@pytest.mark.parametrize(("enterprises", "due"), [(1, 10), (8, 73)])
def test_the_scan_and_its_dry_run_run_the_same_queries_for_10_or_73_reminders_due(
    campaign, enterprises, due, django_assert_num_queries
):
    campaign(enterprises)
    with django_assert_num_queries(DRY_RUN):
        dry = reminders_send(now=NOW, dry_run=True)
    assert dry.total == due and not Reminder.objects.exists()
    # Every kind the campaign fixture makes, in proportion to its size.
    assert dry.counts[Kind.ISSUE_OVERDUE] == dry.counts[Kind.ISSUE_SUPERVISE] * 2 == 2 * enterprises
    for kind in (Kind.ISSUE_DUE_SOON, Kind.FEEDBACK_WAITING, Kind.ESCALATION_UNDECIDED, Kind.VISIT_SHORT):
        assert dry.counts[kind] == enterprises, kind
    assert dry.counts[Kind.EXTENSION_PENDING] == 2 * enterprises  # the leading group and the office

    with django_assert_num_queries(real_run()):
        first = reminders_send(now=NOW)
    assert first.counts == dry.counts
    assert Reminder.objects.count() == due and Delivery.objects.count() == 2 * due  # in-app and email

    # Exactly once: the same scan again records nothing, in the same number of queries; nor would a dry run.
    with django_assert_num_queries(real_run()):
        assert reminders_send(now=NOW).total == 0
    with django_assert_num_queries(DRY_RUN):
        assert reminders_send(now=NOW, dry_run=True).total == 0
    assert Reminder.objects.count() == due and Delivery.objects.count() == 2 * due


def test_a_reminder_recorded_by_the_statement_reads_back_as_the_scan_found_it(campaign):
    campaign(1)
    found = {d.key: d for d in reminders.scan(now=NOW)}
    reminders_send(now=NOW)
    for row in Reminder.objects.all():
        due = found[row.kind, row.object_id, row.recipient_id, row.period]
        assert (row.params, row.link, row.created_at, row.title, row.body) == (due.params, due.link, NOW, "", "")
        assert sorted(row.deliveries.values_list("channel", "recipient_id", "sent_at")) == [
            ("email", row.recipient_id, None),
            ("in_app", row.recipient_id, None),
        ]


def test_links_are_made_as_reverse_makes_them():
    for name in ("issues:detail", "supervision:item", "visits:errand_detail"):
        assert reminders._link_to(name)(42) == reverse(name, args=[42])
