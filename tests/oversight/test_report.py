"""The monthly report (月报, issue 13 item 4): a hand-built October, its exact figures, its Word file, and
October read again after November's moves.

Everything happens through the real services, each move at its own moment (`now=`): the visits through
`visit_log`, the problems through `issue_report` and `issue_transition`.
"""

import datetime
import io

import docx
import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from core import kept
from core.months import Month
from enterprises.links import link_issue
from issues.measures import Rates
from issues.models import Action, Feedback
from issues.payloads import (
    AcceptPayload,
    AssignPayload,
    EscalatePayload,
    ExtensionDecisionPayload,
    ExtensionRequestPayload,
    FeedbackPayload,
    ReassignPayload,
    ResolvePayload,
    ReturnPayload,
)
from issues.services import issue_record_feedback, issue_report, issue_request, issue_transition
from oversight.docx import report_docx
from oversight.report import monthly_report
from tests import factories
from visits.models import Visit
from visits.services import VisitData, visit_log

pytestmark = pytest.mark.django_db

OCTOBER = Month(2026, 10)


def at(month: int, day: int, hour: int = 10) -> datetime.datetime:
    """A moment of 2026, local time."""
    return timezone.make_aware(datetime.datetime(2026, month, day, hour))


def url(month: str = "2026-10") -> str:
    return reverse("oversight:report", args=[month])


def to(department, deadline: datetime.date, person: str = "张晓明") -> AssignPayload:
    return AssignPayload(
        department=department, responsible_person=person, deadline=deadline, milestones=(("办结答复", deadline),)
    )


def act(issue, user, action: Action, payload, when: datetime.datetime):
    issue.refresh_from_db()
    return issue_transition(
        issue_id=issue.pk, actor=user, action=action, version=issue.version, payload=payload, now=when
    )


def visit(cadre, day: int, month: int = 10) -> Visit:
    when = at(month, day)
    data = VisitData(visited_on=when.date(), mode=Visit.Mode.ON_SITE, summary="走访了解生产经营情况。")
    return visit_log(actor=cadre.user, pairing=cadre.pairings.get(), data=data, now=when)


SATISFIED = FeedbackPayload(rating=Feedback.Rating.SATISFIED)
DISSATISFIED = FeedbackPayload(rating=Feedback.Rating.DISSATISFIED, note="问题没有解决")


@pytest.fixture
def october(cadre, other_cadre, enterprise, department, other_department, staff, other_staff, leader, office):
    """A hand-built October (with a problem from late September), as the cadres, departments and leaders made it.

    Its figures, worked out by hand, are `OCTOBER_FIGURES`, `OCTOBER_VISITS` and `OCTOBER_DEPARTMENTS`.
    """

    def reported(title: str, route, when: datetime.datetime):
        return issue_report(
            actor=cadre.user, enterprise=enterprise, title=title, category=factories.category(), route=route, now=when
        )

    d = datetime.date
    # Visits: 王建国 twice (met the rule), 李志强 once (missed it).
    visit(cadre, 9), visit(cadre, 20), visit(other_cadre, 12)
    # 1: solved on the spot, then the enterprise was satisfied.
    spot = reported("现场解决的问题", ResolvePayload(note="现场协调解决"), at(10, 9))
    act(spot, cadre.user, Action.CLOSE, SATISFIED, at(10, 10))
    # 2: assigned, accepted, resolved on time (day 6), then the enterprise was dissatisfied: reopened.
    reopened = reported("按期办结后不满意", to(department, d(2026, 10, 20)), at(10, 9))
    act(reopened, staff.user, Action.ACCEPT, AcceptPayload(), at(10, 10))
    act(reopened, staff.user, Action.RESOLVE, ResolvePayload(note="已办结"), at(10, 15))
    act(reopened, cadre.user, Action.REOPEN, DISSATISFIED, at(10, 16))
    # 3: assigned, accepted, more time asked and granted: in progress, due 10 November.
    extended = reported("申请延期的问题", to(department, d(2026, 10, 25)), at(10, 12))
    act(extended, staff.user, Action.ACCEPT, AcceptPayload(), at(10, 13))
    later = ExtensionRequestPayload(new_deadline=d(2026, 11, 10), note="需要协调上级部门")
    act(extended, staff.user, Action.REQUEST_EXTENSION, later, at(10, 20))
    act(extended, leader, Action.DECIDE_EXTENSION, ExtensionDecisionPayload(approve=True), at(10, 21))
    # 4: returned as not the department's remit, assigned by the office to the other one: overdue there.
    returned = reported("退回后改派的问题", to(department, d(2026, 10, 20)), at(10, 12))
    act(returned, staff.user, Action.RETURN, ReturnPayload(note="非本单位职责"), at(10, 14))
    act(returned, office, Action.ASSIGN, to(other_department, d(2026, 10, 28), "赵丽华"), at(10, 15))
    act(returned, other_staff.user, Action.ACCEPT, AcceptPayload(), at(10, 16))
    # 5: escalated, assigned by the leading group (督办), never accepted: overdue at the department.
    supervised = reported("督办的问题", EscalatePayload(note="涉及多个部门"), at(10, 20))
    act(supervised, leader, Action.ASSIGN, to(department, d(2026, 10, 30)), at(10, 22))
    # 6: escalated at the end of the month, not yet answered.
    waiting = reported("尚未研究的问题", EscalatePayload(note="系统性问题"), at(10, 25))
    # 7: reported in September, resolved late in October (due 8 October, resolved on the 10th, day 12), satisfied.
    late = reported("九月的问题", to(department, d(2026, 10, 8)), at(9, 28))
    act(late, staff.user, Action.ACCEPT, AcceptPayload(), at(9, 29))
    act(late, staff.user, Action.RESOLVE, ResolvePayload(note="已办结"), at(10, 10))
    act(late, cadre.user, Action.CLOSE, SATISFIED, at(10, 11))
    return {
        "spot": spot,
        "reopened": reopened,
        "extended": extended,
        "returned": returned,
        "supervised": supervised,
        "waiting": waiting,
        "late": late,
    }


