"""The cadre's writes refuse with a code: visits, corrections, errands."""

import datetime
import zoneinfo

import pytest

from issues.errors import WorkflowError
from issues.models import Issue
from issues.payloads import ResolvePayload
from organisation.models import Pairing
from tests.factories import VisitFactory, category
from visits.models import Errand, Visit
from visits.services import (
    RaisedProblem,
    VisitData,
    VisitError,
    errand_advance,
    errand_open,
    visit_correct,
    visit_log,
)

pytestmark = pytest.mark.django_db
NOW = datetime.datetime(2026, 11, 20, 10, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))
TODAY = NOW.date()
ON_SITE = Visit.Mode.ON_SITE


def _visit(on: datetime.date = TODAY) -> VisitData:
    return VisitData(visited_on=on, mode=ON_SITE)


def test_only_the_cadre_serving_the_enterprise_now_logs_its_visits(cadre, other_cadre):
    with pytest.raises(VisitError) as exc:
        visit_log(actor=other_cadre.user, pairing=cadre.pairings.get(), data=_visit(), now=NOW)
    assert exc.value.code == "not_own_pairing"
    Pairing.objects.filter(cadre=cadre).update(ended_on=TODAY)
    with pytest.raises(VisitError) as exc:
        visit_log(actor=cadre.user, pairing=cadre.pairings.get(), data=_visit(), now=NOW)
    assert exc.value.code == "not_own_pairing"  # the same refusal: not the enterprise they serve now
    assert not Visit.objects.exists()


def test_a_problem_the_service_refuses_takes_the_visit_with_it(cadre):
    bad = RaisedProblem(title="门前道路积水", category=category("utilities"), route=ResolvePayload(note=""))
    with pytest.raises(WorkflowError) as exc:
        visit_log(actor=cadre.user, pairing=cadre.pairings.get(), data=_visit(), problems=[bad], now=NOW)
    assert exc.value.code == "note_required"
    assert not Visit.objects.exists() and not Issue.objects.exists()


def test_a_misspelled_field_of_a_raised_problem_is_a_type_error():
    with pytest.raises(TypeError):
        RaisedProblem(title="x", category=None, route=ResolvePayload(note="x"), note="x")


def test_a_visit_is_corrected_only_by_its_cadre_and_only_while_open(cadre, other_cadre):
    visit = VisitFactory(pairing=cadre.pairings.get(), visited_on=TODAY, created_at=NOW)
    with pytest.raises(VisitError) as exc:
        visit_correct(actor=other_cadre.user, visit=visit, data=_visit(), now=NOW)
    assert exc.value.code == "not_own_pairing"
    with pytest.raises(VisitError) as exc:
        visit_correct(actor=cadre.user, visit=visit, data=_visit(), now=NOW + datetime.timedelta(days=8))
    assert exc.value.code == "visit_locked"


def test_a_correction_keeps_the_visit_within_the_pairing(cadre):
    pairing = cadre.pairings.get()
    visit = VisitFactory(pairing=pairing, visited_on=TODAY - datetime.timedelta(days=3), created_at=NOW)
    Pairing.objects.filter(pk=pairing.pk).update(ended_on=TODAY - datetime.timedelta(days=2))
    with pytest.raises(VisitError) as exc:
        visit_correct(actor=cadre.user, visit=visit, data=_visit(TODAY), now=NOW)
    assert exc.value.code == "pairing_ended"
    with pytest.raises(VisitError) as exc:
        visit_correct(
            actor=cadre.user, visit=visit, data=_visit(pairing.started_on - datetime.timedelta(days=1)), now=NOW
        )
    assert exc.value.code == "before_pairing"


@pytest.mark.parametrize(
    ("who", "on", "code"),
    [
        ("other_cadre", TODAY, "not_own_pairing"),
        ("cadre", TODAY + datetime.timedelta(days=1), "stage_in_future"),
        ("cadre", datetime.date(2026, 6, 16), "before_pairing"),  # the day before the pairing started
        ("cadre", datetime.date(9999, 12, 31), "date_out_of_range"),
        ("cadre", datetime.date(1, 1, 1), "date_out_of_range"),
    ],
)
def test_an_errand_is_opened_by_its_cadre_dated_within_the_pairing(request, cadre, who, on, code):
    actor = request.getfixturevalue(who).user
    with pytest.raises(VisitError) as exc:
        errand_open(
            actor=actor,
            pairing=cadre.pairings.get(),
            matter="施工许可",
            approving_department="区住建局",
            mode="agent",
            on=on,
            now=NOW,
        )
    assert exc.value.code == code
    assert not Errand.objects.exists()


@pytest.mark.parametrize(
    ("who", "stage", "on", "result", "code"),
    [
        ("other_cadre", 3, TODAY, "", "not_own_pairing"),
        ("cadre", 2, TODAY, "", "errand_backwards"),
        ("cadre", 3, TODAY + datetime.timedelta(days=1), "", "stage_in_future"),
        ("cadre", 3, TODAY - datetime.timedelta(days=3), "", "stage_before_previous"),
        ("cadre", 4, TODAY, " ", "result_required"),
    ],
)
def test_an_errand_moves_forward_by_its_cadre_in_date_order_to_a_result(request, cadre, who, stage, on, result, code):
    pairing = cadre.pairings.get()
    errand = errand_open(
        actor=cadre.user,
        pairing=pairing,
        matter="施工许可",
        approving_department="区住建局",
        mode="agent",
        on=TODAY - datetime.timedelta(days=2),
        now=NOW,
    )
    errand_advance(actor=cadre.user, errand=errand, stage=2, on=TODAY - datetime.timedelta(days=1), now=NOW)
    actor = request.getfixturevalue(who).user
    with pytest.raises(VisitError) as exc:
        errand_advance(actor=actor, errand=errand, stage=stage, on=on, result=result, now=NOW)
    assert exc.value.code == code
    errand.refresh_from_db()
    assert errand.stage == 2 and errand.steps.count() == 2
