"""Who sees which problems: `Issue.objects.visible_to(user)`, persona by persona."""

import datetime

import pytest

from issues.models import Action, Issue, IssueEvent, Status
from tests import factories
from tests.visibility import expected, seen_by

pytestmark = pytest.mark.django_db


def _moved(issue, *steps) -> None:
    """Write the problem's timeline: (action, status after, department after) per step."""
    before = ""
    for action, status, department in steps:
        IssueEvent.objects.create(
            issue=issue,
            actor=issue.reporter.user,
            action=action,
            from_status=before,
            to_status=status,
            department=department,
        )
        before = status


def test_each_persona_sees_exactly_the_problems_its_role_allows(
    everyone,
    cadre,
    other_cadre,
    successor,
    enterprise,
    other_enterprise,
    former_enterprise,
    department,
    other_department,
):
    # The cadre who served alice's enterprise before her.
    predecessor = factories.CadreFactory(name="周文斌")
    factories.PairingFactory(
        cadre=predecessor,
        enterprise=enterprise,
        started_on=datetime.date(2026, 1, 5),
        ended_on=datetime.date(2026, 6, 16),
    )

    def problem(title, status, reporter, on, department=None):
        return factories.issue_in(status, department=department, title=title, reporter=reporter, enterprise=on)

    problem("alice-reported", Status.ESCALATED, cadre, enterprise)
    problem("alice-reported-before", Status.RESOLVED, cadre, former_enterprise)
    problem("ivan-reported", Status.ESCALATED, successor, former_enterprise)
    problem("predecessor-reported", Status.CLOSED, predecessor, enterprise)
    problem("with-department", Status.ASSIGNED, cadre, enterprise, department)
    problem("with-other-department", Status.IN_PROGRESS, other_cadre, other_enterprise, other_department)
    # Returned by the other department as not its remit; nobody has it now.
    returned = problem("returned", Status.REPORTED, cadre, enterprise)
    _moved(
        returned,
        (Action.REPORT, Status.ASSIGNED, other_department),
        (Action.RETURN, Status.REPORTED, None),
    )
    # Returned by the department, then assigned to the other one, which works on it now.
    reassigned = problem("reassigned", Status.IN_PROGRESS, other_cadre, other_enterprise, other_department)
    _moved(
        reassigned,
        (Action.REPORT, Status.ASSIGNED, department),
        (Action.RETURN, Status.REPORTED, None),
        (Action.ASSIGN, Status.ASSIGNED, other_department),
        (Action.ACCEPT, Status.IN_PROGRESS, other_department),
    )

    seen = seen_by(everyone, lambda user: Issue.objects.visible_to(user).values_list("title", flat=True))

    assert seen == expected(
        {
            "alice-reported",
            "alice-reported-before",
            "ivan-reported",
            "predecessor-reported",
            "with-department",
            "with-other-department",
            "returned",
            "reassigned",
        },
        # What the cadre reported, wherever; and every problem of the enterprise served now,
        # whoever reported it. Not the problems others report on an enterprise served before.
        cadre={"alice-reported", "alice-reported-before", "predecessor-reported", "with-department", "returned"},
        other_cadre={"with-other-department", "reassigned"},
        successor={"ivan-reported", "alice-reported-before"},
        # Staff see what is with their department now and what it had before it was returned.
        staff={"with-department", "reassigned"},
        other_staff={"with-other-department", "returned", "reassigned"},
    )
