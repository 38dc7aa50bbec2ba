"""The server's side of the browser's drafts (core/drafts.py): which pages say "saved", which never do.

The browser's side, static/js/drafts.js, is tried in tests/browser/test_drafts.py.
"""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from issues.payloads import ResolvePayload
from issues.services import issue_report, matter_create
from tests.factories import IssueFactory, VisitFactory, category
from tests.submissions import tokens_on, with_token
from visits.models import Visit
from visits.services import errand_open

pytestmark = pytest.mark.django_db

VISIT_NEW = reverse("visits:visit_new")
_SAVED = re.compile(r'<span hidden data-draft-saved="([^"]*)"></span>')


def saved_markers(response) -> list[str]:
    """Return the paths the page tells the browser are saved."""
    return _SAVED.findall(response.content.decode())


def _visit(**extra) -> dict:
    return {"visited_on": timezone.localdate().isoformat(), "mode": "on_site", "operations": "生产正常", **extra}


def _empty_problems() -> dict:
    return {"problems-TOTAL_FORMS": "0", "problems-INITIAL_FORMS": "0"}


def test_a_saved_visit_tells_the_browser_the_form_sent_to_its_address_is_saved(client, cadre):
    client.force_login(cadre.user)
    [token] = tokens_on(client.get(VISIT_NEW))

    response = client.post(VISIT_NEW, with_token({**_visit(), **_empty_problems()}, token), follow=True)

    assert response.redirect_chain[0][1] == 302 and Visit.objects.count() == 1
    assert saved_markers(response) == [VISIT_NEW]
    # A marker, not a message the user reads: the one alert is the success message.
    [alert] = re.findall(r'role="alert">\s*(.*?)\s*<button', response.content.decode(), re.S)
    assert VISIT_NEW not in alert
    assert saved_markers(client.get(response.request["PATH_INFO"])) == []  # said once


def test_a_visit_sent_again_was_saved_the_first_time_and_says_so(client, cadre):
    client.force_login(cadre.user)
    data = with_token({**_visit(), **_empty_problems()})
    client.post(VISIT_NEW, data, follow=True)

    again = client.post(VISIT_NEW, data, follow=True)

    assert Visit.objects.count() == 1
    assert saved_markers(again) == [VISIT_NEW]


def test_a_refused_visit_leaves_the_draft(client, cadre):
    client.force_login(cadre.user)
    response = client.post(VISIT_NEW, with_token({**_visit(visited_on="1999-01-01"), **_empty_problems()}))
    assert response.status_code == 400
    assert saved_markers(response) == []


def test_the_report_of_a_visits_problem_confirms_its_address_with_the_query(client, cadre, enterprise):
    visit = VisitFactory(pairing=cadre.pairings.get())
    url = f"{reverse('issues:report')}?visit={visit.pk}"
    client.force_login(cadre.user)
    data = {"title": "供电容量不足", "category": category("utilities").pk, "route": "resolve", "note": "当场处理"}

    response = client.post(url, with_token(data), follow=True)

    assert visit.issues.count() == 1
    assert saved_markers(response) == [url]


def test_a_move_made_confirms_its_address_and_a_refused_one_does_not(client, cadre, enterprise):
    issue = issue_report(
        actor=cadre.user, enterprise=enterprise, title="供电", category=category(), route=ResolvePayload(note="已处理")
    )
    url = reverse("issues:act", args=[issue.pk, "close"])
    client.force_login(cadre.user)
    form = {"feedback-rating": "satisfied", "feedback-note": "满意"}

    stale = client.post(url, with_token({**form, "feedback-version": issue.version - 1}), follow=True)
    made = client.post(url, with_token({**form, "feedback-version": issue.version}), follow=True)

    assert saved_markers(stale) == []
    assert saved_markers(made) == [url]


def test_logging_out_tells_the_browser_to_drop_that_users_drafts(client, cadre):
    client.force_login(cadre.user)

    response = client.post(reverse("logout"), follow=True)

    assert response.redirect_chain[-1][0] == reverse("login")
    assert f'<span hidden data-drafts-logged-out="{cadre.user.pk}"></span>' in response.content.decode()
    assert "data-draft-user" not in response.content.decode()  # nobody's drafts are shown on the login page


def test_a_logged_in_page_names_the_user_whose_drafts_it_shows(client, cadre):
    client.force_login(cadre.user)
    html = client.get(VISIT_NEW).content.decode()
    assert f'data-draft-user="{cadre.user.pk}"' in html
    assert "data-draft-restored=" in html and "data-draft-discard=" in html  # the notice's words, translated
    assert "js/drafts.js" in html


@pytest.mark.urls("tests.core.error_urls")
def test_the_500_page_never_drops_a_draft_and_says_the_text_is_kept(client, cadre, settings):
    settings.DEBUG = False
    client.raise_request_exception = False
    client.force_login(cadre.user)
    html = client.get("/test-errors/boom/").content.decode()
    assert 'id="drafts-kept"' in html
    assert "drafts.js" not in html and "data-draft-saved" not in html


def _free_text_pages(cadre, enterprise, leader, staff, department) -> list[tuple[object, str, set[str]]]:
    """Each page with a form that takes free text: who opens it, where, and the drafts its forms opt in as."""
    pairing = cadre.pairings.get()
    visit = VisitFactory(pairing=pairing)
    errand = errand_open(
        actor=cadre.user,
        pairing=pairing,
        matter="代办施工许可证",
        approving_department="区住建局",
        mode="agent",
        on=timezone.localdate(),
    )
    resolved = issue_report(
        actor=cadre.user, enterprise=enterprise, title="供电", category=category(), route=ResolvePayload(note="已处理")
    )
    escalated = [IssueFactory(enterprise=enterprise), IssueFactory(enterprise=enterprise)]
    matter = matter_create(actor=leader, title="园区供电", issue_ids=[escalated[0].pk])
    return [
        (cadre.user, VISIT_NEW, {"visit"}),
        (cadre.user, reverse("visits:visit_edit", args=[visit.pk]), {"visit-correction"}),
        (cadre.user, reverse("issues:report"), {"report"}),
        (cadre.user, reverse("visits:errand_new"), {"errand"}),
        (cadre.user, reverse("visits:errand_detail", args=[errand.pk]), {"errand-stage"}),
        (cadre.user, reverse("issues:detail", args=[resolved.pk]), {"move-close"}),
        (leader, reverse("issues:review"), {"matter-new"}),
        (leader, reverse("issues:matter", args=[matter.pk]), {"matter-decision"}),
    ]


def test_every_form_that_takes_free_text_keeps_a_draft(client, cadre, enterprise, leader, staff, department):
    for user, url, drafts in _free_text_pages(cadre, enterprise, leader, staff, department):
        client.force_login(user)
        html = client.get(url).content.decode()
        assert set(re.findall(r'data-draft="([^"]+)"', html)) == drafts, url


@pytest.mark.parametrize("url", [reverse("login"), reverse("password_change"), reverse("organisation:import")])
def test_passwords_and_uploads_keep_no_draft(client, office, url):
    if url != reverse("login"):
        client.force_login(office)
    response = client.get(url)
    assert response.status_code == 200
    assert "data-draft=" not in response.content.decode()
