import datetime
from collections import Counter

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.utils.translation import gettext as _

from core.months import Month
from core.roles import roles_of
from demo.seed import DEMO_LOGINS, seed_demo
from enterprises.models import Enterprise, Sector
from issues.models import Flow, Issue, IssueEvent, Status
from organisation.models import Cadre, Department, Pairing
from supervision.models import Inspection, Rectification, Response
from visits.compliance import judge
from visits.models import Visit

pytestmark = pytest.mark.django_db


def _counts():
    return {
        model.__name__: model.objects.count()
        for model in (
            User,
            Department,
            Cadre,
            Enterprise,
            Pairing,
            Visit,
            Issue,
            IssueEvent,
            Inspection,
            Rectification,
            Response,
        )
    }


def test_it_pairs_139_cadres_one_to_one_with_63_city_and_76_district_enterprises(demo_district):
    active = Pairing.objects.active()
    assert active.count() == 139
    assert Cadre.objects.count() == 139
    assert active.values("cadre").distinct().count() == 139
    assert active.values("enterprise").distinct().count() == 139
    origins = Counter(active.values_list("enterprise__origin", flat=True))
    assert origins == {"city": 63, "district": 76}


def test_it_covers_all_six_sectors_and_several_streets(demo_district):
    assert set(Enterprise.objects.values_list("sector", flat=True)) == set(Sector.values)
    assert Enterprise.objects.values("street").distinct().count() >= 9


def test_every_demo_enterprise_code_is_valid(demo_district):
    for enterprise in Enterprise.objects.exclude(uscc=None):
        enterprise.full_clean()


def test_it_keeps_pairing_history(demo_district):
    assert Pairing.objects.filter(ended_on__isnull=False).count() == 2


def test_running_it_twice_changes_nothing(demo_district):
    before = _counts()
    again = seed_demo(today=demo_district.today)
    assert not again.changed
    assert _counts() == before


def test_most_cadres_keep_the_two_visit_rule_and_some_do_not(demo_district):
    month = Month.of(demo_district.today.replace(day=1) - datetime.timedelta(days=1))  # last month, which is over
    cells = [row.cells[0] for row in judge([month], demo_district.today) if row.cells[0].is_judged]
    compliant = sum(cell.is_compliant for cell in cells)
    assert 0.7 * len(cells) < compliant < len(cells)


def test_no_visit_falls_outside_its_pairing_or_in_the_future(demo_district):
    for visit in Visit.objects.select_related("pairing"):
        assert visit.pairing.started_on <= visit.visited_on <= demo_district.today
        assert visit.pairing.ended_on is None or visit.visited_on <= visit.pairing.ended_on


def test_problems_cover_all_three_flows_and_several_states_some_overdue(demo_district):
    # Every way, and the request an enterprise raised itself, not yet routed (no flow: demo/voice.py).
    assert set(Issue.objects.values_list("flow", flat=True)) == {*Flow.values, ""}
    statuses = set(Issue.objects.values_list("status", flat=True))
    assert set(Status.values) <= statuses  # every state, closed and reopened included
    assert Issue.objects.filter(matter__isnull=False).count() == 3
    assert Issue.objects.filter(supervised=True).exists()
    assert Issue.objects.overdue(demo_district.today).exists()
    assert Issue.objects.due_soon(demo_district.today).exists()
    # Every problem has a timeline that ends in its current state.
    for issue in Issue.objects.prefetch_related("events"):
        assert list(issue.events.all())[-1].to_status == issue.status


def test_the_command_loads_the_district_once_and_respects_if_empty(capsys, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path  # the supervision photos it uploads
    call_command("seed_demo", "--if-empty")
    assert Enterprise.objects.count() == 139
    capsys.readouterr()
    call_command("seed_demo", "--if-empty")
    assert _("The database holds enterprises already: the demo district was not loaded.") in capsys.readouterr().out


def test_it_fills_the_policy_library_and_errands_at_every_stage(demo_district):
    from visits.models import Errand, Policy

    assert Policy.objects.count() == 12
    assert Visit.policies.through.objects.exists()
    assert set(Errand.objects.values_list("stage", flat=True)) == {1, 2, 3, 4}
    assert Errand.objects.stale().exists()


def test_every_demo_login_listed_exists_with_its_role_and_the_password(demo_district):
    for login in DEMO_LOGINS:
        for username in (login.first, login.last):
            user = User.objects.get(username=username)
            assert login.role in roles_of(user) and user.check_password("Baqiao@2026")


def test_every_unit_of_the_demo_district_can_receive_problems(demo_district):
    assert Department.objects.filter(kind=Department.Kind.STREET).count() == 9
    assert Department.objects.can_receive().count() == Department.objects.count() == 22
    assert not Department.objects.awaiting_staff().exists()
