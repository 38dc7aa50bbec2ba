import datetime
import io

import pytest
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from issues.exports import LEDGER_COLUMNS
from issues.models import Action, ExtensionRequest, Flow, Issue, IssueEvent, Status, SystemicMatter
from issues.payloads import AcceptPayload, EscalatePayload, ExtensionRequestPayload, ResolvePayload
from tests.factories import EnterpriseFactory, IssueFactory, category, issue_in
from tests.issues.test_flow import SITUATIONS, situated
from tests.refusals import in_chinese, read_by_the_user, refusals, shown
from tests.submissions import with_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def assigned(report, assignment):
    return report(assignment)


# --- Access ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["issues:ledger", "issues:report", "issues:inbox", "issues:review"])
def test_anonymous_users_are_sent_to_login(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_the_detail_page_sends_anonymous_users_to_login(client, assigned):
    assert client.get(reverse("issues:detail", args=[assigned.pk])).status_code == 302


def test_moves_are_post_only_and_the_ledger_get_only(client, assigned, staff):
    client.force_login(staff.user)
    assert client.get(reverse("issues:act", args=[assigned.pk, "accept"])).status_code == 405
    assert client.post(reverse("issues:ledger")).status_code == 405


def test_another_cadre_and_another_department_get_404(client, assigned, other_cadre, other_staff):
    url = reverse("issues:detail", args=[assigned.pk])
    for user in (other_cadre.user, other_staff.user):
        client.force_login(user)
        assert client.get(url).status_code == 404
        assert (
            client.post(reverse("issues:act", args=[assigned.pk, "accept"]), {"accept-version": 2}).status_code == 404
        )


def test_department_staff_cannot_see_other_departments_issues_in_the_ledger(client, assigned, other_staff, staff):
    client.force_login(other_staff.user)
    assert assigned.title not in client.get(reverse("issues:ledger")).content.decode()
    client.force_login(staff.user)
    assert assigned.title in client.get(reverse("issues:ledger")).content.decode()


@pytest.mark.parametrize(
    ("name", "persona"), [("issues:report", "staff"), ("issues:inbox", "cadre"), ("issues:review", "cadre")]
)
def test_pages_of_another_role_are_forbidden(client, request, name, persona):
    user = request.getfixturevalue(persona)
    client.force_login(user.user)
    assert client.get(reverse(name)).status_code == 403


# --- Reporting -----------------------------------------------------------------------------


def test_a_cadre_reports_and_assigns_in_one_submit(client, cadre, department, staff, enterprise):
    client.force_login(cadre.user)
    assert enterprise.name in client.get(reverse("issues:report")).content.decode()
    deadline = timezone.localdate() + datetime.timedelta(days=10)
    response = client.post(
        reverse("issues:report"),
        with_token(
            {
                "title": "用电增容",
                "category": category("utilities").pk,
                "route": "assign",
                "department": department.pk,
                "responsible_person": "张晓明",
                "deadline": deadline.isoformat(),
                "milestone_1": "现场勘查",
                "milestone_1_on": deadline.isoformat(),
            }
        ),
    )
    issue = Issue.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("issues:detail", args=[issue.pk])
    assert issue.status == Status.ASSIGNED and issue.department == department


def test_an_assignment_without_a_deadline_gets_the_categorys_default(client, cadre, department, staff):
    client.force_login(cadre.user)
    client.post(
        reverse("issues:report"),
        with_token(
            {
                "title": "贷款难",
                "category": category("financing").pk,
                "route": "assign",
                "department": department.pk,
                "responsible_person": "张晓明",
                "milestone_1": "对接银行",
                "milestone_1_on": (timezone.localdate() + datetime.timedelta(days=3)).isoformat(),
            }
        ),
    )
    # 融资贷款: 20 working days (docs/working-days.md), counted from today.
    assert Issue.objects.get().deadline == category("financing").default_deadline(timezone.localdate())


def test_a_report_with_errors_is_shown_again_in_chinese_and_nothing_is_saved(client, cadre):
    client.force_login(cadre.user)
    response = client.post(
        reverse("issues:report"), with_token({"title": "", "route": "escalate", "category": category().pk})
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert form.has_error("title", "required") and form.has_error("note", None)
    assert shown(response, form.errors["title"][0]) and in_chinese(form.errors["title"][0])
    assert not Issue.objects.exists()


def test_a_report_the_service_refuses_is_shown_again_with_its_reason(client, cadre, department, staff):
    client.force_login(cadre.user)
    response = client.post(
        reverse("issues:report"),
        with_token(
            {
                "title": "用电增容",
                "category": category("utilities").pk,
                "route": "assign",
                "department": department.pk,
                "responsible_person": " ",  # the form trims it to nothing; the service refuses the assignment
                "deadline": (timezone.localdate() + datetime.timedelta(days=10)).isoformat(),
                "milestone_1": "现场勘查",
            }
        ),
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert form.has_error(NON_FIELD_ERRORS, "person_required")
    assert shown(response, form.non_field_errors()[0]) and in_chinese(form.non_field_errors()[0])
    assert not Issue.objects.exists()


def test_a_cadre_without_a_pairing_is_told_so(client, django_user_model):
    from tests.factories import CadreFactory

    lonely = CadreFactory()
    client.force_login(lonely.user)
    response = client.get(reverse("issues:report"), follow=True)
    assert "没有结对企业" in response.content.decode()


# --- Moving ---------------------------------------------------------------------------------


def test_department_staff_accept_from_the_detail_page(client, assigned, staff):
    client.force_login(staff.user)
    page = client.get(reverse("issues:detail", args=[assigned.pk])).content.decode()
    assert "接收" in page and "退回" in page
    response = client.post(
        reverse("issues:act", args=[assigned.pk, "accept"]), with_token({"accept-version": assigned.version})
    )
    assert response.status_code == 302
    assigned.refresh_from_db()
    assert assigned.status == Status.IN_PROGRESS


def test_a_stale_page_is_refused_with_a_clear_message(client, assigned, staff):
    client.force_login(staff.user)
    url = reverse("issues:act", args=[assigned.pk, "accept"])
    client.post(url, with_token({"accept-version": assigned.version}))
    response = client.post(
        reverse("issues:act", args=[assigned.pk, "return"]),
        with_token({"return-version": assigned.version, "return-note": "非本单位职责"}),
        follow=True,
    )
    [(code, message)] = refusals(response)
    assert code == "stale" and shown(response, message) and in_chinese(message)
    assert IssueEvent.objects.filter(issue=assigned).count() == 3


def test_a_disallowed_move_is_refused_and_writes_nothing(client, assigned, cadre):
    client.force_login(cadre.user)
    response = client.post(
        reverse("issues:act", args=[assigned.pk, "accept"]),
        with_token({"accept-version": assigned.version}),
        follow=True,
    )
    [(code, message)] = refusals(response)
    assert code == "not_allowed" and shown(response, message)
    assigned.refresh_from_db()
    assert assigned.status == Status.ASSIGNED


def test_a_move_form_with_errors_is_shown_again(client, assigned, staff):
    client.force_login(staff.user)
    response = client.post(
        reverse("issues:act", args=[assigned.pk, "return"]), with_token({"return-version": assigned.version})
    )
    assert response.status_code == 400
    bound = {action: form for action, _label, form in response.context["forms"]}
    assert bound[Action.RETURN].has_error("note", "required")
    assert IssueEvent.objects.filter(issue=assigned).count() == 2


def test_an_action_that_is_no_move_is_not_found(client, assigned, staff):
    client.force_login(staff.user)
    for action in ("report", "approve"):
        assert client.post(reverse("issues:act", args=[assigned.pk, action]), {}).status_code == 404


def test_the_cadre_records_feedback_and_dissatisfied_reopens(client, report, cadre):
    issue = report(ResolvePayload(note="当场解决"))
    client.force_login(cadre.user)
    assert "记录企业反馈" in client.get(reverse("issues:detail", args=[issue.pk])).content.decode()
    client.post(
        reverse("issues:act", args=[issue.pk, "close"]),
        with_token({"feedback-version": issue.version, "feedback-rating": "dissatisfied", "feedback-note": "未落实"}),
    )
    issue.refresh_from_db()
    assert issue.status == Status.REOPENED


def test_the_leading_group_links_escalations_and_decides_once(client, report, leader, department, staff):
    first, second = report(EscalatePayload(note="共性")), report(EscalatePayload(note="共性"))
    client.force_login(leader)
    assert client.get(reverse("issues:review")).status_code == 200
    response = client.post(reverse("issues:matter_new"), {"title": "园区供电", "issues": [first.pk, second.pk]})
    matter = SystemicMatter.objects.get()
    assert response["Location"] == reverse("issues:matter", args=[matter.pk])
    deadline = (timezone.localdate() + datetime.timedelta(days=20)).isoformat()
    client.post(
        reverse("issues:matter_decide", args=[matter.pk]),
        {
            "decision": "assign",
            "note": "由区发改委牵头解决",
            "department": department.pk,
            "responsible_person": "张晓明",
            "deadline": deadline,
            "milestone_1": "制定方案",
            "milestone_1_on": deadline,
        },
    )
    assert set(Issue.objects.values_list("status", "supervised")) == {(Status.ASSIGNED, True)}


def test_the_campaign_office_sees_the_review_page_but_cannot_decide_a_matter(client, report, office, leader):
    issue = report(EscalatePayload(note="共性"))
    matter = SystemicMatter.objects.create(title="m", created_by=leader)
    issue.matter = matter
    issue.save()
    client.force_login(office)
    assert client.get(reverse("issues:review")).status_code == 200
    assert client.get(reverse("issues:matter", args=[matter.pk])).status_code == 200
    assert (
        client.post(reverse("issues:matter_decide", args=[matter.pk]), {"decision": "resolve", "note": "x"}).status_code
        == 403
    )


# --- Ledger, export, inbox ---------------------------------------------------------------------


def test_the_ledger_filters_overdue_and_searches_text(client, office):
    from tests.factories import DepartmentFactory

    IssueFactory(
        title="逾期的问题",
        flow=Flow.ASSIGNED,
        status=Status.IN_PROGRESS,
        department=DepartmentFactory(),
        deadline=datetime.date(2020, 1, 1),
    )
    IssueFactory(title="另一个问题")
    client.force_login(office)
    body = client.get(reverse("issues:ledger"), {"warning": "overdue"}).content.decode()
    assert "逾期的问题" in body and "另一个问题" not in body and "badge-overdue" in body
    body = client.get(reverse("issues:ledger"), {"q": "另一个"}).content.decode()
    assert "另一个问题" in body and "逾期的问题" not in body


def test_the_export_has_the_same_rows_as_the_filtered_ledger_and_escapes_formulas(client, office):
    IssueFactory(title='=HYPERLINK("x")', enterprise=EnterpriseFactory(sector="tourism"))
    IssueFactory(title="工业企业的问题", enterprise=EnterpriseFactory(sector="industry"))
    client.force_login(office)
    response = client.get(reverse("issues:ledger_export"), {"sector": "tourism"})
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    titles = [row[6].value for row in sheet.iter_rows(min_row=2)]
    assert titles == ['=HYPERLINK("x")']  # exact, as quote-prefixed text (tests/core/test_spreadsheets.py)
    assert sheet.cell(row=2, column=7).quotePrefix


def test_an_english_reader_gets_the_export_headed_in_english(client, office):
    IssueFactory()
    client.force_login(office)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(reverse("issues:ledger_export"))
    assert "problem-ledger-" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    headers = [cell.value for cell in next(sheet.iter_rows(max_row=1))]
    assert headers[:3] == ["No.", "Reported at", "Enterprise (project)"] and sheet.title == "Problem ledger"
    assert headers[-5:] == ["Responsible person", "Deadline", "Warning", "Supervised", "Result"]
    assert not any(in_chinese(str(header)) for header in headers)


def test_the_export_is_headed_in_chinese_by_default(client, office):
    IssueFactory()
    client.force_login(office)
    response = client.get(reverse("issues:ledger_export"))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    headers = [cell.value for cell in next(sheet.iter_rows(max_row=1))]
    with translation.override("zh-hans"):
        assert headers == [str(title) for _key, title in LEDGER_COLUMNS]
    assert headers[-1] == "办理结果" and sheet.title == "问题台账"


def test_the_inbox_splits_the_departments_problems(client, staff, department):
    today = timezone.localdate()
    for title, status, deadline in [
        ("甲问题", Status.ASSIGNED, today + datetime.timedelta(days=20)),
        ("乙问题", Status.IN_PROGRESS, today + datetime.timedelta(days=20)),
        ("丙问题", Status.IN_PROGRESS, today + datetime.timedelta(days=2)),
        ("丁问题", Status.ASSIGNED, today - datetime.timedelta(days=2)),
    ]:
        IssueFactory(title=title, status=status, flow=Flow.ASSIGNED, department=department, deadline=deadline)
    client.force_login(staff.user)
    response = client.get(reverse("issues:inbox"))
    assert response.context["counts"] == {"new": 2, "in_progress": 2, "due_soon": 1, "overdue": 1, "history": 0}
    overdue = client.get(reverse("issues:inbox"), {"tab": "overdue"}).content.decode()
    assert "丁问题" in overdue and "甲问题" not in overdue


def _bulk_issues(n: int, **fields) -> None:
    enterprise = EnterpriseFactory()
    from tests.factories import CadreFactory

    reporter = CadreFactory()
    other = category()
    Issue.objects.bulk_create(
        Issue(enterprise=enterprise, reporter=reporter, category=other, title=f"问题{i}", **fields) for i in range(n)
    )


def _queries(client, url, params=None) -> int:
    client.get(url, params)  # warm-up: sessions, content types
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params).status_code == 200
    return len(ctx)


@pytest.mark.parametrize("params", [{}, {"warning": "overdue", "q": "问题"}])
def test_the_ledger_runs_as_many_queries_for_500_problems_as_for_10(client, office, params):
    client.force_login(office)
    _bulk_issues(10, flow=Flow.ESCALATED, status=Status.ESCALATED)
    small = _queries(client, reverse("issues:ledger"), params)
    _bulk_issues(490, flow=Flow.ESCALATED, status=Status.ESCALATED)
    assert _queries(client, reverse("issues:ledger"), params) == small


def test_the_export_runs_as_many_queries_for_500_problems_as_for_10(client, office):
    client.force_login(office)
    _bulk_issues(10, flow=Flow.ESCALATED, status=Status.ESCALATED)

    def export_queries():
        with CaptureQueriesContext(connection) as ctx:
            b"".join(client.get(reverse("issues:ledger_export")).streaming_content)
        return len(ctx)

    small = export_queries()
    _bulk_issues(490, flow=Flow.ESCALATED, status=Status.ESCALATED)
    assert export_queries() == small


@pytest.mark.parametrize("tab", ["new", "overdue", "history"])
def test_the_inbox_runs_as_many_queries_for_500_problems_as_for_10(client, staff, department, tab):
    client.force_login(staff.user)
    fields = {"flow": Flow.ASSIGNED, "status": Status.ASSIGNED, "department": department}
    _bulk_issues(10, deadline=datetime.date(2020, 1, 1), **fields)
    small = _queries(client, reverse("issues:inbox"), {"tab": tab})
    _bulk_issues(490, deadline=datetime.date(2020, 1, 1), **fields)
    assert _queries(client, reverse("issues:inbox"), {"tab": tab}) == small


def test_the_review_desk_runs_as_many_queries_for_more_escalations(client, leader):
    client.force_login(leader)
    _bulk_issues(5, flow=Flow.ESCALATED, status=Status.ESCALATED)
    small = _queries(client, reverse("issues:review"))
    _bulk_issues(100, flow=Flow.ESCALATED, status=Status.ESCALATED)
    assert _queries(client, reverse("issues:review")) == small


@pytest.mark.parametrize("status", list(Status))
@pytest.mark.parametrize("persona", ["cadre", "staff", "leader", "office"])
def test_the_detail_page_shows_every_state_to_every_role_with_their_forms(
    client, request, persona, status, enterprise, cadre, department
):
    """Each role sees each state's page, with a form for every move the table offers them."""
    from issues import workflow

    issue = issue_in(status, department=department, enterprise=enterprise, reporter=cadre)
    user = request.getfixturevalue(persona)
    user = getattr(user, "user", user)
    client.force_login(user)
    response = client.get(reverse("issues:detail", args=[issue.pk]))
    visible = persona != "staff" or issue.department_id is not None
    assert response.status_code == (200 if visible else 404)
    if visible:
        shown = {action for action, _label, _form in response.context["forms"]}
        offered = set(workflow.available_actions(user, issue)) - {Action.REOPEN}
        assert shown == offered


# --- Every button on the page works, and says what it did --------------------------------------


# What a user types into each move's form on top of what the page suggests (deadline, first milestone).
TYPED = {
    Action.ASSIGN: lambda issue: {"responsible_person": "张晓明"},
    Action.REASSIGN: lambda issue: {"responsible_person": "赵丽华", "note": "原单位无法推进"},
    Action.PROGRESS: lambda issue: {"note": "已与企业对接"},
    Action.REQUEST_EXTENSION: lambda issue: {
        "new_deadline": issue.deadline + datetime.timedelta(days=10),
        "note": "理由",
    },
    Action.DECIDE_EXTENSION: lambda issue: {"approve": "yes"},
    Action.LINK: lambda issue: {"matter": SystemicMatter.objects.first().pk},
    Action.CLOSE: lambda issue: {"rating": "satisfied"},
}


def _as_submitted(form, issue, typed: dict) -> dict:
    """The form as the page draws it, with what the user types; a choice left open takes the first option."""
    data = {}
    for name, field in form.fields.items():
        value = typed.get(name, form[name].value())
        if value in (None, "") and name == "department":
            value = field.queryset.first().pk
        if value not in (None, ""):
            data[form.add_prefix(name)] = value
    for name in ("note",):  # a reason, where the move asks for one
        if name in form.fields and form.fields[name].required and form.add_prefix(name) not in data:
            data[form.add_prefix(name)] = "说明"
    return data


def _moves_made_through_the_page(client, issue) -> list[tuple[str, str, str]]:
    """Submit every form the page offers, each on the problem as the page showed it, and undo it.

    Return (action offered, message tag, recorded action) for each; a refusal's tag is its code.
    """
    page = client.get(reverse("issues:detail", args=[issue.pk]))
    made = []
    for action, _label, form in page.context["forms"]:
        data = _as_submitted(form, issue, TYPED.get(action, lambda issue: {})(issue))
        client.cookies.pop("messages", None)  # the previous move's message, never read by a page
        with transaction.atomic():
            response = client.post(reverse("issues:act", args=[issue.pk, action]), data)
            # Read off the request: a department that returned the problem may not see the page it lands on.
            [message] = read_by_the_user(messages.get_messages(response.wsgi_request))
            recorded = IssueEvent.objects.filter(issue=issue).order_by("pk").last()
            made.append((action, message, recorded.action if recorded else ""))
            transaction.set_rollback(True)
    return made


@pytest.mark.parametrize(("status", "situation"), SITUATIONS, ids=lambda v: str(v) or "plain")
@pytest.mark.parametrize("persona", ["cadre", "staff", "leader", "office"])
def test_every_move_the_page_offers_succeeds_and_its_message_names_the_move_recorded(
    client, request, persona, status, situation, enterprise, cadre, staff, leader
):
    issue = situated(
        status, situation, department=staff.department, enterprise=enterprise, cadre=cadre, staff=staff, leader=leader
    )
    user = request.getfixturevalue(persona)
    user = getattr(user, "user", user)
    client.force_login(user)
    if not Issue.objects.visible_to(user).filter(pk=issue.pk).exists():
        return  # staff see no problem that was never their department's
    for action, message, recorded in _moves_made_through_the_page(client, issue):
        assert message.level == messages.SUCCESS, (action, message.extra_tags, str(message))
        assert message.extra_tags == recorded  # the move the service wrote to the timeline
        assert str(Action(recorded).label) in str(message)


@pytest.mark.parametrize(
    ("url_action", "rating", "recorded", "status"),
    [
        ("close", "dissatisfied", Action.REOPEN, Status.REOPENED),
        ("close", "satisfied", Action.CLOSE, Status.CLOSED),
        ("reopen", "basically_satisfied", Action.CLOSE, Status.CLOSED),
    ],
)
def test_the_feedback_message_says_whether_the_problem_was_closed_or_reopened(
    client, report, cadre, url_action, rating, recorded, status
):
    issue = report(ResolvePayload(note="当场解决"))
    client.force_login(cadre.user)
    response = client.post(
        reverse("issues:act", args=[issue.pk, url_action]),
        with_token({"feedback-version": issue.version, "feedback-rating": rating, "feedback-note": "企业意见"}),
        follow=True,
    )
    [message] = read_by_the_user(response.context["messages"])
    issue.refresh_from_db()
    assert issue.status == status and issue.events.last().action == recorded
    assert message.extra_tags == recorded and str(recorded.label) in str(message)
    other = Action.CLOSE if recorded == Action.REOPEN else Action.REOPEN
    assert str(other.label) not in str(message)


def test_the_office_takes_back_a_problem_from_its_page(
    client, report, assignment, office, other_department, other_staff
):
    issue = report(assignment)
    client.force_login(office)
    page = client.get(reverse("issues:detail", args=[issue.pk]))
    assert [action for action, _label, _form in page.context["forms"]] == [Action.REASSIGN]
    assert shown(page, str(Action.REASSIGN.label))
    deadline = (timezone.localdate() + datetime.timedelta(days=20)).isoformat()
    post = with_token(
        {
            "reassign-version": issue.version,
            "reassign-department": other_department.pk,
            "reassign-responsible_person": "赵丽华",
            "reassign-deadline": deadline,
            "reassign-milestone_1": "现场踏勘",
            "reassign-milestone_1_on": deadline,
        }
    )
    refused = client.post(reverse("issues:act", args=[issue.pk, "reassign"]), post)
    assert refused.status_code == 400  # no reason given
    assert {a: f for a, _l, f in refused.context["forms"]}[Action.REASSIGN].has_error("note", "required")
    client.post(reverse("issues:act", args=[issue.pk, "reassign"]), {**post, "reassign-note": "原单位无法推进"})
    issue.refresh_from_db()
    assert issue.status == Status.ASSIGNED and issue.department == other_department
    page = client.get(reverse("issues:detail", args=[issue.pk]))
    assert page.content.decode().count("text-decoration-line-through") == 2  # the old roadmap, struck through
    assert shown(page, f"{assignment.department.name} → {other_department.name}")  # the timeline: from, to


def test_the_review_desk_forgets_an_extension_request_once_the_problem_is_resolved(
    client, report, assignment, staff, leader, move
):
    issue = report(assignment)
    later = issue.deadline + datetime.timedelta(days=10)
    move(issue, staff.user, Action.REQUEST_EXTENSION, ExtensionRequestPayload(new_deadline=later, note="理由"))
    client.force_login(leader)
    extensions = {"tab": "extensions"}
    assert [e.issue_id for e in client.get(reverse("issues:review"), extensions).context["page"]] == [issue.pk]
    move(issue, staff.user, Action.ACCEPT, AcceptPayload())
    move(issue, staff.user, Action.RESOLVE, ResolvePayload(note="已办结"))
    assert list(client.get(reverse("issues:review"), extensions).context["page"]) == []
    page = client.get(reverse("issues:detail", args=[issue.pk]))
    assert shown(page, str(ExtensionRequest.Decision.WITHDRAWN.label))
