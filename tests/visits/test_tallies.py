"""The visit tally (visits/tallies.py): kept by every service that writes a visit, rebuilt set-based, checked."""

import datetime
import zoneinfo

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from core.months import Month, last_months
from demo import scale
from organisation.models import Pairing
from tests.factories import PairingFactory, VisitFactory
from visits import compliance, tallies, tasks
from visits.models import Visit, VisitTally
from visits.services import VisitData, visit_admin_save, visit_correct, visit_log, visits_delete

pytestmark = pytest.mark.django_db
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
NOW = datetime.datetime(2026, 11, 20, 10, 0, tzinfo=SHANGHAI)
TODAY = NOW.date()
# Long after every visit these tests log: "as logged before" it, the rule counts the visits themselves.
LATER = datetime.datetime(2030, 1, 1, tzinfo=SHANGHAI)


def _kept(pairing: Pairing) -> dict[datetime.date, int]:
    return dict(VisitTally.objects.filter(pairing=pairing, visits__gt=0).values_list("month", "visits"))


def _log(pairing: Pairing, on: datetime.date) -> Visit:
    return visit_log(
        actor=pairing.cadre.user, pairing=pairing, data=VisitData(visited_on=on, mode=Visit.Mode.ON_SITE), now=NOW
    )


def test_logging_visits_counts_each_in_its_month(cadre):
    pairing = cadre.pairings.get()
    _log(pairing, datetime.date(2026, 10, 31))
    _log(pairing, datetime.date(2026, 11, 1))
    _log(pairing, datetime.date(2026, 11, 20))

    assert _kept(pairing) == {datetime.date(2026, 10, 1): 1, datetime.date(2026, 11, 1): 2}
    assert tallies.drift() == []


def test_a_correction_to_another_month_moves_the_count_and_one_within_the_month_keeps_it(cadre):
    pairing = cadre.pairings.get()
    visit = _log(pairing, datetime.date(2026, 11, 3))
    _log(pairing, datetime.date(2026, 11, 4))

    visit_correct(actor=cadre.user, visit=visit, data=VisitData(datetime.date(2026, 11, 9), "on_site"), now=NOW)
    assert _kept(pairing) == {datetime.date(2026, 11, 1): 2}

    visit_correct(actor=cadre.user, visit=visit, data=VisitData(datetime.date(2026, 10, 30), "on_site"), now=NOW)
    assert _kept(pairing) == {datetime.date(2026, 10, 1): 1, datetime.date(2026, 11, 1): 1}
    assert tallies.drift() == []


def test_a_refused_visit_counts_nothing(cadre):
    pairing = cadre.pairings.get()
    with pytest.raises(Exception):  # noqa: B017  # the date check refuses it, the transaction rolls back
        _log(pairing, TODAY + datetime.timedelta(days=1))
    assert _kept(pairing) == {}


def test_deleting_visits_takes_them_out_and_an_emptied_month_leaves_no_row(cadre):
    pairing = cadre.pairings.get()
    first = _log(pairing, datetime.date(2026, 11, 3))
    second = _log(pairing, datetime.date(2026, 11, 4))
    october = _log(pairing, datetime.date(2026, 10, 4))

    assert visits_delete(visits=[first, october]) == 2
    assert _kept(pairing) == {datetime.date(2026, 11, 1): 1}
    assert not VisitTally.objects.filter(month=datetime.date(2026, 10, 1)).exists()
    visits_delete(visits=[second])
    assert not VisitTally.objects.exists()


def test_the_admin_s_change_of_pairing_and_date_moves_the_count(cadre, other_cadre):
    visit = _log(cadre.pairings.get(), datetime.date(2026, 11, 3))
    visit.pairing = other_cadre.pairings.get()
    visit.visited_on = datetime.date(2026, 9, 30)
    visit_admin_save(visit=visit)

    assert _kept(cadre.pairings.get()) == {}
    assert _kept(other_cadre.pairings.get()) == {datetime.date(2026, 9, 1): 1}
    added = Visit(pairing=cadre.pairings.get(), visited_on=TODAY, created_by=cadre.user)
    visit_admin_save(visit=added)
    assert _kept(cadre.pairings.get()) == {datetime.date(2026, 11, 1): 1}
    assert tallies.drift() == []


