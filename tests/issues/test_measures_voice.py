"""Who spoke for the enterprise (issue 15): ratings it gave itself or a cadre recorded, requests it raised.

November 2025, built by hand through the real services (times 10:00 in Asia/Shanghai), one enterprise with
its link and its cadre:

- Q1 (2 Nov): the cadre reports it, solved on the spot; the enterprise rates it satisfied itself on 4 Nov.
- Q2 (3 Nov): assigned to D1, accepted 4 Nov, resolved 10 Nov; the enterprise rates it dissatisfied itself
  on 11 Nov, so it reopens.
- Q3 (5 Nov): solved on the spot; the cadre records the enterprise satisfied on 6 Nov.
- R1 (12 Nov): a request the enterprise raises itself; its cadre assigns it to D1 on 13 Nov, accepted 14 Nov.
- R2 (20 Nov): a request the enterprise raises itself, not yet routed when November ends.

Then December: the cadre records Q2's second rating, the enterprise rates R1 itself; November stays.
"""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.template.loader import render_to_string

from core.months import Month
from core.periods import Period
from issues import measures
from issues.models import Action, Feedback, Issue, Source
from issues.payloads import AcceptPayload, AssignPayload, FeedbackPayload, ResolvePayload
from issues.services import issue_record_feedback, issue_request
from tests import factories

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOVEMBER = Period.month(Month(2025, 11))
DECEMBER = Period.month(Month(2025, 12))


def at(month: int, day: int, hour: int = 10) -> datetime.datetime:
    return datetime.datetime(2025, month, day, hour, tzinfo=SHANGHAI)


def to(department, deadline: datetime.date) -> AssignPayload:
    return AssignPayload(
        department=department,
        responsible_person="经办人",
        deadline=deadline,
        milestones=(("核实办理", deadline - datetime.timedelta(days=2)),),
    )


def rated_by_enterprise(issue: Issue, link, rating: str, when: datetime.datetime) -> Issue:
    """The enterprise's own rating through its link (the real service, actor=link)."""
    issue.refresh_from_db()
    payload = FeedbackPayload(rating=rating, note="企业自评")
    return issue_record_feedback(issue_id=issue.pk, actor=link, version=issue.version, payload=payload, now=when)


@pytest.fixture
def november(cadre, staff, enterprise_link):
    d1, staff_user = staff.department, staff.user

    class N:
        pass

    n = N()
    n.d1, n.link = d1, enterprise_link
    n.q1 = factories.reported_at(cadre, at(11, 2), ResolvePayload(note="现场答复"))
    rated_by_enterprise(n.q1, enterprise_link, Feedback.Rating.SATISFIED, at(11, 4))

    n.q2 = factories.reported_at(cadre, at(11, 3), to(d1, datetime.date(2025, 11, 20)))
    factories.moved_at(n.q2, staff_user, Action.ACCEPT, AcceptPayload(), at(11, 4))
    factories.moved_at(n.q2, staff_user, Action.RESOLVE, ResolvePayload(note="已办结"), at(11, 10))
    rated_by_enterprise(n.q2, enterprise_link, Feedback.Rating.DISSATISFIED, at(11, 11))

    n.q3 = factories.reported_at(cadre, at(11, 5), ResolvePayload(note="现场答复"))
    satisfied = FeedbackPayload(rating=Feedback.Rating.SATISFIED, note="代录")
    factories.moved_at(n.q3, cadre.user, Action.CLOSE, satisfied, at(11, 6))

    category = factories.category("approvals")
    n.r1 = issue_request(link=enterprise_link, title="用地审批", category=category, now=at(11, 12))
    factories.moved_at(n.r1, cadre.user, Action.ASSIGN, to(d1, datetime.date(2025, 11, 28)), at(11, 13))
    factories.moved_at(n.r1, staff_user, Action.ACCEPT, AcceptPayload(), at(11, 14))
    n.r2 = issue_request(link=enterprise_link, title="用电报装", category=category, now=at(11, 20))
    return n


def figures(period: Period, keys=None, unit=None) -> dict[str, int]:
    return measures.counts(Issue.objects.all(), measures.Window.of(period), keys, unit=unit)


SPLIT = {
    "reported": 5,
    "reported_by_cadre": 3,  # Q1, Q2, Q3
    "raised_by_enterprise": 2,  # R1, R2
    "raised_by_enterprise_answered": 1,  # R1, accepted by D1
    "answered": 4,  # Q1, Q3 on the spot; Q2, R1 accepted
    "satisfied": 2,  # Q1 (the enterprise), Q3 (the cadre)
    "dissatisfied": 1,  # Q2 (the enterprise)
    "rated_by_enterprise": 2,  # Q1, Q2
    "rated_by_cadre": 1,  # Q3
}


def test_november_splits_who_spoke_for_the_enterprise(november):
    assert figures(NOVEMBER, SPLIT) == SPLIT


def test_the_rates_still_count_every_rating_and_every_problem(november):
    rates = measures.Rates.of(figures(NOVEMBER))
    assert rates.satisfaction == 66.7  # 2 of 3, whoever gave them
    assert rates.response == 80.0  # 4 of 5, whoever raised them
    assert measures.Rates.parts(figures(NOVEMBER))["satisfaction"] == (2, 3)


def test_each_split_figure_lists_its_rows(november):
    n, window = november, measures.Window.of(NOVEMBER)
    expected = {
        "reported_by_cadre": {n.q1, n.q2, n.q3},
        "raised_by_enterprise": {n.r1, n.r2},
        "raised_by_enterprise_answered": {n.r1},
        "rated_by_enterprise": {n.q1, n.q2},
        "rated_by_cadre": {n.q3},
    }
    for key, issues in expected.items():
        assert set(measures.rows(Issue.objects.all(), key, window)) == issues, key


