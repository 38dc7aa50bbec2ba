import datetime
import io

import pytest
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from openpyxl import load_workbook

from issues.models import Issue, Status
from organisation.models import Pairing
from tests.factories import EnterpriseFactory, PairingFactory, VisitFactory, category
from tests.refusals import in_chinese, refusals, shown
from tests.submissions import with_token
from visits import reach
from visits.models import Errand, Policy, PolicySector, Visit
from visits.services import errand_advance, errand_open

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def _visit_post(**extra):
    data = {
        "visited_on": TODAY().isoformat(),
        "mode": "on_site",
        "operations": "生产正常",
        "summary": "走访座谈",
        "problems-TOTAL_FORMS": "0",
        "problems-INITIAL_FORMS": "0",
        "problems-MIN_NUM_FORMS": "0",
        "problems-MAX_NUM_FORMS": "10",
    }
    data.update(extra)
    return with_token(data)


def _two_problems(department, *, deadline=None, milestone_on=None):
    deadline = deadline or TODAY() + datetime.timedelta(days=10)
    return {
        "problems-TOTAL_FORMS": "2",
        "problems-0-title": "门前道路积水",
        "problems-0-category": category("utilities").pk,
        "problems-0-route": "resolve",
        "problems-0-note": "现场协调市政养护，当场处理。",
        "problems-1-title": "施工许可证办理慢",
        "problems-1-category": category("approvals").pk,
        "problems-1-route": "assign",
        "problems-1-department": department.pk,
        "problems-1-responsible_person": "张晓明",
        "problems-1-deadline": deadline.isoformat(),
        "problems-1-milestone_1": "办结并答复企业",
        "problems-1-milestone_1_on": (milestone_on or deadline).isoformat(),
    }


# --- Access ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["visits:my_enterprise", "visits:visit_new", "visits:visit_list", "visits:errand_list", "visits:compliance"]
)
def test_anonymous_users_are_sent_to_login(client, name):
    assert client.get(reverse(name))["Location"].startswith(reverse("login"))