OCTOBER_FIGURES = {
    "reported": 6,
    "on_the_spot": 1,
    "assigned": 3,
    "escalated": 2,
    "status_reported": 0,
    "status_assigned": 1,
    "status_in_progress": 2,
    "status_escalated": 1,
    "status_resolved": 0,
    "status_closed": 1,
    "status_reopened": 1,
    "answered": 5,
    "unanswered": 1,
    "resolved_on_time": 1,
    "resolved_late": 1,
    "overdue": 2,
    "due_soon": 0,
    "on_track": 1,
    "satisfied": 2,
    "dissatisfied": 1,
    "returned": 1,
    "extension_asked": 1,
    "extension_granted": 1,
    "assigned_to_unit": 4,
}
OCTOBER_VISITS = {"visits": 3, "pairings": 2, "judged": 2, "compliant": 1}
# name: assigned, on time, late, overdue, returned, extensions asked, granted, dissatisfied, days, on-time rate
OCTOBER_DEPARTMENTS = {
    "区住房和城乡建设局": (1, 0, 0, 1, 0, 0, 0, 0, None, 0.0),
    "区行政审批服务局": (4, 1, 1, 1, 1, 1, 1, 1, 9.0, 33.3),
}
ENGLISH_NARRATIVE = [
    "Visits to enterprises this month: 3; pairings in force: 2; share of cadres meeting the two-visit rule: 50.0%."
    " Problems collected: 6, of which 1 solved on the spot, 3 assigned to departments and 2 referred to the leading"
    " group. Response rate 83.3%, on-time resolution rate 25.0%, satisfaction rate 66.7%. Returned by departments: 1;"
    " extensions asked: 1, granted: 1; reopened as the enterprise was dissatisfied: 1.",
    "Overdue and unresolved at the month's end: 2, mainly at 区住房和城乡建设局 (1), 区行政审批服务局 (1).",
    "Of the problems collected, 0 were raised by the enterprises themselves through their links (0 of them answered)"
    " and 6 reported by cadres. Of the problems rated, 0 were rated by the enterprises themselves and 3 had their"
    " rating recorded by a cadre on the enterprise's behalf. Visits the enterprises confirmed: 0; said did not take"
    " place: 0.",
]
CHINESE_NARRATIVE = [
    "本月共走访企业3家次，结对在册2对，达标率50.0%；收集问题6个，其中现场解决1个、交办部门3个、提请领导小组研究2个；"
    "问题回应率83.3%，按期办结率25.0%，企业满意率66.7%；退回1件，延期申请1件、批准1件，企业不满意重新办理1件。",
    "截至月末逾期未办结2件，主要集中在区住房和城乡建设局（1件）、区行政审批服务局（1件）。",
]


