"""A reminder is said in its reader's language: the bell's list in theirs, the email in the recipient's."""

import datetime

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from issues.models import Action, Status
from issues.payloads import AssignPayload
from issues.services import issue_transition
from notifications import channels
from notifications.models import Kind, Notification, Reminder
from notifications.services import reminders_send
from tests.factories import issue_in
from tests.notifications.conftest import NOW, TODAY

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)
LIST = reverse("notifications:list")


def _list(client, user, language: str) -> str:
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client.get(LIST).content.decode()


@pytest.fixture
def scanned(assigned, staff, cadre, django_capture_on_commit_callbacks):
    """A problem one day overdue, its reminders recorded and delivered in process."""
    issue = assigned(TODAY - DAY, title="用电增容迟迟未办")
    with django_capture_on_commit_callbacks(execute=True):
        reminders_send(now=NOW, inline=True)
    return issue


def test_a_reminder_stores_its_values_never_a_sentence(scanned, staff):
    reminder = Reminder.objects.get(kind=Kind.ISSUE_OVERDUE, recipient=staff.user)
    assert (reminder.title, reminder.body) == ("", "")
    assert reminder.params["title"] == "用电增容迟迟未办" and reminder.params["days"] == 1
    assert Notification.objects.get(reminder=reminder).params == reminder.params


def test_an_english_reader_reads_the_scans_reminders_in_english_a_chinese_reader_in_chinese(client, scanned, staff):
    english = _list(client, staff.user, "en")
    assert "Overdue 1 days: 用电增容迟迟未办" in english
    assert f"was due on {scanned.deadline.isoformat()}; with {scanned.department.name} (张晓明)." in english
    chinese = _list(client, staff.user, "zh-hans")
    assert "已逾期 1 天：用电增容迟迟未办" in chinese and "Overdue" not in chinese


def test_a_hand_over_is_said_in_the_readers_language_with_the_moves_own_sentence(
    client, cadre, enterprise, department, staff, django_capture_on_commit_callbacks
):
    issue = issue_in(Status.REPORTED, enterprise=enterprise, reporter=cadre)
    deadline = TODAY + 20 * DAY
    assignment = AssignPayload(
        department=department, responsible_person="张晓明", deadline=deadline, milestones=(("核实", deadline),)
    )
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):  # an English actor
        issue_transition(issue_id=issue.pk, actor=cadre.user, action=Action.ASSIGN, version=0, payload=assignment)
    english = _list(client, staff.user, "en")
    assert f"Assigned to {department.name}: {issue.title}" in english
    assert f"Assigned to {department.name}, responsible person 张晓明, deadline {deadline.isoformat()}." in english
    chinese = _list(client, staff.user, "zh-hans")
    assert f"已交办{department.name}：{issue.title}" in chinese
    assert f"交办{department.name}，责任人张晓明，时限{deadline.isoformat()}。" in chinese
    assert "Assigned to" not in chinese


def test_a_notification_written_before_values_were_kept_says_its_stored_text(client, cadre):
    Notification.objects.create(
        recipient=cadre.user, kind=Kind.ISSUE_OVERDUE, title="已逾期 3 天：道路开口审批", body="存量提醒的正文"
    )
    for language in ("en", "zh-hans"):
        body = _list(client, cadre.user, language)
        assert "已逾期 3 天：道路开口审批" in body and "存量提醒的正文" in body


def _mailed(assigned, staff, capture) -> str:
    """Scan and deliver, in process, a problem one day overdue; return the staff member's email."""
    staff.user.email = "zhang@bq.gov.local"
    staff.user.save()
    assigned(TODAY - DAY, title="用电增容迟迟未办")
    with capture(execute=True):
        reminders_send(now=NOW, inline=True)
    (message,) = [m for m in mail.outbox if m.to == ["zhang@bq.gov.local"]]
    return message


def test_the_email_is_in_the_recipients_language_not_the_language_of_whoever_runs_the_scan(
    assigned, staff, cadre, django_capture_on_commit_callbacks
):
    with translation.override("en"):  # an English shell or request ran it
        message = _mailed(assigned, staff, django_capture_on_commit_callbacks)
    with translation.override(settings.LANGUAGE_CODE):  # nobody keeps a language of their own: the campaign's
        assert message.subject == _("[Pro-business] %(count)s reminders for you") % {"count": 1}
    assert "已逾期 1 天：用电增容迟迟未办" in message.body and "Overdue" not in message.body


def test_a_recipient_whose_language_is_english_gets_the_email_in_english(
    assigned, staff, cadre, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(channels, "recipient_language", lambda recipient: "en")
    message = _mailed(assigned, staff, django_capture_on_commit_callbacks)
    assert message.subject == "[Pro-business] 1 reminders for you"
    assert "Overdue 1 days: 用电增容迟迟未办" in message.body and "Dear " in message.body
    assert "已逾期" not in message.body


def test_the_list_runs_the_same_queries_for_more_notifications_said_from_their_values(client, staff):
    client.force_login(staff.user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(LIST).status_code == 200
        return len(queries)

    Notification.objects.create(recipient=staff.user, kind=Kind.ISSUE_DUE_SOON, params=_due_soon("一"))
    few = count()
    for n in range(20):
        Notification.objects.create(recipient=staff.user, kind=Kind.ISSUE_DUE_SOON, params=_due_soon(str(n)))
    assert count() == few


def _due_soon(title: str) -> dict:
    return {"title": title, "enterprise": "灞桥企业", "deadline": "2026-11-21", "person": "张晓明", "days": -1}


def test_values_that_no_longer_fit_their_kind_say_the_kind_never_break_the_page(caplog):
    from notifications.texts import say

    with translation.override("en"):
        said = say(Kind.ISSUE_OVERDUE, {"title": "缺少天数"})  # "days" missing
    assert said == ("Problem overdue", "") and "cannot be said" in caplog.text
