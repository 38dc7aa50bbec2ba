"""The enterprise's pages through its link: what they show, every token failure, the forms, the limits."""

import datetime
import time
import uuid
from unittest import mock

import pytest
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from enterprises.links import link_issue, link_revoke, token_for
from issues.models import Action, Feedback, IssueEvent, Source, Status
from issues.payloads import EscalatePayload
from tests import factories
from visits.models import EnterpriseAnswer

pytestmark = pytest.mark.django_db


def home_url(token):
    return reverse("voice:home", kwargs={"token": token})


def problem_url(token, issue):
    return reverse("voice:problem", kwargs={"token": token, "issue_id": issue if isinstance(issue, int) else issue.pk})


def rate_url(token, issue):
    return reverse("voice:rate", kwargs={"token": token, "issue_id": issue.pk})


@pytest.fixture
def visit(cadre):
    return factories.VisitFactory(pairing=cadre.pairings.get(), visited_on=timezone.localdate())


@pytest.fixture
def resolved(enterprise, cadre):
    return factories.issue_resolved(
        enterprise=enterprise, reporter=cadre, title="供电线路改造", resolution="已完成改造"
    )


@pytest.fixture
def theirs(other_enterprise, other_cadre):
    return factories.issue_resolved(enterprise=other_enterprise, reporter=other_cadre, title="别家企业的问题")


# --- What the page shows ----------------------------------------------------------------------------


def test_the_home_page_shows_the_enterprise_its_cadre_visits_and_problems(
    client, token, enterprise, cadre, visit, resolved
):
    cadre.mobile = "13800000001"
    cadre.save()
    response = client.get(home_url(token))
    assert response.status_code == 200
    page = response.content.decode()
    assert enterprise.name in page and "王建国" in page and "13800000001" in page
    assert f'id="answer-{visit.pk}"' in page and f'id="rate-{resolved.pk}"' in page
    assert "已完成改造" in page


def test_the_pages_keep_the_token_to_themselves_and_set_no_cookie(client, token, resolved):
    for url in (home_url(token), problem_url(token, resolved), reverse("voice:request", kwargs={"token": token})):
        response = client.get(url)
        assert response.status_code == 200
        assert response["Cache-Control"] == "no-store"
        assert response["Referrer-Policy"] == "no-referrer"
        assert "noindex" in response["X-Robots-Tag"]
        assert not response.cookies, url  # no session, no CSRF cookie: the token is all there is


def test_the_link_last_use_is_noted(client, token, enterprise_link):
    assert enterprise_link.last_used_at is None
    client.get(home_url(token))
    enterprise_link.refresh_from_db()
    assert enterprise_link.last_used_at is not None


def test_the_pages_show_nothing_of_another_enterprise(client, token, resolved, theirs, other_cadre):
    factories.VisitFactory(pairing=other_cadre.pairings.get(), visited_on=timezone.localdate(), summary="别家走访")
    page = client.get(home_url(token)).content.decode()
    assert "别家企业的问题" not in page and "李志强" not in page and theirs.enterprise.name not in page


def test_another_enterprises_problem_is_the_same_404_as_one_that_never_existed(client, token, theirs):
    foreign = client.get(problem_url(token, theirs))
    missing = client.get(problem_url(token, 987654))
    huge = client.get(problem_url(token, 10**30))
    assert foreign.status_code == missing.status_code == huge.status_code == 404
    assert foreign.content == missing.content
    assert "别家企业的问题" not in foreign.content.decode()


def test_the_problem_page_shows_public_steps_only(client, token, enterprise, cadre, department, staff, move):
    issue = factories.issue_in(Status.REPORTED, enterprise=enterprise, reporter=cadre, flow="")
    move(issue, cadre.user, Action.ESCALATE, EscalatePayload(note="内部升级理由不对企业公开"))
    page = client.get(problem_url(token, issue)).content.decode()
    assert "内部升级理由不对企业公开" not in page
    assert 'data-status="escalated"' in page


# --- Token failures ---------------------------------------------------------------------------------


def _code(response):
    return response.content.decode().split('id="link-error" data-code="')[1].split('"')[0]