def figures_of(report) -> dict:
    """Everything the report counted: the problem figures, the visits, the department rows."""
    departments = {
        line.row.name: (
            *(getattr(line.row, key) for key in ("assigned_to_unit", "resolved_on_time", "resolved_late", "overdue")),
            *(getattr(line.row, key) for key in ("returned", "extension_asked", "extension_granted", "dissatisfied")),
            line.row.avg_days,
            line.row.on_time_rate,
        )
        for line in report.departments
    }
    visits = report.visits
    return {
        "figures": {key: report.figures[key] for key in OCTOBER_FIGURES},
        "visits": {
            "visits": visits.visits,
            "pairings": visits.pairings,
            "judged": visits.judged,
            "compliant": visits.compliant,
        },
        "departments": departments,
    }


def docx_text(content: bytes) -> list[str]:
    """Every paragraph and every table cell of a Word file, in order."""
    document = docx.Document(io.BytesIO(content))
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        lines += ["|".join(cell.text for cell in row.cells) for row in table.rows]
    return lines


# -- the figures -----------------------------------------------------------------------------------------------


def test_october_gives_the_hand_built_months_exact_figures(october, leader):
    report = monthly_report(leader, OCTOBER, now=at(11, 1, 9))
    read = figures_of(report)
    assert read["figures"] == OCTOBER_FIGURES
    assert read["visits"] == OCTOBER_VISITS
    assert read["departments"] == OCTOBER_DEPARTMENTS
    assert report.visits.compliance_rate == 50.0
    assert report.rates == Rates(response=83.3, on_time=25.0, satisfaction=66.7)
    assert [line.row.name for line in report.overdue_departments] == ["区住房和城乡建设局", "区行政审批服务局"]
    assert report.is_over and report.as_of == datetime.date(2026, 10, 31)


def test_the_report_says_who_spoke_for_the_enterprise(october, leader, enterprise_link):
    """Issue 15: the enterprise's own request and rating, and the visit it confirmed, beside the cadres'."""
    issue_request(link=enterprise_link, title="企业自提诉求", category=factories.category(), now=at(10, 26))
    spot = issue_report(
        actor=october["spot"].reporter.user,
        enterprise=october["spot"].enterprise,
        title="企业自评的问题",
        category=factories.category(),
        route=ResolvePayload(note="现场答复"),
        now=at(10, 27),
    )
    issue_record_feedback(issue_id=spot.pk, actor=enterprise_link, version=None, payload=SATISFIED, now=at(10, 28))
    Visit.objects.filter(visited_on=datetime.date(2026, 10, 9)).update(enterprise_answer="confirmed")
    with translation.override("en"):
        report = monthly_report(leader, OCTOBER, now=at(11, 1, 9))
        assert report.narrative[2] == (
            "Of the problems collected, 1 were raised by the enterprises themselves through their links (0 of them"
            " answered) and 7 reported by cadres. Of the problems rated, 1 were rated by the enterprises themselves"
            " and 3 had their rating recorded by a cadre on the enterprise's behalf. Visits the enterprises"
            " confirmed: 1; said did not take place: 0."
        )
        # The rates count every problem, whoever spoke: satisfied 3 of 4, answered 6 of 8.
        assert report.rates == Rates(response=75.0, on_time=25.0, satisfaction=75.0)
        shown = {str(figure.label): (figure.shown, figure.url) for figure in report.key_figures}
        assert shown["Rated by the enterprise itself"][0] == "1"
        assert shown["Rating recorded by a cadre"][0] == "3"
        assert shown["Raised by the enterprise"][0] == "1"
        assert shown["Reported by a cadre"][0] == "7"
        assert shown["Visits the enterprise confirmed"][0] == "1"
        assert "measure=rated_by_enterprise" in shown["Rated by the enterprise itself"][1]
        assert "confirmation=confirmed" in shown["Visits the enterprise confirmed"][1]
        lines = docx_text(report_docx(report))
        assert report.narrative[2] in lines
        assert "Rated by the enterprise itself|1" in lines and "Rating recorded by a cadre|3" in lines


def test_the_narrative_says_the_months_numbers_in_english(october, leader):
    with translation.override("en"):
        report = monthly_report(leader, OCTOBER, now=at(11, 1, 9))
        assert report.narrative == ENGLISH_NARRATIVE
        assert report.title == "Baqiao District Pro-Business Campaign Monthly Report (October 2026)"