def test_deleting_in_the_admin_goes_through_the_service(client, superuser, cadre):
    pairing = cadre.pairings.get()
    one, two, three = (_log(pairing, datetime.date(2026, 11, day)) for day in (2, 3, 4))
    client.force_login(superuser)

    response = client.post(reverse("admin:visits_visit_delete", args=[one.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert _kept(pairing) == {datetime.date(2026, 11, 1): 2}
    response = client.post(
        reverse("admin:visits_visit_changelist"),
        {"action": "delete_selected", "_selected_action": [two.pk, three.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not Visit.objects.exists() and not VisitTally.objects.exists()


def test_rebuild_recounts_a_drifted_tally_and_only_the_pairings_asked(cadre, other_cadre):
    mine, theirs = cadre.pairings.get(), other_cadre.pairings.get()
    for day in (3, 4, 5):
        _log(mine, datetime.date(2026, 11, day))
    _log(theirs, datetime.date(2026, 11, 6))
    VisitTally.objects.filter(pairing=mine).update(visits=7)
    VisitTally.objects.filter(pairing=theirs).delete()
    Visit.objects.bulk_create([Visit(pairing=mine, visited_on=datetime.date(2026, 8, 8), created_by=cadre.user)])

    found = tallies.drift()
    assert [(d.pairing_id, d.month, d.kept, d.counted) for d in found] == [
        (mine.pk, datetime.date(2026, 8, 1), 0, 1),
        (mine.pk, datetime.date(2026, 11, 1), 7, 3),
        (theirs.pk, datetime.date(2026, 11, 1), 0, 1),
    ]
    tallies.rebuild(Pairing.objects.filter(pk=mine.pk))
    assert _kept(mine) == {datetime.date(2026, 8, 1): 1, datetime.date(2026, 11, 1): 3}
    assert _kept(theirs) == {}
    assert tallies.rebuild() == 3
    assert tallies.drift() == []


def test_rebuild_tallies_check_reports_drift_and_fails_then_the_rebuild_repairs_it(cadre, capsys):
    pairing = cadre.pairings.get()
    _log(pairing, datetime.date(2026, 11, 3))
    call_command("rebuild_tallies", "--check")
    VisitTally.objects.update(visits=5)

    with pytest.raises(CommandError):
        call_command("rebuild_tallies", "--check")
    assert f"结对 {pairing.pk}，2026-11：计数 5，走访记录 1" in capsys.readouterr().out
    assert VisitTally.objects.get().visits == 5  # --check writes nothing

    call_command("rebuild_tallies")
    call_command("rebuild_tallies", "--check")
    assert VisitTally.objects.get().visits == 1


def test_the_nightly_job_repairs_only_what_drifted(cadre, other_cadre, settings):
    _log(cadre.pairings.get(), datetime.date(2026, 11, 3))
    _log(other_cadre.pairings.get(), datetime.date(2026, 11, 3))
    VisitTally.objects.filter(pairing__cadre=cadre).update(visits=4)

    assert tasks.repair_tallies() == 1
    assert tallies.drift() == []
    assert settings.CELERY_BEAT_SCHEDULE["repair-visit-tallies"]["task"] == tasks.repair_tallies.name


def test_the_factories_and_bench_data_leave_the_tally_in_step():
    scale.build(scale.Tier(pairings=20, months=3, problems=10, visits_a_month=(0, 1, 2, 3), postgresql_only=False))
    VisitFactory(visited_on=datetime.date(2026, 7, 1))
    assert VisitTally.objects.exists()
    assert tallies.drift() == []


def test_the_demo_district_seeds_its_tally(demo_district):
    assert VisitTally.objects.exists()
    assert tallies.drift() == []


def _many_visits(today: datetime.date) -> list[Month]:
    """Cadres with every kind of month: none, short, met; a re-pairing mid-month; a pairing starting later."""
    months = last_months(today, 4)
    for i in range(12):
        pairing = PairingFactory(started_on=months[0].first)
        for m, month in enumerate(months):
            for day in range((i + m) % 4):
                VisitFactory(pairing=pairing, visited_on=month.first + datetime.timedelta(days=3 * day + i % 3))
    moved = PairingFactory(started_on=months[0].first, ended_on=months[2].first + datetime.timedelta(days=9))
    after = PairingFactory(cadre=moved.cadre, started_on=months[2].first + datetime.timedelta(days=10))
    VisitFactory(pairing=moved, visited_on=months[2].first + datetime.timedelta(days=2))
    VisitFactory(pairing=after, visited_on=months[2].first + datetime.timedelta(days=20))
    PairingFactory(started_on=today + datetime.timedelta(days=3))
    return months


def test_the_rule_judges_the_same_from_the_tally_as_from_the_visits():
    today = datetime.date(2026, 11, 20)
    months = _many_visits(today)
    held = Pairing.objects.all()

    from_tally = compliance.judge(months, today, held)
    from_visits = compliance.judge(months, today, held, logged_before=LATER)
    assert [(r.cadre.pk, r.cells) for r in from_tally] == [(r.cadre.pk, r.cells) for r in from_visits]
    assert {cell.standing for row in from_tally for cell in row.cells} == set(compliance.Standing)

    tally_grid = compliance.Standings(months, today, held)
    visits_grid = compliance.Standings(months, today, held, logged_before=LATER)
    assert tally_grid.units() == visits_grid.units()
    assert tally_grid.cadre_ids(worst_first=True) == visits_grid.cadre_ids(worst_first=True)
    assert tally_grid.months_met() == visits_grid.months_met()
    assert compliance.cells_by_cadre(months, today, held) == compliance.cells_by_cadre(
        months, today, held, logged_before=LATER
    )
    for row in from_visits:
        assert compliance.cadre_month(row.cadre, today) == row.cells[-1]


def test_the_grid_page_shows_the_standings_the_visits_give(client, leader, the_27th, settings):
    _many_visits(the_27th)
    months = last_months(the_27th, settings.CAMPAIGN_COMPLIANCE_MONTHS)
    client.force_login(leader)
    page = client.get(reverse("visits:compliance"))

    from_visits = compliance.judge(months, the_27th, Pairing.objects.all(), logged_before=LATER)
    shown = {row.cadre.pk: row.cells for row in page.context["rows"]}
    assert shown == {row.cadre.pk: row.cells for row in from_visits}
    everyone = compliance.Standings(months, the_27th, Pairing.objects.all(), logged_before=LATER)
    assert page.context["totals"] == compliance.totals(everyone.units(), months)


@pytest.mark.postgres
def test_the_months_of_a_period_for_every_pairing_are_read_from_the_tally_s_index_alone(cadre):
    from django.db import connection

    _log(cadre.pairings.get(), datetime.date(2026, 11, 3))
    spans = [compliance._Span.of(month) for month in last_months(TODAY, 3)]
    counts = compliance._visit_count_rows(compliance._window(spans, Pairing.objects.all()), spans, None)
    # A test's few rows would be read whole by any planner: without sequential and bitmap scans, the plan shows
    # which index the query can use at all, which is what a city's data makes it choose (tests/issues/test_ledger.py).
    switches = ("enable_seqscan", "enable_bitmapscan")
    with connection.cursor() as cursor:
        for switch in switches:
            cursor.execute(f"SET LOCAL {switch} = off")
        try:
            plan = counts.explain()
        finally:
            for switch in switches:
                cursor.execute(f"SET LOCAL {switch} = on")
    assert "Index Only Scan using visit_tally_months" in plan
