"""The policies' reach (visits/reach.py): kept by every service that writes a visit or its policies, rebuilt
set-based, checked; the library's figure and the policy's paged lists read it (issue 16)."""

import datetime
import re
import zoneinfo

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count, Max
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from organisation.models import Pairing
from tests.factories import CadreFactory, EnterpriseFactory
from visits import reach, tasks, views
from visits.models import Policy, PolicyReach, PolicySector, Visit
from visits.services import (
    VisitData,
    VisitError,
    visit_admin_policies_save,
    visit_admin_save,
    visit_correct,
    visit_log,
    visits_delete,
)

pytestmark = pytest.mark.django_db
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
NOW = datetime.datetime(2026, 11, 20, 10, 0, tzinfo=SHANGHAI)
LIST = reverse("visits:policy_list")
LINKS = Visit.policies.through


def _policy(title: str, sector: str = "industry") -> Policy:
    policy = Policy.objects.create(title=title, level="district", issuing_body="区政府")
    PolicySector.objects.create(policy=policy, sector=sector)
    return policy


def _log(pairing: Pairing, on: datetime.date, *policies: Policy) -> Visit:
    data = VisitData(visited_on=on, mode=Visit.Mode.ON_SITE, policies=policies)
    return visit_log(actor=pairing.cadre.user, pairing=pairing, data=data, now=NOW)


def _kept() -> dict[tuple[int, int], tuple[int, datetime.date]]:
    return {(r.policy_id, r.enterprise_id): (r.visits, r.last_on) for r in PolicyReach.objects.all()}


def _counted() -> dict[tuple[int, int], tuple[int, datetime.date]]:
    """The same, counted from the links themselves: what the summary must always equal."""
    rows = (
        LINKS.objects.values("policy_id", "visit__pairing__enterprise_id")
        .annotate(n=Count("pk"), last=Max("visit__visited_on"))
        .order_by()
    )
    return {(r["policy_id"], r["visit__pairing__enterprise_id"]): (r["n"], r["last"]) for r in rows}


def _raw_figures(policies: list[Policy]) -> dict[int, int]:
    """The library's figure as it was counted before: distinct enterprises over every link."""
    figures = dict.fromkeys((p.pk for p in policies), 0)
    rows = LINKS.objects.values("policy_id").annotate(n=Count("visit__pairing__enterprise_id", distinct=True))
    figures.update((r["policy_id"], r["n"]) for r in rows.order_by())
    return figures


def _in_step(client, overseer, policies: list[Policy]) -> None:
    assert _kept() == _counted()
    assert reach.drift() == []
    client.force_login(overseer)
    shown = {policy.pk: n for policy, n in client.get(LIST).context["policies"]}
    assert shown == _raw_figures(policies)


def test_logging_correcting_and_deleting_keep_the_figure_the_raw_count_gives(client, office, cadre, other_cadre):
    mine, theirs = cadre.pairings.get(), other_cadre.pairings.get()
    a, b, c = _policy("强工业奖励"), _policy("技改补贴"), _policy("人才政策")
    policies = [a, b, c]
    first = _log(mine, datetime.date(2026, 11, 3), a, b)
    _log(mine, datetime.date(2026, 11, 5), a)
    _log(theirs, datetime.date(2026, 11, 4), a)
    _in_step(client, office, policies)
    assert _kept()[(a.pk, mine.enterprise_id)] == (2, datetime.date(2026, 11, 5))

    # A correction that drops b (its only link there) and adds c, then moves the date past the other visit.
    visit_correct(
        actor=cadre.user,
        visit=first,
        data=VisitData(datetime.date(2026, 11, 3), "on_site", "", "", "", (a, c)),
        now=NOW,
    )
    assert (b.pk, mine.enterprise_id) not in _kept()
    _in_step(client, office, policies)
    visit_correct(
        actor=cadre.user,
        visit=first,
        data=VisitData(datetime.date(2026, 11, 9), "on_site", "", "", "", (a, c)),
        now=NOW,
    )
    assert _kept()[(a.pk, mine.enterprise_id)] == (2, datetime.date(2026, 11, 9))
    # ... and back before it: the latest date is the other visit's again.
    visit_correct(
        actor=cadre.user, visit=first, data=VisitData(datetime.date(2026, 11, 1), "on_site", "", "", "", (a,)), now=NOW
    )
    assert _kept()[(a.pk, mine.enterprise_id)] == (2, datetime.date(2026, 11, 5))
    _in_step(client, office, policies)

    visits_delete(visits=list(Visit.objects.filter(pairing=mine)))
    assert _kept() == {(a.pk, theirs.enterprise_id): (1, datetime.date(2026, 11, 4))}
    _in_step(client, office, policies)