def test_the_narrative_says_the_months_numbers_in_the_offices_chinese(october, leader):
    with translation.override("zh-hans"):
        report = monthly_report(leader, OCTOBER, now=at(11, 1, 9))
        # The third paragraph (who spoke for the enterprise) is said in Chinese once the integrator compiles
        # locale/pending/figures.tsv into the catalogue; its numbers are checked in English above.
        assert report.narrative[:2] == CHINESE_NARRATIVE
        assert report.title == "灞桥区亲商助企工作月报（2026年10月）"
        assert report.dates_line == "生成日期：2026年11月1日；数据截至月末（2026年10月31日）。"


def test_a_month_with_nothing_to_divide_says_so_instead_of_a_rate(leader):
    empty = Month(2026, 8)
    with translation.override("en"):
        english = monthly_report(leader, empty, now=at(11, 1))
        assert english.narrative[0].startswith(
            "Visits to enterprises this month: 0; pairings in force: 0;"
            " share of cadres meeting the two-visit rule: n/a."
        )
        assert "Response rate n/a, on-time resolution rate n/a, satisfaction rate n/a." in english.narrative[0]
        assert english.narrative[1] == "At the month's end no problem was overdue."
        assert [figure.shown for figure in english.key_figures if figure.rate] == ["—"] * 4
    with translation.override("zh-hans"):
        chinese_ = monthly_report(leader, empty, now=at(11, 1))
        said = chinese_.narrative[0]
        assert "达标率无；" in said and "问题回应率无，按期办结率无，企业满意率无；" in said
        assert chinese_.narrative[1] == "截至月末无逾期未办结问题。"


def test_a_month_still_running_says_its_figures_stand_at_today(october, leader):
    with translation.override("en"):
        report = monthly_report(leader, OCTOBER, now=at(10, 26, 9))
        assert not report.is_over and report.as_of == datetime.date(2026, 10, 26)
        assert report.dates_line == "Generated on Oct. 26, 2026; the month is not over: figures as at Oct. 26, 2026."
        assert report.narrative[1] == "As at Oct. 26, 2026 no problem is overdue."


# -- the page ------------------------------------------------------------------------------------------------


def test_the_page_shows_each_section_and_links_every_figure_to_its_rows(client, october, leader, department):
    client.force_login(leader)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(url())
    assert response.status_code == 200
    body = response.content.decode()
    assert 'href="/static/css/print-report.css"' in body
    assert body.count('class="report-section report-page"') == 5  # a page each after the title and summary
    for paragraph in response.context["report"].narrative:
        assert paragraph.replace("'", "&#x27;") in body
    ledger, period = reverse("issues:ledger"), "from=2026-10&amp;to=2026-10"
    assert f'href="{ledger}?measure=reported&amp;{period}">6</a>' in body
    assert f'href="{ledger}?measure=overdue&amp;{period}">2</a>' in body
    assert f'href="{ledger}?measure=overdue&amp;{period}&amp;unit={department.pk}">1</a>' in body
    assert f'href="{ledger}?measure=assigned_to_unit&amp;{period}&amp;unit={department.pk}">4</a>' in body
    visits = "visited_after=2026-10-01&amp;visited_before=2026-10-31&amp;logged_before=2026-11-01"
    assert f'href="/cadres/visits/?{visits}">3</a>' in body
    assert "50.0%" in body and "83.3%" in body and "33.3%" in body and "9.0" in body


def test_the_figures_link_to_the_same_rows_the_ledger_lists(client, october, leader, department):
    client.force_login(leader)
    report = client.get(url()).context["report"]
    line = next(line for line in report.departments if line.row.department_id == department.pk)
    ledger = client.get(line.overdue.url)
    assert [issue.title for issue in ledger.context["page"]] == ["督办的问题"]
    ledger = client.get(report.figure("resolved_late").url)
    assert [issue.title for issue in ledger.context["page"]] == ["九月的问题"]


def test_the_month_picker_opens_another_month(client, leader):
    client.force_login(leader)
    response = client.get(url(), {"month": "2026-09"})
    assert response.status_code == 302 and response["Location"] == url("2026-09")