def test_a_departments_ratings_are_split_too(november):
    table = measures.by_unit(Issue.objects.all(), measures.Window.of(NOVEMBER), list(SPLIT))
    d1 = table[november.d1.pk]
    # Q2 left D1 rated dissatisfied by the enterprise; R1 is with D1 at the month's end.
    assert (d1["rated_by_enterprise"], d1["rated_by_cadre"], d1["dissatisfied"]) == (1, 0, 1)
    assert (d1["raised_by_enterprise"], d1["raised_by_enterprise_answered"]) == (1, 1)
    assert figures(NOVEMBER, list(SPLIT), unit=november.d1.pk) == d1


def test_later_ratings_leave_november_as_it_was(november, cadre, staff):
    before = figures(NOVEMBER)
    n = november
    factories.moved_at(n.q2, cadre.user, Action.ASSIGN, to(n.d1, datetime.date(2025, 12, 20)), at(12, 1))
    factories.moved_at(n.q2, staff.user, Action.ACCEPT, AcceptPayload(), at(12, 2))
    factories.moved_at(n.q2, staff.user, Action.RESOLVE, ResolvePayload(note="已办结"), at(12, 3))
    factories.moved_at(n.q2, cadre.user, Action.CLOSE, FeedbackPayload(rating=Feedback.Rating.SATISFIED), at(12, 4))
    factories.moved_at(n.r1, staff.user, Action.RESOLVE, ResolvePayload(note="已办结"), at(12, 5))
    rated_by_enterprise(n.r1, n.link, Feedback.Rating.SATISFIED, at(12, 6))
    assert figures(NOVEMBER) == before
    december = figures(DECEMBER, ["rated_by_enterprise", "rated_by_cadre", "satisfied", "raised_by_enterprise"])
    assert december == {"rated_by_enterprise": 1, "rated_by_cadre": 1, "satisfied": 2, "raised_by_enterprise": 0}


def test_the_feedback_records_who_gave_it(november):
    given = {f.issue_id: f for f in Feedback.objects.all()}
    assert given[november.q1.pk].by_enterprise and given[november.q1.pk].recorded_by is None
    assert not given[november.q3.pk].by_enterprise and given[november.q3.pk].recorded_by is not None
    assert set(Issue.objects.filter(source=Source.ENTERPRISE)) == {november.r1, november.r2}


def test_the_ledger_lists_each_split_figure_and_filters_by_source(november, client, leader):
    client.force_login(leader)
    n = november
    for key, expected in {
        "rated_by_enterprise": {n.q1.pk, n.q2.pk},
        "rated_by_cadre": {n.q3.pk},
        "raised_by_enterprise": {n.r1.pk, n.r2.pk},
        "raised_by_enterprise_answered": {n.r1.pk},
    }.items():
        page = client.get("/issues/", {"measure": key, "from": "2025-11", "to": "2025-11"})
        assert {issue.pk for issue in page.context["page"]} == expected, key
    enterprise = client.get("/issues/", {"source": "enterprise"})
    assert {issue.pk for issue in enterprise.context["page"]} == {n.r1.pk, n.r2.pk}
    by_cadre = client.get("/issues/", {"source": "cadre", "measure": "answered", "from": "2025-11", "to": "2025-11"})
    assert {issue.pk for issue in by_cadre.context["page"]} == {n.q1.pk, n.q2.pk, n.q3.pk}
    assert client.get("/issues/", {"source": "bogus"}).status_code == 200


def test_counting_the_split_takes_one_query(november, django_assert_num_queries):
    window = measures.Window.of(NOVEMBER)
    with django_assert_num_queries(1):
        measures.counts(Issue.objects.all(), window)
    with django_assert_num_queries(1):
        measures.by_unit(Issue.objects.all(), window)


def test_the_problem_page_says_who_gave_each_rating(november, client, cadre):
    """The record says the enterprise gave it through its link, or which cadre recorded it on its behalf."""
    given = {f.issue_id: f for f in Feedback.objects.select_related("recorded_by")}
    by_enterprise = render_to_string("issues/_feedback_record.html", {"f": given[november.q2.pk]})
    assert 'data-by="enterprise"' in by_enterprise and cadre.user.get_full_name() not in by_enterprise
    by_cadre = render_to_string("issues/_feedback_record.html", {"f": given[november.q3.pk]})
    assert 'data-by="cadre"' in by_cadre and cadre.user.get_full_name() in by_cadre
    # On the page of a problem a cadre rated (the timeline's line for the enterprise's own steps is the
    # voice work's: tests/voice), the record is there with the cadre's name.
    client.force_login(cadre.user)
    page = client.get(f"/issues/{november.q3.pk}/").content.decode()
    assert page.count('data-by="cadre"') == 1 and cadre.user.get_full_name() in page.split('data-by="cadre"')[1]


def test_the_cadres_feedback_form_says_it_records_the_enterprises_word(client, cadre):
    """A resolved problem awaiting the enterprise's word: the cadre's form says it is recorded on its behalf."""
    resolved = factories.reported_at(cadre, at(11, 2), ResolvePayload(note="现场答复"))
    client.force_login(cadre.user)
    page = client.get(f"/issues/{resolved.pk}/")
    form = {action: form for action, _label, form in page.context["forms"]}[Action.CLOSE]
    help_text = str(form.fields["rating"].help_text)
    assert help_text and help_text in page.content.decode().replace("&#x27;", "'")