@pytest.mark.parametrize(
    "spoil",
    [
        pytest.param(lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"), id="a-changed-character"),
        pytest.param(lambda t: "garbage", id="garbage"),
        pytest.param(lambda t: t.split(":")[0], id="no-signature"),
    ],
)
def test_a_tampered_token_opens_nothing(client, token, spoil):
    response = client.get(home_url(spoil(token)))
    assert response.status_code == 404 and _code(response) == "tampered"
    assert response["Cache-Control"] == "no-store"


def test_a_token_signed_with_another_salt_is_tampered(client, enterprise_link):
    forged = signing.TimestampSigner(salt="another-purpose").sign_object(
        {"l": enterprise_link.pk, "k": enterprise_link.key}, compress=False
    )
    response = client.get(home_url(forged))
    assert response.status_code == 404 and _code(response) == "tampered"


def test_an_expired_token_says_how_to_get_a_new_one(client, enterprise_link, settings):
    long_ago = time.time() - (settings.CAMPAIGN_ENTERPRISE_LINK_DAYS + 1) * 86400
    with mock.patch("django.core.signing.time.time", return_value=long_ago):
        old = token_for(enterprise_link)
    response = client.get(home_url(old))
    assert response.status_code == 410 and _code(response) == "expired"
    with mock.patch("django.core.signing.time.time", return_value=long_ago + 2 * 86400):
        recent = token_for(enterprise_link)
    assert client.get(home_url(recent)).status_code == 200  # within its days: still open


def test_a_revoked_link_is_gone_at_once(client, token, enterprise):
    assert client.get(home_url(token)).status_code == 200
    link_revoke(enterprise=enterprise, actor=None)
    response = client.get(home_url(token))
    assert response.status_code == 410 and _code(response) == "revoked"


def test_issuing_a_new_link_revokes_the_old(client, token, enterprise):
    new = link_issue(enterprise=enterprise, actor=None)
    assert _code(client.get(home_url(token))) == "revoked"
    assert client.get(home_url(token_for(new))).status_code == 200


def test_a_revoked_link_cannot_post_either(client, token, enterprise, resolved):
    link_revoke(enterprise=enterprise, actor=None)
    response = client.post(
        rate_url(token, resolved), {f"p{resolved.pk}-rating": "satisfied", f"p{resolved.pk}-version": 0}
    )
    assert response.status_code == 410
    resolved.refresh_from_db()
    assert resolved.status == Status.RESOLVED


# --- The forms --------------------------------------------------------------------------------------


def test_the_enterprise_confirms_a_visit(client, token, visit):
    response = client.post(
        reverse("voice:visit_answer", kwargs={"token": token, "visit_id": visit.pk}),
        {f"v{visit.pk}-answer": "confirmed", f"v{visit.pk}-remark": "王书记来过"},
    )
    assert response.status_code == 302 and response["Location"].endswith("?said=confirmed")
    visit.refresh_from_db()
    assert (visit.enterprise_answer, visit.enterprise_remark) == (EnterpriseAnswer.CONFIRMED, "王书记来过")
    page = client.get(response["Location"]).content.decode()
    assert 'data-answer="confirmed"' in page and f'id="answer-{visit.pk}"' not in page


def test_another_enterprises_visit_is_404_and_unchanged(client, token, other_cadre):
    theirs = factories.VisitFactory(pairing=other_cadre.pairings.get(), visited_on=timezone.localdate())
    response = client.post(
        reverse("voice:visit_answer", kwargs={"token": token, "visit_id": theirs.pk}),
        {f"v{theirs.pk}-answer": "denied"},
    )
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.enterprise_answer == ""


def test_a_second_answer_is_refused_with_its_code(client, token, visit):
    url = reverse("voice:visit_answer", kwargs={"token": token, "visit_id": visit.pk})
    client.post(url, {f"v{visit.pk}-answer": "confirmed"})
    response = client.post(url, {f"v{visit.pk}-answer": "denied"})
    assert response.status_code == 400 and 'data-code="already_answered"' in response.content.decode()
    visit.refresh_from_db()
    assert visit.enterprise_answer == "confirmed"


def _rating(issue, rating, comment="", version=None):
    prefix = f"p{issue.pk}"
    return {
        f"{prefix}-rating": rating,
        f"{prefix}-comment": comment,
        f"{prefix}-version": issue.version if version is None else version,
    }


def test_a_satisfied_rating_closes_the_problem_as_the_enterprises_own(client, token, resolved, enterprise_link):
    response = client.post(rate_url(token, resolved), _rating(resolved, "satisfied", "满意"))
    assert response.status_code == 302
    resolved.refresh_from_db()
    assert resolved.status == Status.CLOSED
    feedback = Feedback.objects.get(issue=resolved)
    assert feedback.enterprise_link == enterprise_link and feedback.recorded_by is None
    event = IssueEvent.objects.filter(issue=resolved).latest("pk")
    assert (event.action, event.by_enterprise, event.actor) == (Action.CLOSE, True, None)


def test_a_dissatisfied_rating_needs_a_comment_then_reopens(client, token, resolved):
    response = client.post(rate_url(token, resolved), _rating(resolved, "dissatisfied"))
    # The service decides (the same rule as the cadre's form): no comment, no reopening.
    assert response.status_code == 400 and 'data-code="note_required"' in response.content.decode()
    resolved.refresh_from_db()
    assert resolved.status == Status.RESOLVED
    response = client.post(rate_url(token, resolved), _rating(resolved, "dissatisfied", "电压仍不稳"))
    assert response.status_code == 302
    resolved.refresh_from_db()
    assert resolved.status == Status.REOPENED
    event = IssueEvent.objects.filter(issue=resolved).latest("pk")
    assert (event.action, event.by_enterprise) == (Action.REOPEN, True)


def test_a_rating_on_a_page_that_is_out_of_date_is_refused_as_stale(client, token, resolved):
    response = client.post(rate_url(token, resolved), _rating(resolved, "satisfied", version=resolved.version + 1))
    assert response.status_code == 400 and 'data-code="stale"' in response.content.decode()


def test_a_rating_of_another_enterprises_problem_is_404_and_moves_nothing(client, token, theirs):
    response = client.post(rate_url(token, theirs), _rating(theirs, "satisfied"))
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == Status.RESOLVED


def test_a_request_arrives_once_however_often_it_is_sent(client, token, enterprise, cadre):
    url = reverse("voice:request", kwargs={"token": token})
    data = {
        "submission": str(uuid.uuid4()),
        "title": "希望协调招工",
        "category": factories.category("other").pk,
        "description": "缺少熟练工人",
    }
    first = client.post(url, data)
    assert first.status_code == 302 and first["Location"].endswith("?said=raised")
    again = client.post(url, data)
    assert again.status_code == 302 and again["Location"].endswith("?said=again")
    assert first["Location"].split("?")[0] == again["Location"].split("?")[0]
    issue = enterprise.issues.get()
    assert (issue.status, issue.source, issue.title) == (Status.REPORTED, Source.ENTERPRISE, "希望协调招工")


def test_a_request_without_a_title_is_shown_again(client, token, cadre):
    url = reverse("voice:request", kwargs={"token": token})
    response = client.post(url, {"submission": str(uuid.uuid4()), "title": "", "category": factories.category().pk})
    assert response.status_code == 400
    assert not response.context["form"].is_valid()


def test_an_inactive_category_is_not_offered(client, token, cadre):
    gone = factories.category("retired")
    gone.is_active = False
    gone.save()
    form = client.get(reverse("voice:request", kwargs={"token": token})).context["form"]
    assert gone not in form.fields["category"].queryset


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("voice:home", "post"),
        ("voice:request", "put"),
        ("voice:visit_answer", "get"),
        ("voice:rate", "get"),
        ("voice:problem", "post"),
    ],
)
def test_wrong_method_is_405(client, token, resolved, visit, name, method):
    kwargs = {"token": token}
    if name == "voice:visit_answer":
        kwargs["visit_id"] = visit.pk
    if name in ("voice:rate", "voice:problem"):
        kwargs["issue_id"] = resolved.pk
    assert getattr(client, method)(reverse(name, kwargs=kwargs)).status_code == 405


