"""The visits' kept figures (visits/kept.py, organisation/kept.py): a visit logged, corrected, answered or deleted,
a pairing begun by an import, the tally rebuilt: each shows at once, through the real services."""

import datetime

import pytest
from django.utils import timezone

from enterprises.links import link_issue
from organisation.imports import enterprise_import
from oversight.scope import Scope, visit_figures
from tests import factories
from tests.kept.conftest import Kept, period
from tests.organisation.helpers import HEADER, xlsx_bytes
from visits import tallies
from visits.models import EnterpriseAnswer, Visit, VisitTally
from visits.services import VisitData, visit_correct, visit_log, visits_delete
from voice.services import visit_answer

pytestmark = pytest.mark.django_db


def figures(leader, month):
    return visit_figures(leader, Scope(period(month)))


def kept_figures(leader, month) -> Kept:
    return Kept("visit figures", {"visits": [month.first]}, lambda: figures(leader, month))


def log(cadre, day: datetime.date) -> Visit:
    data = VisitData(visited_on=day, mode=Visit.Mode.ON_SITE, summary="走访了解生产经营情况。")
    return visit_log(actor=cadre.user, pairing=cadre.pairings.get(ended_on__isnull=True), data=data)


def test_a_visit_logged_shows_at_once(cadre, leader, this_month):
    page = kept_figures(leader, this_month)
    before = page.read()
    log(cadre, timezone.localdate())
    after = page.read()
    assert after == figures(leader, this_month) != before
    assert after.visits == before.visits + 1
    assert page.read() == after and page.counted == 2  # kept again until the next change


def test_a_visit_dated_last_month_logged_now_touches_its_month_and_this_one(cadre, leader, this_month, last_month):
    from core.models import FigureVersion

    cadre.pairings.update(started_on=last_month.first)  # held all of last month (no signal: nothing kept yet)
    tokens = dict(FigureVersion.objects.filter(family="visits").values_list("month", "token"))
    last, now = kept_figures(leader, last_month), kept_figures(leader, this_month)
    before_last, before_now = last.read(), now.read()
    log(cadre, last_month.last)
    # Last month is over: a visit logged after its end is not among its visits, yet its month was touched
    # ("logged after" is read from it), so it is counted again and agrees with a fresh count.
    assert last.read() == figures(leader, last_month) == before_last
    assert last.counted == 2
    assert now.read() == figures(leader, this_month)
    assert now.counted == 2 and before_now == now.read()  # counted again (touched), same figures
    changed = dict(FigureVersion.objects.filter(family="visits").values_list("month", "token"))
    assert changed[last_month.first] != tokens.get(last_month.first)


def test_a_correction_to_another_day_shows_at_once(cadre, leader, this_month):
    today = timezone.localdate()
    visit = log(cadre, today)
    page = kept_figures(leader, this_month)
    before = page.read()
    earlier = today - datetime.timedelta(days=1) if today.day > 1 else today
    second = log(cadre, earlier)
    data = VisitData(visited_on=today, mode=Visit.Mode.REMOTE, summary="电话回访。")
    visit_correct(actor=cadre.user, visit=second, data=data)
    after = page.read()
    assert after == figures(leader, this_month)
    assert after.visits == before.visits + 1
    assert Visit.objects.filter(pk=visit.pk).exists()


def test_the_enterprises_answer_shows_at_once(cadre, enterprise, leader, this_month):
    visit = log(cadre, timezone.localdate())
    page = kept_figures(leader, this_month)
    before = page.read()
    visit_answer(
        link=link_issue(enterprise=enterprise, actor=None), visit_id=visit.pk, answer=EnterpriseAnswer.CONFIRMED
    )
    after = page.read()
    assert after == figures(leader, this_month) != before
    assert (before.confirmed, after.confirmed) == (0, 1)


def test_a_visit_deleted_by_the_admin_shows_at_once(cadre, leader, this_month):
    visit = log(cadre, timezone.localdate())
    page = kept_figures(leader, this_month)
    before = page.read()
    visits_delete(visits=[visit])
    after = page.read()
    assert after == figures(leader, this_month) != before
    assert after.visits == before.visits - 1


def test_a_pairing_begun_by_an_import_shows_at_once(cadre, leader, this_month):
    """The import writes pairings in bulk (organisation/services.py `PairingBook`): no signal, one touch."""
    page = kept_figures(leader, this_month)
    before = page.read()
    uscc = factories.make_uscc()
    row = [
        "西安灞桥新材料有限公司",
        uscc,
        "企业",
        "市级确定",
        "工业",
        "",
        "孙浩然",
        "区长",
        this_month.first.isoformat(),
    ]
    report = enterprise_import(data=xlsx_bytes([HEADER, row]), dry_run=False)
    assert report.ok, report.errors
    after = page.read()
    assert after == figures(leader, this_month) != before
    assert after.pairings == before.pairings + 1


def test_a_pairing_ended_by_the_model_shows_at_once(cadre, leader, this_month):
    page = kept_figures(leader, this_month)
    before = page.read()
    pairing = cadre.pairings.get()
    pairing.ended_on = timezone.localdate() - datetime.timedelta(days=1)
    pairing.started_on = min(pairing.started_on, pairing.ended_on)
    pairing.save()
    after = page.read()
    assert after == figures(leader, this_month) != before
    assert after.pairings == before.pairings - 1


def test_a_tally_rebuilt_after_drift_shows_at_once(cadre, leader, this_month):
    """The two-visit rule reads the tally: a drifted tally repaired changes the figures, so rebuild touches."""
    log(cadre, timezone.localdate())
    log(cadre, timezone.localdate())
    VisitTally.objects.update(visits=0)  # drift, as a write outside the services would leave it
    page = kept_figures(leader, this_month)
    drifted = page.read()
    tallies.rebuild()
    after = page.read()
    assert after == figures(leader, this_month)
    assert after.compliant == drifted.compliant + 1
