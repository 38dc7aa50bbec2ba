"""The staff's page for an enterprise's link, its visit card, and `manage.py enterprise_link`."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from enterprises.links import link_current, link_issue, link_read, token_for
from enterprises.models import EnterpriseLink
from issues.models import Feedback, Status
from issues.payloads import FeedbackPayload
from issues.services import issue_record_feedback
from tests import factories

pytestmark = pytest.mark.django_db


def manage_url(enterprise):
    return reverse("voice:manage", args=[enterprise.pk])


@pytest.mark.parametrize(
    ("persona", "status", "sees_link"),
    [("cadre", 200, True), ("office", 200, True), ("leader", 200, False), ("other_cadre", 404, False),
     ("staff", 404, False), ("nobody", 404, False)],
)  # fmt: skip
def test_who_sees_the_link_page(client, everyone, enterprise, enterprise_link, persona, status, sees_link):
    client.force_login(everyone[persona])
    response = client.get(manage_url(enterprise))
    assert response.status_code == status
    if status == 200:
        page = response.content.decode()
        assert ("<svg" in page and token_for(enterprise_link).split(":")[0] in page) == sees_link
        assert 'id="issue-form"' in page if sees_link else 'id="issue-form"' not in page


def test_anonymous_is_sent_to_log_in(client, enterprise):
    for url in (manage_url(enterprise), reverse("voice:card", args=[enterprise.pk])):
        response = client.get(url)
        assert response.status_code == 302 and reverse("login") in response["Location"]


def test_the_cadre_who_served_before_no_longer_manages_the_link(client, cadre, former_enterprise, successor):
    client.force_login(cadre.user)
    assert client.get(manage_url(former_enterprise)).status_code == 404


def test_the_page_shows_the_qr_code_and_the_address(client, cadre, enterprise, enterprise_link):
    client.force_login(cadre.user)
    page = client.get(manage_url(enterprise)).content.decode()
    assert 'role="img"' in page and 'id="link-url"' in page
    address = page.split('id="link-url" type="text" value="')[1].split('"')[0]
    token = address.rstrip("/").rsplit("/", 1)[1]
    assert link_read(token) == enterprise_link


def test_without_a_live_link_the_page_offers_to_issue_one(client, cadre, enterprise):
    client.force_login(cadre.user)
    page = client.get(manage_url(enterprise)).content.decode()
    assert 'id="no-link"' in page and "<svg" not in page
    response = client.post(reverse("voice:issue", args=[enterprise.pk]))
    assert response.status_code == 302
    link = link_current(enterprise)
    assert link is not None and link.created_by == cadre.user


def test_issuing_a_new_link_revokes_the_old(client, cadre, enterprise, enterprise_link):
    client.force_login(cadre.user)
    client.post(reverse("voice:issue", args=[enterprise.pk]))
    enterprise_link.refresh_from_db()
    assert enterprise_link.revoked_by == cadre.user
    assert EnterpriseLink.objects.live().filter(enterprise=enterprise).count() == 1


def test_revoking_ends_the_link(client, office, enterprise, enterprise_link):
    client.force_login(office)
    assert client.post(reverse("voice:revoke", args=[enterprise.pk])).status_code == 302
    assert link_current(enterprise) is None
    assert client.get(reverse("voice:home", kwargs={"token": token_for(enterprise_link)})).status_code == 410


@pytest.mark.parametrize("persona", ["leader", "other_cadre", "staff"])
def test_only_those_who_manage_may_issue_or_revoke(client, everyone, enterprise, enterprise_link, persona):
    client.force_login(everyone[persona])
    for name in ("voice:issue", "voice:revoke"):
        assert client.post(reverse(name, args=[enterprise.pk])).status_code == 404
    assert client.get(reverse("voice:card", args=[enterprise.pk])).status_code == 404
    assert link_current(enterprise) == enterprise_link


def test_issue_and_revoke_are_post_only(client, cadre, enterprise, enterprise_link):
    client.force_login(cadre.user)
    for name in ("voice:issue", "voice:revoke"):
        assert client.get(reverse(name, args=[enterprise.pk])).status_code == 405
    assert client.post(reverse("voice:card", args=[enterprise.pk])).status_code == 405
    assert client.put(manage_url(enterprise)).status_code == 405


def test_the_cadre_edits_the_contact(client, cadre, enterprise):
    client.force_login(cadre.user)
    response = client.post(manage_url(enterprise), {"contact_person": "周经理", "contact_mobile": "13912345678"})
    assert response.status_code == 302
    enterprise.refresh_from_db()
    assert (enterprise.contact_person, enterprise.contact_mobile) == ("周经理", "13912345678")
    bad = client.post(manage_url(enterprise), {"contact_person": "周经理", "contact_mobile": "12"})
    assert bad.status_code == 400
    enterprise.refresh_from_db()
    assert enterprise.contact_mobile == "13912345678"


def test_the_leader_may_not_edit_the_contact(client, leader, enterprise):
    client.force_login(leader)
    response = client.post(manage_url(enterprise), {"contact_person": "周经理", "contact_mobile": "13912345678"})
    assert response.status_code == 404


def test_the_visit_card_shows_the_code_the_enterprise_and_its_cadre(client, cadre, enterprise, enterprise_link):
    cadre.mobile = "13800000001"
    cadre.save()
    client.force_login(cadre.user)
    page = client.get(reverse("voice:card", args=[enterprise.pk])).content.decode()
    assert "<svg" in page and enterprise.name in page and "王建国" in page and "13800000001" in page


def test_the_visit_card_without_a_link_goes_back_to_the_page(client, cadre, enterprise):
    client.force_login(cadre.user)
    response = client.get(reverse("voice:card", args=[enterprise.pk]))
    assert response.status_code == 302 and response["Location"] == manage_url(enterprise)


def test_my_enterprise_links_to_the_link_page(client, cadre, enterprise):
    client.force_login(cadre.user)
    assert manage_url(enterprise) in client.get(reverse("visits:my_enterprise")).content.decode()


# --- The problem page names the enterprise as the actor -----------------------------------------------


def test_the_problem_page_shows_by_the_enterprise_where_a_name_stands(client, cadre, enterprise, enterprise_link):
    issue = factories.issue_resolved(enterprise=enterprise, reporter=cadre)
    payload = FeedbackPayload(rating=Feedback.Rating.DISSATISFIED, note="没有解决")
    issue_record_feedback(issue_id=issue.pk, actor=enterprise_link, version=issue.version, payload=payload)
    client.force_login(cadre.user)
    response = client.get(reverse("issues:detail", args=[issue.pk]))
    assert response.status_code == 200
    issue.refresh_from_db()
    assert issue.status == Status.REOPENED
    assert 'class="by-enterprise"' in response.content.decode()


# --- manage.py enterprise_link ---------------------------------------------------------------------


def _command(*args):
    out = io.StringIO()
    call_command("enterprise_link", *args, stdout=out)
    return out.getvalue().strip()


def test_the_command_prints_the_current_link(enterprise, enterprise_link, settings):
    url = _command(enterprise.uscc)
    assert url.startswith(settings.PORTAL_BASE_URL)
    assert link_read(url.rstrip("/").rsplit("/", 1)[1]) == enterprise_link


def test_the_command_issues_a_new_link_revoking_the_old(enterprise, enterprise_link):
    url = _command(enterprise.uscc.lower(), "--new")
    enterprise_link.refresh_from_db()
    assert enterprise_link.is_revoked
    assert link_read(url.rstrip("/").rsplit("/", 1)[1]) == link_current(enterprise)


def test_the_command_revokes(enterprise, enterprise_link):
    _command(enterprise.uscc, "--revoke")
    assert link_current(enterprise) is None
    with pytest.raises(CommandError):
        _command(enterprise.uscc, "--revoke")


def test_the_command_refuses_an_unknown_code_or_a_missing_link(enterprise):
    with pytest.raises(CommandError, match="credit code"):
        _command("91610111MA6TXXXX0X")
    with pytest.raises(CommandError, match="--new"):
        _command(enterprise.uscc)
    link_issue(enterprise=enterprise, actor=None)
    assert _command(enterprise.uscc)