# --- Rate limits -----------------------------------------------------------------------------------


def test_too_many_pages_from_one_address_are_429_in_chinese(client, token, settings):
    settings.CAMPAIGN_ENTERPRISE_LINK_RATE = "2/m"
    assert [client.get(home_url(token)).status_code for _ in range(3)] == [200, 200, 429]
    response = client.get(home_url("made-up"))  # the address is counted before the token is read
    assert response.status_code == 429
    assert 'id="limited"' in response.content.decode() and response["Cache-Control"] == "no-store"


def test_one_link_is_limited_from_many_addresses(client, token, settings):
    settings.CAMPAIGN_ENTERPRISE_LINK_RATE = "2/m"
    codes = [client.get(home_url(token), REMOTE_ADDR=f"10.0.0.{n}").status_code for n in range(1, 4)]
    assert codes == [200, 200, 429]
    assert client.get(home_url("made-up"), REMOTE_ADDR="10.0.0.9").status_code == 404  # another address: not limited


def test_forms_have_their_own_lower_rate(client, token, resolved, settings):
    settings.CAMPAIGN_ENTERPRISE_LINK_POST_RATE = "1/m"
    client.post(rate_url(token, resolved), _rating(resolved, "satisfied", version=99))
    assert client.post(rate_url(token, resolved), _rating(resolved, "satisfied")).status_code == 429
    resolved.refresh_from_db()
    assert resolved.status == Status.RESOLVED
    assert client.get(home_url(token)).status_code == 200  # the pages are counted apart


# --- Query counts -----------------------------------------------------------------------------------

HOME_QUERIES = 5  # the link, the cadre, the visits, the problems to rate, the others


def _fill(enterprise, cadre, n):
    pairing = cadre.pairings.get()
    for i in range(n):
        factories.VisitFactory(pairing=pairing, visited_on=timezone.localdate() - datetime.timedelta(days=i))
        factories.issue_resolved(enterprise=enterprise, reporter=cadre)
        factories.issue_in(Status.ESCALATED, enterprise=enterprise, reporter=cadre)


def test_the_home_page_runs_a_fixed_number_of_queries(client, token, enterprise, cadre, django_assert_num_queries):
    client.get(home_url(token))  # the first use writes last_used_at; later ones within the minute do not
    _fill(enterprise, cadre, 1)
    with django_assert_num_queries(HOME_QUERIES):
        assert client.get(home_url(token)).status_code == 200
    _fill(enterprise, cadre, 6)
    with django_assert_num_queries(HOME_QUERIES):
        assert client.get(home_url(token)).status_code == 200