def test_a_refused_visit_counts_nothing(cadre):
    policy = _policy("强工业奖励")
    with pytest.raises(VisitError):
        _log(cadre.pairings.get(), datetime.date(2030, 1, 1), policy)  # in the future: refused
    assert not PolicyReach.objects.exists()


def test_the_admin_s_change_of_pairing_and_policies_moves_the_reach(client, leader, cadre, other_cadre):
    a, b = _policy("强工业奖励"), _policy("技改补贴")
    visit = _log(cadre.pairings.get(), datetime.date(2026, 11, 3), a)
    visit.pairing = other_cadre.pairings.get()
    visit_admin_save(visit=visit)
    assert _kept() == {(a.pk, other_cadre.pairings.get().enterprise_id): (1, datetime.date(2026, 11, 3))}
    visit_admin_policies_save(visit=visit, save=lambda: visit.policies.set([b]))
    assert _kept() == {(b.pk, other_cadre.pairings.get().enterprise_id): (1, datetime.date(2026, 11, 3))}
    _in_step(client, leader, [a, b])


def test_the_admin_s_change_form_and_delete_go_through_the_services(client, superuser, leader, cadre):
    a, b = _policy("强工业奖励"), _policy("技改补贴")
    visit = _log(cadre.pairings.get(), datetime.date(2026, 11, 3), a)
    client.force_login(superuser)
    change = reverse("admin:visits_visit_change", args=[visit.pk])
    form = client.get(change).context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if value is None:
            continue
        if isinstance(value, list):
            data[name] = value
        elif hasattr(field, "fields"):  # the split date and time of `created_at`
            data[f"{name}_0"], data[f"{name}_1"] = f"{visit.created_at:%Y-%m-%d}", f"{visit.created_at:%H:%M:%S}"
        else:
            data[name] = value
    data["policies"] = [b.pk]
    data.update(
        {
            "files-TOTAL_FORMS": "0",
            "files-INITIAL_FORMS": "0",
            "files-MIN_NUM_FORMS": "0",
            "files-MAX_NUM_FORMS": "1000",
        }
    )
    response = client.post(change, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    assert list(Visit.objects.get().policies.all()) == [b]
    assert _kept() == {(b.pk, cadre.pairings.get().enterprise_id): (1, datetime.date(2026, 11, 3))}

    response = client.post(reverse("admin:visits_visit_delete", args=[visit.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not PolicyReach.objects.exists()
    _in_step(client, leader, [a, b])


def test_rebuild_drift_the_command_and_the_nightly_job(cadre, other_cadre, capsys, settings):
    a, b = _policy("强工业奖励"), _policy("技改补贴")
    mine, theirs = cadre.pairings.get(), other_cadre.pairings.get()
    _log(mine, datetime.date(2026, 11, 3), a, b)
    _log(theirs, datetime.date(2026, 11, 4), b)
    call_command("rebuild_tallies", "--check")
    # Links made around the services (a bulk load) and a summary row gone wrong.
    extra = Visit.objects.bulk_create(
        [Visit(pairing=theirs, visited_on=datetime.date(2026, 11, 8), created_by=other_cadre.user)]
    )
    LINKS.objects.create(visit=extra[0], policy=a)
    PolicyReach.objects.filter(policy=b, enterprise_id=mine.enterprise_id).update(visits=5)

    assert [(d.policy_id, d.enterprise_id, d.kept[0], d.counted[0]) for d in reach.drift()] == sorted(
        [(a.pk, theirs.enterprise_id, 0, 1), (b.pk, mine.enterprise_id, 5, 1)]
    )
    with pytest.raises(CommandError):
        call_command("rebuild_tallies", "--check")
    assert f"政策 {b.pk}，企业 {mine.enterprise_id}：" in capsys.readouterr().out
    assert PolicyReach.objects.get(policy=b, enterprise_id=mine.enterprise_id).visits == 5  # --check writes nothing

    assert tasks.repair_tallies() == 3  # the bulk visit's pairing-month in the visit tally, and the two pairs
    assert _kept() == _counted() and reach.drift() == []
    PolicyReach.objects.all().delete()
    call_command("rebuild_tallies")
    call_command("rebuild_tallies", "--check")
    assert _kept() == _counted()
    assert settings.CELERY_BEAT_SCHEDULE["repair-visit-tallies"]["task"] == tasks.repair_tallies.name


def test_the_demo_district_seeds_its_reach(demo_district):
    assert PolicyReach.objects.exists()
    assert reach.drift() == []


def _many(policy: Policy, reached: int, unreached: int) -> tuple[list[int], list[int]]:
    """Enterprises in the policy's sector, `reached` of them told it on successive days (bulk, then rebuilt)."""
    cadre = CadreFactory()
    enterprises = EnterpriseFactory.create_batch(reached + unreached, sector="industry", street="纺织城街道" * 3)
    told = enterprises[:reached]
    start = datetime.date(2025, 1, 1)
    pairings = Pairing.objects.bulk_create(
        Pairing(cadre=cadre, enterprise=e, started_on=start, ended_on=start + datetime.timedelta(days=600))
        for e in told
    )
    visits = Visit.objects.bulk_create(
        Visit(pairing=p, visited_on=start + datetime.timedelta(days=i), created_by=cadre.user)
        for i, p in enumerate(pairings)
    )
    LINKS.objects.bulk_create(LINKS(visit=v, policy=policy) for v in visits)
    reach.rebuild()  # as the bulk writers do
    untold = sorted(enterprises[reached:], key=lambda e: (e.name, e.pk))
    return [e.pk for e in told], [e.pk for e in untold]


def test_the_policy_page_shows_a_page_of_each_list_with_their_counts_and_stays_small(client, office, monkeypatch):
    monkeypatch.setattr(views, "POLICY_PAGE_SIZE", 20)
    policy = _policy("强工业奖励")
    told, untold = _many(policy, reached=45, unreached=30)
    client.force_login(office)
    detail = reverse("visits:policy_detail", args=[policy.pk])

    first = client.get(detail)
    assert [(t.key, t.count) for t in first.context["tabs"]] == [("explained", 45), ("not_yet", 30)]
    # The latest first: the enterprises told last.
    assert [r.enterprise_id for r in first.context["page"]] == told[::-1][:20]
    second = client.get(detail, {"tab": "explained", "page": 2})
    assert [r.enterprise_id for r in second.context["page"]] == told[::-1][20:40]
    assert "tab=explained&amp;page=3" in second.content.decode()
    # Pages nearer the end are read backwards from it on the index (core/paging.py) and turned round.
    last = client.get(detail, {"tab": "explained", "page": "last"})
    assert [r.enterprise_id for r in last.context["page"]] == told[::-1][40:]
    not_yet = client.get(detail, {"tab": "not_yet", "page": 2})
    # The second page of those not yet told: the 21st to the 30th by name.
    assert [e.pk for e in not_yet.context["page"]] == untold[20:30]
    assert re.search(r'aria-current="page"[^>]*>[^<]*<span class="badge[^"]*">45</span>', first.content.decode())


def test_the_policy_page_s_size_and_queries_do_not_grow_with_the_enterprises(client, office):
    policy = _policy("强工业奖励")
    client.force_login(office)
    detail = reverse("visits:policy_detail", args=[policy.pk])

    def measure(tab: str) -> tuple[int, int]:
        client.get(detail, {"tab": tab})
        with CaptureQueriesContext(connection) as queries:
            response = client.get(detail, {"tab": tab})
        return len(response.content), len(queries)

    _many(policy, reached=views.POLICY_PAGE_SIZE, unreached=views.POLICY_PAGE_SIZE)
    small = measure("explained"), measure("not_yet")
    PolicyReach.objects.all().delete()
    _many(policy, reached=3 * views.POLICY_PAGE_SIZE, unreached=3 * views.POLICY_PAGE_SIZE)
    large = measure("explained"), measure("not_yet")
    for (small_size, small_queries), (large_size, large_queries) in zip(small, large, strict=True):
        assert large_queries == small_queries
        # A page of rows whatever the enterprises: the same rows, and the pagination's links.
        assert large_size < small_size + 2_000
        assert large_size < 200_000