@pytest.mark.parametrize(("month", "code"), [("2026-13", "invalid"), ("next", "invalid"), ("future", "future")])
def test_the_month_picker_refuses_a_bad_or_future_month(client, leader, month, code):
    if month == "next":
        month = "十月"
    if month == "future":
        this = Month.of(timezone.localdate())
        month = f"{this.year + 1}-{this.month:02d}"
    client.force_login(leader)
    response = client.get(url(), {"month": month})
    assert response.status_code == 400
    assert [error.code for error in response.context["picker"].errors.as_data()["month"]] == [code]


@pytest.mark.parametrize("month", ["2026-13", "2026-1", "october", "1999-12", "2026-10-01"])
def test_a_bad_month_is_not_found(client, leader, month):
    client.force_login(leader)
    assert client.get(f"/oversight/report/{month}/").status_code == 404


def test_a_month_not_yet_begun_is_not_found(client, leader):
    today = timezone.localdate()
    following = Month.of(today.replace(day=28) + datetime.timedelta(days=5))
    client.force_login(leader)
    assert client.get(url(f"{following.year}-{following.month:02d}")).status_code == 404
    assert client.get(url(f"{today:%Y-%m}")).status_code == 200  # this month, as far as it has gone


@pytest.mark.parametrize("persona", ["leader", "office", "superuser"])
def test_the_leading_group_and_the_campaign_office_read_the_report(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(url()).status_code == 200
    assert client.get(url(), {"format": "docx"}).status_code == 200


@pytest.mark.parametrize("persona", ["cadre", "staff", "nobody"])
def test_other_roles_may_not_read_the_report(client, request, persona):
    user = request.getfixturevalue(persona)
    client.force_login(getattr(user, "user", user))
    assert client.get(url()).status_code == 403
    assert client.get(url(), {"format": "docx"}).status_code == 403


def test_a_visitor_is_sent_to_log_in(client):
    response = client.get(url())
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_the_report_is_read_not_written(client, leader):
    client.force_login(leader)
    assert client.post(url()).status_code == 405


# -- the Word file -------------------------------------------------------------------------------------------


def test_the_word_file_opens_and_holds_the_months_figures(client, october, leader):
    client.force_login(leader)
    response = client.get(url(), {"format": "docx"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''%E7%81%9E%E6%A1%A5%E5%8C%BA%E4%BA%B2%E5%95%86%E5%8A%A9%E4%BC%81"
        "%E5%B7%A5%E4%BD%9C%E6%9C%88%E6%8A%A5-2026%E5%B9%B410%E6%9C%88.docx"
    )  # 灞桥区亲商助企工作月报-2026年10月.docx
    document = docx.Document(io.BytesIO(response.content))
    paragraphs = [p.text for p in document.paragraphs]
    assert paragraphs[0] == "灞桥区亲商助企工作月报（2026年10月）"
    assert paragraphs[1].startswith("生成日期：") and paragraphs[1].endswith("数据截至月末（2026年10月31日）。")
    assert CHINESE_NARRATIVE[0] in paragraphs and CHINESE_NARRATIVE[1] in paragraphs
    assert "一、总体情况" in paragraphs and "六、指标口径" in paragraphs
    key, flow, status, departments, overdue, definitions = document.tables
    assert all(row.cells[0].text == "指标" for row in (key.rows[0], flow.rows[0], definitions.rows[0]))
    values = {row.cells[0].text: row.cells[1].text for row in key.rows[1:]}
    assert values["走访企业（家次）"] == "3" and values["在册结对"] == "2" and values["每月两次服务达标率"] == "50.0%"
    assert (values["回应率"], values["按期办结率"], values["满意率"]) == ("83.3%", "25.0%", "66.7%")
    assert [row.cells[1].text for row in flow.rows[1:]] == ["6", "1", "3", "2"]
    assert [row.cells[1].text for row in status.rows[1:]] == ["0", "1", "2", "1", "0", "1", "1"]
    assert len(departments.columns) == 11
    assert sorted([cell.text for cell in row.cells] for row in departments.rows[1:]) == [
        ["区住房和城乡建设局", "1", "0", "0", "1", "0", "0", "0", "0", "—", "0.0%"],
        ["区行政审批服务局", "4", "1", "1", "1", "1", "1", "1", "1", "9.0", "33.3%"],
    ]
    assert [[cell.text for cell in row.cells] for row in overdue.rows[1:]] == [
        ["区住房和城乡建设局", "1"],
        ["区行政审批服务局", "1"],
    ]
    said = {row.cells[1].text for row in definitions.rows[1:]}
    assert "统计期末日（期间未结束时为今日）仍有效的干部与企业结对数。" in said  # the pairings' definition


def test_the_word_file_is_a4_with_a_chinese_font_named_for_east_asian_text(client, leader):
    client.force_login(leader)
    document = docx.Document(io.BytesIO(client.get(url(), {"format": "docx"}).content))
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert all(margin.mm >= 20 for margin in (section.top_margin, section.bottom_margin, section.left_margin))
    fonts = document.styles["Normal"].element.rPr.rFonts
    assert fonts.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia") == "宋体"
    heading = document.styles["Heading 1"].element.rPr.rFonts
    assert heading.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia") == "黑体"
    assert document.tables[0].rows[0]._tr.trPr.xpath("./w:tblHeader")  # the header row repeats on each page


def test_the_word_file_speaks_english_to_an_english_reader(client, october, leader):
    client.force_login(leader)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(url(), {"format": "docx"})
    text = docx_text(response.content)
    assert text[0] == "Baqiao District Pro-Business Campaign Monthly Report (October 2026)"
    assert ENGLISH_NARRATIVE[0] in text and ENGLISH_NARRATIVE[1] in text
    filename = "Baqiao-pro-business-monthly-report-October 2026.docx"
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'


# -- a past month reads the same later -----------------------------------------------------------------------


def test_october_reads_the_same_after_novembers_moves_on_the_same_problems(
    client, october, cadre, other_cadre, department, other_department, staff, other_staff, leader, office
):
    before = monthly_report(leader, OCTOBER, now=at(11, 1, 9))
    with translation.override("zh-hans"):
        docx_before = docx_text(report_docx(before))
    d = datetime.date
    p = october
    # The reopened problem is assigned again, resolved and closed; the overdue ones are reassigned and
    # resolved (one late); the one waiting is decided; the extended one resolved. New visits and a new problem.
    act(p["reopened"], office, Action.ASSIGN, to(other_department, d(2026, 11, 20), "赵丽华"), at(11, 2))
    act(p["reopened"], other_staff.user, Action.ACCEPT, AcceptPayload(), at(11, 3))
    act(p["reopened"], other_staff.user, Action.RESOLVE, ResolvePayload(note="重新办结"), at(11, 5))
    act(p["reopened"], cadre.user, Action.CLOSE, SATISFIED, at(11, 6))
    reassign = ReassignPayload(assignment=to(department, d(2026, 11, 25)), note="逾期未办，收回改派")
    act(p["returned"], leader, Action.REASSIGN, reassign, at(11, 3))
    act(p["returned"], staff.user, Action.ACCEPT, AcceptPayload(), at(11, 4))
    act(p["returned"], staff.user, Action.RESOLVE, ResolvePayload(note="已办结"), at(11, 10))
    act(p["supervised"], staff.user, Action.ACCEPT, AcceptPayload(), at(11, 2))
    act(p["supervised"], staff.user, Action.RESOLVE, ResolvePayload(note="已办结"), at(11, 4))
    act(p["supervised"], cadre.user, Action.REOPEN, DISSATISFIED, at(11, 5))
    act(p["waiting"], leader, Action.RESOLVE, ResolvePayload(note="领导小组研究决定"), at(11, 2))
    act(p["extended"], staff.user, Action.RESOLVE, ResolvePayload(note="已办结"), at(11, 5))
    visit(cadre, 3, month=11), visit(other_cadre, 4, month=11)
    issue_report(
        actor=cadre.user,
        enterprise=p["spot"].enterprise,
        title="十一月的问题",
        category=factories.category(),
        route=ResolvePayload(note="现场解决"),
        now=at(11, 2),
    )

    after = monthly_report(leader, OCTOBER, now=at(11, 30, 18))
    assert figures_of(after) == figures_of(before)
    assert figures_of(after)["figures"] == OCTOBER_FIGURES
    with translation.override("zh-hans"):
        docx_after = docx_text(report_docx(after))
    # Only the line saying when it was generated differs.
    assert [line for line in docx_after if not line.startswith("生成日期")] == [
        line for line in docx_before if not line.startswith("生成日期")
    ]
    assert docx_after != docx_before
    # And through the page and the download, today.
    client.force_login(leader)
    assert figures_of(client.get(url()).context["report"]) == figures_of(before)
    downloaded = docx_text(client.get(url(), {"format": "docx"}).content)
    assert [line for line in downloaded if not line.startswith("生成日期")] == [
        line for line in docx_before if not line.startswith("生成日期")
    ]
    # November, read as it stands, did move on.
    november = monthly_report(leader, Month(2026, 11), now=at(11, 30, 18))
    assert november.figures["reported"] == 1 and november.figures["resolved_late"] == 1


def test_a_visit_logged_in_november_for_a_day_in_october_leaves_october_as_it_was(october, cadre, leader):
    before = monthly_report(leader, OCTOBER, now=at(11, 1, 9))
    data = VisitData(visited_on=datetime.date(2026, 10, 30), mode=Visit.Mode.REMOTE, summary="补记十月的电话回访。")
    visit_log(actor=cadre.user, pairing=cadre.pairings.get(), data=data, now=at(11, 3))
    assert monthly_report(leader, OCTOBER, now=at(11, 30)).visits == before.visits


# -- queries ---------------------------------------------------------------------------------------------------


def _more_of_october(n: int) -> None:
    """n more departments, cadres, visits and problems in October, each moved along a different path."""
    for i in range(n):
        unit = factories.DepartmentFactory(name=f"区测试局甲{i}")
        worker = factories.DepartmentStaffFactory(department=unit, name=f"承办人甲{i}")
        paired = factories.CadreFactory(name=f"干部甲{i}")
        pairing = factories.PairingFactory(cadre=paired, enterprise=factories.EnterpriseFactory())
        visit(paired, 5 + i % 20)
        issue = issue_report(
            actor=paired.user,
            enterprise=pairing.enterprise,
            title=f"问题甲{i}",
            category=factories.category(),
            route=to(unit, datetime.date(2026, 10, 15), f"承办人甲{i}"),
            now=at(10, 6),
        )
        act(issue, worker.user, Action.ACCEPT, AcceptPayload(), at(10, 7))
        if i % 2:
            act(issue, worker.user, Action.RESOLVE, ResolvePayload(note="已办结"), at(10, 9 + i % 10))
        issue_report(
            actor=paired.user,
            enterprise=pairing.enterprise,
            title=f"问题乙{i}",
            category=factories.category(),
            route=EscalatePayload(note="系统性问题"),
            now=at(10, 8),
        )
        # The enterprise's own voice: a request it raised, and its rating of a problem solved on the spot.
        link = link_issue(enterprise=pairing.enterprise, actor=None)
        issue_request(link=link, title=f"诉求{i}", category=factories.category(), now=at(10, 9))
        spot = issue_report(
            actor=paired.user,
            enterprise=pairing.enterprise,
            title=f"问题丙{i}",
            category=factories.category(),
            route=ResolvePayload(note="现场答复"),
            now=at(10, 10),
        )
        issue_record_feedback(issue_id=spot.pk, actor=link, version=None, payload=SATISFIED, now=at(10, 11))


@pytest.mark.parametrize("download", [False, True], ids=["page", "docx"])
def test_the_report_runs_the_same_number_of_queries_for_more_data(client, october, leader, download):
    client.force_login(leader)
    query = {"format": "docx"} if download else {}
    client.get(url(), query)  # warm caches such as the content types
    cache.clear()  # counted afresh each time, not read kept (tests/oversight/test_kept_figures.py)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url(), query).status_code == 200
    _more_of_october(6)
    cache.clear()
    with CaptureQueriesContext(connection) as large:
        response = client.get(url(), query)
    assert response.status_code == 200
    assert len(large) == len(small), [q["sql"][:120] for q in large]


def test_the_reports_figures_take_eight_queries_one_when_kept_and_its_words_none(
    october, leader, django_assert_num_queries, django_assert_max_num_queries
):
    """visit_figures 3, counts 1, by_unit 1, resolve_days 1, the departments' names 1; and the months' versions 1
    (core/kept.py, read once a request: `kept.reading`, as the report's page and Word file are), all that a kept
    read makes."""
    monthly_report(leader, OCTOBER, now=at(11, 1, 9))  # the months' versions made (two queries more, once)
    cache.clear()
    with kept.reading(), django_assert_num_queries(8):
        report = monthly_report(leader, OCTOBER, now=at(11, 1, 9))
    with kept.reading(), django_assert_num_queries(1):
        assert monthly_report(leader, OCTOBER, now=at(11, 1, 9)).figures == report.figures
    with django_assert_max_num_queries(0):
        report.narrative, report.key_figures, report.definitions, [line.cells for line in report.departments]