def test_a_cadre_reaches_only_their_own_visits_and_errands(client, cadre, other_cadre):
    mine = VisitFactory(pairing=cadre.pairings.get())
    theirs = VisitFactory(pairing=other_cadre.pairings.get())
    their_errand = errand_open(
        actor=other_cadre.user,
        pairing=other_cadre.pairings.get(),
        matter="施工许可",
        approving_department="区住建局",
        mode="agent",
        on=TODAY(),
    )
    client.force_login(cadre.user)
    assert client.get(reverse("visits:visit_detail", args=[mine.pk])).status_code == 200
    assert client.get(reverse("visits:visit_detail", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("visits:visit_edit", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("visits:errand_detail", args=[their_errand.pk])).status_code == 404
    assert theirs.pairing.enterprise.name not in client.get(reverse("visits:visit_list")).content.decode()


@pytest.mark.parametrize(("name", "persona"), [("visits:visit_new", "staff"), ("visits:compliance", "cadre")])
def test_pages_of_another_role_are_forbidden(client, request, name, persona):
    client.force_login(request.getfixturevalue(persona).user)
    assert client.get(reverse(name)).status_code == 403


def test_a_visit_page_refuses_post(client, cadre):
    visit = VisitFactory(pairing=cadre.pairings.get())
    client.force_login(cadre.user)
    assert client.post(reverse("visits:visit_detail", args=[visit.pk])).status_code == 405


# --- Logging a visit --------------------------------------------------------------------------


def test_a_visit_with_two_problems_is_one_submit(client, cadre, department, staff):
    client.force_login(cadre.user)
    response = client.post(reverse("visits:visit_new"), _visit_post(**_two_problems(department)))
    visit = Visit.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("visits:visit_detail", args=[visit.pk])
    assert dict(Issue.objects.values_list("title", "status")) == {
        "门前道路积水": Status.RESOLVED,
        "施工许可证办理慢": Status.ASSIGNED,
    }
    assert set(visit.issues.values_list("pk", flat=True)) == set(Issue.objects.values_list("pk", flat=True))


def test_a_failure_in_either_problem_saves_nothing(client, cadre, department, staff):
    client.force_login(cadre.user)
    deadline = TODAY() + datetime.timedelta(days=10)
    # The service refuses a milestone after the deadline: the visit and the first problem go too.
    bad = _two_problems(department, deadline=deadline, milestone_on=deadline + datetime.timedelta(days=5))
    response = client.post(reverse("visits:visit_new"), _visit_post(**bad))
    assert response.status_code == 400
    form = response.context["form"]
    assert form.has_error(NON_FIELD_ERRORS, "milestone_after_deadline")
    assert shown(response, form.non_field_errors()[0])
    assert not Visit.objects.exists() and not Issue.objects.exists()


def test_a_form_error_in_a_problem_saves_nothing(client, cadre, department):
    client.force_login(cadre.user)
    data = _visit_post(**_two_problems(department))
    data["problems-0-note"] = ""  # solved on the spot, but not said how
    assert client.post(reverse("visits:visit_new"), data).status_code == 400
    assert not Visit.objects.exists() and not Issue.objects.exists()


def test_an_added_problem_left_untouched_is_ignored(client, cadre):
    client.force_login(cadre.user)
    data = _visit_post(**{"problems-TOTAL_FORMS": "1", "problems-0-milestone_1": "办结并答复企业"})
    assert client.post(reverse("visits:visit_new"), data).status_code == 302
    assert Visit.objects.count() == 1 and not Issue.objects.exists()


def test_a_visit_before_the_pairing_started_is_refused_in_chinese(client, cadre):
    client.force_login(cadre.user)
    response = client.post(reverse("visits:visit_new"), _visit_post(visited_on="2020-01-01"))
    assert response.status_code == 400
    form = response.context["form"]
    assert form.has_error(NON_FIELD_ERRORS, "before_pairing")
    [message] = form.non_field_errors()
    assert shown(response, message) and in_chinese(message)
    assert not Visit.objects.exists()


def test_policies_of_the_enterprises_sector_are_offered_first(client, cadre, enterprise):
    other = Policy.objects.create(title="文旅政策", level="city", issuing_body="市文旅局")
    PolicySector.objects.create(policy=other, sector="tourism")
    fits = Policy.objects.create(title="工业政策", level="district", issuing_body="区工信局")
    PolicySector.objects.create(policy=fits, sector=enterprise.sector)
    client.force_login(cadre.user)
    body = client.get(reverse("visits:visit_new")).content.decode()
    assert body.index("工业政策") < body.index("文旅政策")


# --- Correcting and history ---------------------------------------------------------------------


def test_a_cadre_corrects_a_visit_within_seven_days_and_the_history_keeps_both(client, cadre):
    client.force_login(cadre.user)
    client.post(reverse("visits:visit_new"), _visit_post(summary="初稿"))
    visit = Visit.objects.get()
    client.post(reverse("visits:visit_edit", args=[visit.pk]), _visit_post(summary="修改稿"))
    visit.refresh_from_db()
    assert visit.summary == "修改稿"
    assert list(visit.history.order_by("history_date").values_list("summary", flat=True)) == ["初稿", "修改稿"]


def test_a_corrections_reason_is_stored_as_a_key_and_said_in_the_readers_language(client, cadre):
    client.force_login(cadre.user)
    client.post(reverse("visits:visit_new"), _visit_post(summary="初稿"))
    visit = Visit.objects.get()
    client.post(reverse("visits:visit_edit", args=[visit.pk]), _visit_post(summary="修改稿"))
    assert visit.history.latest("history_date").history_change_reason == "corrected"
    # A version saved before keys were stored says its reason as it was stored.
    visit.history.earliest("history_date").__class__.objects.filter(history_change_reason=None).update(
        history_change_reason="由干部更正（旧）"
    )
    url = reverse("visits:visit_detail", args=[visit.pk])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(url).content.decode()
    assert "Corrected by the cadre" in english and "由干部更正（旧）" in english
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    chinese = client.get(url).content.decode()
    with translation.override("zh-hans"):
        assert gettext("Corrected by the cadre") in chinese and "Corrected by the cadre" not in chinese


def test_a_visit_older_than_seven_days_is_locked(client, cadre):
    visit = VisitFactory(pairing=cadre.pairings.get(), created_at=timezone.now() - datetime.timedelta(days=8))
    client.force_login(cadre.user)
    response = client.post(reverse("visits:visit_edit", args=[visit.pk]), _visit_post(summary="改"), follow=True)
    [(code, message)] = refusals(response)
    assert code == "visit_locked" and shown(response, message)
    visit.refresh_from_db()
    assert visit.summary != "改"


def test_after_re_pairing_the_cadre_sees_the_new_enterprise_and_keeps_past_visits(client, cadre, enterprise):
    old = cadre.pairings.get()
    past = VisitFactory(pairing=old, visited_on=datetime.date(2026, 7, 1))
    Pairing.objects.filter(pk=old.pk).update(ended_on=datetime.date(2026, 9, 30))
    new_enterprise = EnterpriseFactory(name="西安新结对企业有限公司")
    PairingFactory(cadre=cadre, enterprise=new_enterprise, started_on=datetime.date(2026, 10, 1))
    client.force_login(cadre.user)
    page = client.get(reverse("visits:my_enterprise")).content.decode()
    assert new_enterprise.name in page
    assert client.get(reverse("visits:visit_detail", args=[past.pk])).status_code == 200


# --- Errands ----------------------------------------------------------------------------------


def test_an_errand_moves_forward_to_delivery_with_its_result(client, cadre):
    client.force_login(cadre.user)
    response = client.post(
        reverse("visits:errand_new"),
        with_token(
            {"matter": "代办施工许可证", "approving_department": "区住建局", "mode": "agent", "on": TODAY().isoformat()}
        ),
    )
    errand = Errand.objects.get()
    assert response["Location"] == reverse("visits:errand_detail", args=[errand.pk])
    url = reverse("visits:errand_detail", args=[errand.pk])
    no_result = client.post(url, {"stage": 4, "on": TODAY().isoformat()})
    assert no_result.status_code == 400
    assert no_result.context["form"].has_error(NON_FIELD_ERRORS, "result_required")
    client.post(url, {"stage": 3, "on": TODAY().isoformat(), "note": "与住建局协调"})
    backwards = client.post(url, {"stage": 2, "on": TODAY().isoformat()})
    assert backwards.status_code == 400
    assert backwards.context["form"].has_error("stage", "invalid_choice")  # only later stages are offered
    client.post(url, {"stage": 4, "on": TODAY().isoformat(), "result": "许可证已送达企业"})
    errand.refresh_from_db()
    assert errand.stage == Errand.Stage.DELIVERED and errand.result == "许可证已送达企业"
    assert list(errand.steps.values_list("stage", flat=True)) == [1, 3, 4]


def test_an_errand_that_has_not_moved_for_fourteen_days_is_flagged(client, cadre):
    long_ago = timezone.now() - datetime.timedelta(days=15)
    errand = errand_open(
        actor=cadre.user,
        pairing=cadre.pairings.get(),
        matter="代办环评",
        approving_department="生态环境局",
        mode="agent",
        on=timezone.localdate(long_ago),
        now=long_ago,
    )
    assert errand.is_stale and list(Errand.objects.stale()) == [errand]
    client.force_login(cadre.user)
    assert "长时间未推进" in client.get(reverse("visits:errand_list")).content.decode()
    errand_advance(actor=cadre.user, errand=errand, stage=2, on=TODAY())
    assert not Errand.objects.stale().exists()


def test_only_the_cadre_moves_their_errand(client, cadre, leader):
    errand = errand_open(
        actor=cadre.user, pairing=cadre.pairings.get(), matter="x", approving_department="y", mode="agent", on=TODAY()
    )
    client.force_login(leader)
    url = reverse("visits:errand_detail", args=[errand.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"stage": 2, "on": TODAY().isoformat()}).status_code == 403


# --- Oversight: the grid and the policy coverage -------------------------------------------------


def test_the_grid_shows_each_cadre_and_filters_by_origin(client, leader, cadre, other_cadre):
    VisitFactory.create_batch(2, pairing=cadre.pairings.get(), visited_on=TODAY().replace(day=1))
    client.force_login(leader)
    body = client.get(reverse("visits:compliance")).content.decode()
    assert cadre.name in body and other_cadre.name in body and "cell-compliant" in body
    body = client.get(reverse("visits:compliance"), {"origin": "district"}).content.decode()
    assert other_cadre.name in body and cadre.name not in body


def test_the_grid_exports_the_same_rows_to_excel(client, office, cadre, other_cadre):
    client.force_login(office)
    response = client.get(reverse("visits:compliance"), {"origin": "city", "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert [row[0].value for row in sheet.iter_rows(min_row=2)] == [cadre.name]
    assert sheet.max_column == 3 + 12 + 1  # cadre, unit, enterprise, the months, the months below the rule


def test_the_grid_pages_its_table_and_charts_every_cadre(client, leader, cadre, other_cadre, monkeypatch):
    from visits import views

    monkeypatch.setattr(views, "GRID_PAGE_SIZE", 1)
    VisitFactory.create_batch(2, pairing=cadre.pairings.get(), visited_on=TODAY().replace(day=1))
    client.force_login(leader)
    first = client.get(reverse("visits:compliance"), {"origin": ""})
    second = client.get(reverse("visits:compliance"), {"origin": "", "page": 2})
    shown = [r.cadre.pk for r in first.context["rows"]] + [r.cadre.pk for r in second.context["rows"]]
    assert len(shown) == 2 and set(shown) == {cadre.pk, other_cadre.pk}
    assert first.context["chart"] == second.context["chart"]
    assert first.context["chart"]["rates"][-1] == 50.0
    assert "origin=&amp;page=2" in first.content.decode()


def test_the_grid_runs_as_many_queries_for_more_cadres(client, leader):
    client.force_login(leader)
    PairingFactory.create_batch(3)

    def count():
        client.get(reverse("visits:compliance"))
        with CaptureQueriesContext(connection) as ctx:
            client.get(reverse("visits:compliance"))
        return len(ctx)

    small = count()
    PairingFactory.create_batch(40)
    assert count() == small


def test_policy_coverage_shows_who_has_and_has_not_heard_of_it(client, office, cadre, enterprise):
    policy = Policy.objects.create(title="强工业奖励", level="district", issuing_body="区政府")
    PolicySector.objects.create(policy=policy, sector="industry")
    unheard = EnterpriseFactory(name="西安未宣传企业有限公司", sector="industry")
    visit = VisitFactory(pairing=cadre.pairings.get())
    visit.policies.add(policy)
    reach.rebuild()  # the link was made around the services
    client.force_login(office)
    response = client.get(reverse("visits:policy_detail", args=[policy.pk]))
    assert [row.enterprise.name for row in response.context["page"]] == [enterprise.name]
    response = client.get(reverse("visits:policy_detail", args=[policy.pk]), {"tab": "not_yet"})
    assert [e.name for e in response.context["page"]] == [unheard.name]
    assert "已向1家企业宣传" in client.get(reverse("visits:policy_list")).content.decode()


def test_my_enterprise_runs_as_many_queries_with_more_problems_errands_and_visits(client, cadre, enterprise):
    from tests.factories import IssueFactory

    client.force_login(cadre.user)
    pairing = cadre.pairings.get()

    def count():
        client.get(reverse("visits:my_enterprise"))
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("visits:my_enterprise")).status_code == 200
        return len(ctx)

    def add(n):
        IssueFactory.create_batch(n, enterprise=enterprise, reporter=cadre)
        VisitFactory.create_batch(n, pairing=pairing)
        for _ in range(n):
            errand_open(
                actor=cadre.user,
                pairing=pairing,
                matter="代办",
                approving_department="住建局",
                mode="agent",
                on=TODAY(),
            )

    add(1)
    small = count()
    add(8)
    assert count() == small


def test_the_grid_charts_the_share_of_cadres_meeting_the_rule(client, leader, cadre, other_cadre):
    VisitFactory.create_batch(2, pairing=cadre.pairings.get(), visited_on=TODAY().replace(day=1))
    client.force_login(leader)
    response = client.get(reverse("visits:compliance"))
    chart = response.context["chart"]
    assert chart["rates"][-1] == 50.0  # one of the two cadres has both visits this month
    assert chart["rates"][0] is None  # nobody was paired twelve months ago
    assert 'id="compliance-data"' in response.content.decode()


def test_a_correction_of_the_policies_explained_is_kept_in_the_history(client, cadre):
    policy = Policy.objects.create(title="强工业奖励", level="district", issuing_body="区政府")
    client.force_login(cadre.user)
    client.post(reverse("visits:visit_new"), _visit_post(summary="初稿"))
    visit = Visit.objects.get()
    client.post(reverse("visits:visit_edit", args=[visit.pk]), _visit_post(summary="初稿", policies=[policy.pk]))
    first, *_rest, last = visit.history.order_by("history_date", "history_id")
    assert list(first.policies.all()) == []
    assert [p.policy for p in last.policies.all()] == [policy]


def test_the_open_errands_heading_has_its_own_msgid_not_the_open_button(client, cadre):
    """“Open” is the notification centre's button (查看); the errands' heading once borrowed its translation."""
    client.force_login(cadre.user)
    first = client.get(reverse("visits:errand_list")).context["tabs"][0]
    assert first.label == gettext("Being handled") != gettext("Open")
