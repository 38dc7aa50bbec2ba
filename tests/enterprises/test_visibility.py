"""Who sees which enterprises: `Enterprise.objects.visible_to(user)`, persona by persona."""

import pytest

from enterprises.models import Enterprise
from issues.models import Action, IssueEvent, Status
from tests import factories
from tests.visibility import expected, seen_by

pytestmark = pytest.mark.django_db


def test_each_persona_sees_exactly_the_enterprises_its_role_allows(
    everyone, cadre, other_cadre, enterprise, other_enterprise, former_enterprise, department, other_department
):
    unpaired = factories.EnterpriseFactory(name="西安灞桥未结对有限公司")
    # Two of its problems are with the department: the enterprise must still be listed once.
    factories.issue_in(Status.ASSIGNED, department=department, enterprise=unpaired, reporter=cadre)
    factories.issue_in(Status.IN_PROGRESS, department=department, enterprise=unpaired, reporter=cadre)
    factories.issue_in(
        Status.IN_PROGRESS, department=other_department, enterprise=other_enterprise, reporter=other_cadre
    )
    # The other department had a problem of alice's enterprise and returned it as not its remit.
    returned = factories.issue_in(Status.REPORTED, enterprise=enterprise, reporter=cadre)
    IssueEvent.objects.create(
        issue=returned, actor=cadre.user, action=Action.ASSIGN, to_status=Status.ASSIGNED, department=other_department
    )
    IssueEvent.objects.create(
        issue=returned, actor=cadre.user, action=Action.RETURN, from_status=Status.ASSIGNED, to_status=Status.REPORTED
    )

    seen = seen_by(everyone, lambda user: Enterprise.objects.visible_to(user).values_list("name", flat=True))

    assert seen == expected(
        {enterprise.name, other_enterprise.name, former_enterprise.name, unpaired.name},
        # The paired enterprise, and the one served before: a cadre keeps read access to it.
        cadre={enterprise.name, former_enterprise.name},
        other_cadre={other_enterprise.name},
        successor={former_enterprise.name},
        # Staff see the enterprises whose problems are with their department now; a department
        # keeps sight of a problem it returned (issues' rule), not of that problem's enterprise.
        staff={unpaired.name},
        other_staff={other_enterprise.name},
    )
