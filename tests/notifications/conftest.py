import datetime
import zoneinfo

import pytest

from issues.models import Action, Flow, IssueEvent, Status
from tests.factories import IssueFactory

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(text: str) -> datetime.datetime:
    """A moment in Asia/Shanghai, e.g. at("2026-11-20 09:00")."""
    return datetime.datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


NOW = at("2026-11-20 09:00")
TODAY = NOW.date()


@pytest.fixture
def assigned(enterprise, cadre, department):
    """A problem with the department, due on the given date."""

    def _assigned(deadline: datetime.date, **kwargs):
        kwargs.setdefault("enterprise", enterprise)
        kwargs.setdefault("reporter", cadre)
        return IssueFactory(
            flow=Flow.ASSIGNED,
            status=Status.IN_PROGRESS,
            department=department,
            responsible_person="张晓明",
            deadline=deadline,
            **kwargs,
        )

    return _assigned


@pytest.fixture
def escalated(enterprise, cadre):
    def _escalated(when: datetime.datetime, **kwargs):
        issue = IssueFactory(enterprise=enterprise, reporter=cadre, status=Status.ESCALATED, **kwargs)
        IssueEvent.objects.create(
            issue=issue, actor=cadre.user, action=Action.ESCALATE, to_status=Status.ESCALATED, created_at=when
        )
        return issue

    return _escalated
