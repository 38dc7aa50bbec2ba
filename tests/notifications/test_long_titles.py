"""A problem's title may fill the 200 characters alone: its reminders and hand-overs are recorded, and said cut.

SQLite does not enforce a column's length; PostgreSQL refuses a row too long, and with it the whole
scan or the move: hence the marker. The title is kept among the values, never in the 200-character
column, and what the bell shows is cut to that length.
"""

import datetime

import pytest

from issues.models import Action, Status
from issues.payloads import ResolvePayload
from issues.services import issue_transition
from notifications.models import TITLE_LENGTH, Kind, Notification, Reminder
from notifications.services import reminders_send
from tests.factories import issue_in
from tests.notifications.conftest import NOW, TODAY

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]
LONG = "长" * 200


def test_a_reminder_about_a_problem_with_the_longest_title_is_recorded_cut(assigned, staff, cadre):
    assigned(TODAY + datetime.timedelta(days=1), title=LONG)
    assert reminders_send(now=NOW).counts[Kind.ISSUE_DUE_SOON] == 1
    title = Reminder.objects.get(kind=Kind.ISSUE_DUE_SOON).text.title
    assert len(title) == TITLE_LENGTH


def test_a_move_on_a_problem_with_the_longest_title_tells_with_a_cut_title(cadre, enterprise, staff, department):
    issue = issue_in(Status.IN_PROGRESS, department=department, enterprise=enterprise, reporter=cadre, title=LONG)
    issue_transition(
        issue_id=issue.pk, actor=staff.user, action=Action.RESOLVE, version=0, payload=ResolvePayload(note="已办结")
    )
    assert len(Notification.objects.get(recipient=cadre.user).text.title) == TITLE_LENGTH
