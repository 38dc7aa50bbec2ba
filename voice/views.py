"""The enterprise's pages through its link (/e/<token>/…), and the staff's page for that link (/voice/…).

The link's pages have no login, no session and no cookie: the token in the address is the enterprise's
credential (`enterprises/links.py` reads it on every request). So they are exempt from CSRF — a forged
form would need the token, and whoever holds the token needs no forgery — and they say so to no one
else: no cache (Cache-Control: no-store), no Referer carrying the token to another site, no index.
"""

import functools
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.errors import PortalError
from core.params import parse_id
from core.roles import AuthenticatedRequest, Role, roles_of
from enterprises import links
from enterprises.links import LinkError
from enterprises.models import Enterprise, EnterpriseLink
from issues.models import Issue, Status
from issues.payloads import FeedbackPayload
from issues.services import issue_record_feedback
from organisation.models import Pairing
from voice import limits, public
from voice.forms import AnswerForm, ContactForm, RatingForm, RequestForm
from voice.qr import qr_svg
from voice.services import VoiceError, request_raise, visit_answer

LinkView = Callable[..., HttpResponse]

# What the page says after a form through the link went through (?said=…).
SAID = {
    "confirmed": gettext_lazy("Thank you: you confirmed the visit."),
    "denied": gettext_lazy("Thank you: you said the visit did not take place. The campaign office will look into it."),
    "rated": gettext_lazy("Thank you for your rating."),
    "raised": gettext_lazy("Your request was sent to your cadre, who will route it."),
    "again": gettext_lazy("This request had already been sent; it was not sent twice."),
}


def _private(response: HttpResponse) -> HttpResponse:
    """Keep a page of the link out of caches, other sites' logs and search engines: its address is a key."""
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _refused(request: HttpRequest, error: LinkError) -> HttpResponse:
    # A tampered token is an address that names nothing (404); an expired or withdrawn one named a link
    # that is gone for good (410), and the page says how to get the new one.
    status = HTTPStatus.NOT_FOUND if error.code == links.TAMPERED else HTTPStatus.GONE
    return render(request, "voice/link_error.html", {"code": error.code}, status=status)


def _too_many(request: HttpRequest) -> HttpResponse:
    response = render(request, "voice/limited.html", status=HTTPStatus.TOO_MANY_REQUESTS)
    response["Retry-After"] = "60"  # the rates count per minute
    return response


def link_page(view: LinkView) -> LinkView:
    """Open a page of the link: count the request, read the token, note the use; the view gets the live link."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, token: str, *args: Any, **kwargs: Any) -> HttpResponse:
        if limits.address_limited(request):
            return _private(_too_many(request))
        try:
            link = links.link_read(token)
        except LinkError as error:
            return _private(_refused(request, error))
        if limits.link_limited(request, link):
            return _private(_too_many(request))
        links.link_touch(link)
        return _private(view(request, link, token, *args, **kwargs))

    return csrf_exempt(wrapped)


def _not_found(request: HttpRequest) -> HttpResponse:
    # Another enterprise's problem or visit and one that never existed answer alike.
    return render(request, "voice/not_found.html", status=HTTPStatus.NOT_FOUND)


def _home_url(token: str, said: str = "") -> str:
    url = reverse("voice:home", kwargs={"token": token})
    return f"{url}?said={said}" if said else url


def _said(request: HttpRequest) -> str:
    return str(SAID.get(request.GET.get("said", ""), ""))


def _cadre_of(link: EnterpriseLink) -> Pairing | None:
    return Pairing.objects.active().filter(enterprise_id=link.enterprise_id).select_related("cadre").first()


def _home_page(
    request: HttpRequest, link: EnterpriseLink, token: str, *, error: PortalError | None = None
) -> HttpResponse:
    visits = list(public.visits(link, timezone.localdate()))
    to_rate = list(public.awaiting_rating(link))
    context = {
        "link": link,
        "token": token,
        "enterprise": link.enterprise,
        "pairing": _cadre_of(link),
        "visits": [(visit, AnswerForm(prefix=f"v{visit.pk}")) for visit in visits],
        "to_rate": [(issue, _rating_form(issue)) for issue in to_rate],
        "problems": list(public.recent(link)),
        "said": "" if error else _said(request),
        "error": error,
    }
    status = HTTPStatus.BAD_REQUEST if error else HTTPStatus.OK
    return render(request, "voice/home.html", context, status=status)


def _rating_form(issue: Issue, data: Any = None) -> RatingForm:
    return RatingForm(data, prefix=f"p{issue.pk}", initial={"version": issue.version})


@link_page
@require_GET
def home(request: HttpRequest, link: EnterpriseLink, token: str) -> HttpResponse:
    """The enterprise's page: its cadre, its visits to answer, its problems to rate, the way to raise a request."""
    return _home_page(request, link, token)


@link_page
@require_POST
def visit_answer_view(request: HttpRequest, link: EnterpriseLink, token: str, visit_id: int) -> HttpResponse:
    """Record the enterprise's answer on a visit (the button it pressed), then show its page again."""
    if not _in_range(visit_id):
        return _not_found(request)
    form = AnswerForm(request.POST, prefix=f"v{visit_id}")
    if not form.is_valid():
        return _home_page(
            request, link, token, error=VoiceError("answer_required", _("Say whether the visit took place."))
        )
    try:
        visit_answer(
            link=link, visit_id=visit_id, answer=form.cleaned_data["answer"], remark=form.cleaned_data["remark"]
        )
    except VoiceError as error:
        if error.code == "not_allowed":
            return _not_found(request)
        return _home_page(request, link, token, error=error)
    return HttpResponseRedirect(_home_url(token, form.cleaned_data["answer"]))


def _in_range(pk: int) -> bool:
    """Whether an id from the address fits a database key (a longer number names nothing)."""
    try:
        return parse_id(str(pk)) is not None
    except Http404:
        return False


def _problem_of(link: EnterpriseLink, issue_id: int) -> Issue:
    if not _in_range(issue_id):
        raise Http404
    issue = public.problems(link).filter(pk=issue_id).first()
    if issue is None:
        raise Http404
    return issue


def _problem_page(
    request: HttpRequest,
    link: EnterpriseLink,
    token: str,
    issue: Issue,
    *,
    form: RatingForm | None = None,
    error: PortalError | None = None,
) -> HttpResponse:
    if form is None and issue.status == Status.RESOLVED:
        form = _rating_form(issue)
    context = {
        "token": token,
        "enterprise": link.enterprise,
        "issue": issue,
        "steps": public.steps(issue),
        "form": form,
        "error": error,
        "said": "" if error else _said(request),
    }
    invalid = error is not None or (form is not None and form.is_bound)
    return render(request, "voice/problem.html", context, status=HTTPStatus.BAD_REQUEST if invalid else HTTPStatus.OK)


@link_page
@require_GET
def problem(request: HttpRequest, link: EnterpriseLink, token: str, issue_id: int) -> HttpResponse:
    """One of the enterprise's problems: where it stands, the public steps, the rating form when resolved."""
    try:
        issue = _problem_of(link, issue_id)
    except Http404:
        return _not_found(request)
    return _problem_page(request, link, token, issue)


@link_page
@require_POST
def rate(request: HttpRequest, link: EnterpriseLink, token: str, issue_id: int) -> HttpResponse:
    """The enterprise's rating of a resolved problem: closes it, or reopens it when dissatisfied."""
    try:
        issue = _problem_of(link, issue_id)
    except Http404:
        return _not_found(request)
    form = _rating_form(issue, request.POST)
    if not form.is_valid():
        return _problem_page(request, link, token, issue, form=form)
    payload = FeedbackPayload(rating=form.cleaned_data["rating"], note=form.cleaned_data["comment"])
    try:
        issue_record_feedback(issue_id=issue.pk, actor=link, version=form.cleaned_data["version"], payload=payload)
    except PortalError as error:
        issue.refresh_from_db()
        return _problem_page(request, link, token, issue, form=form, error=error)
    url = reverse("voice:problem", kwargs={"token": token, "issue_id": issue.pk})
    return HttpResponseRedirect(f"{url}?said=rated")


@link_page
@require_http_methods(["GET", "POST"])
def request_new(request: HttpRequest, link: EnterpriseLink, token: str) -> HttpResponse:
    """Raise a new request (诉求) for the cadre to route; the same form sent twice raises it once."""
    form = RequestForm(request.POST if request.method == "POST" else None)
    error: PortalError | None = None
    if form.is_valid():
        try:
            raised = request_raise(
                link=link,
                token=form.submission_token,
                title=form.cleaned_data["title"],
                category=form.cleaned_data["category"],
                description=form.cleaned_data["description"],
            )
        except PortalError as refusal:
            error = refusal
        else:
            url = reverse("voice:problem", kwargs={"token": token, "issue_id": raised.issue.pk})
            return HttpResponseRedirect(f"{url}?said={'again' if raised.again else 'raised'}")
    context = {"token": token, "enterprise": link.enterprise, "form": form, "error": error}
    status = HTTPStatus.BAD_REQUEST if form.is_bound else HTTPStatus.OK
    return render(request, "voice/request.html", context, status=status)


# The staff's page for an enterprise's link ---------------------------------------------------------


class Access:
    """What a user may do on an enterprise's link page: see it, and manage (see the link, issue, revoke)."""

    def __init__(self, enterprise: Enterprise, *, manages: bool) -> None:
        self.enterprise = enterprise
        self.manages = manages


def _access(user: Any, enterprise_id: int) -> Access:
    """The campaign office and the enterprise's serving cadre manage its link; the leading group sees
    that it has one (never the link itself: it is the enterprise's key); anyone else gets 404."""
    roles = roles_of(user)
    enterprise = Enterprise.objects.filter(pk=enterprise_id, is_active=True).first()
    if enterprise is None:
        raise Http404
    if Role.CAMPAIGN_OFFICE in roles:
        return Access(enterprise, manages=True)
    if Role.CADRE in roles and Pairing.objects.active().filter(enterprise=enterprise, cadre__user=user).exists():
        return Access(enterprise, manages=True)
    if Role.LEADING_GROUP in roles:
        return Access(enterprise, manages=False)
    raise Http404


def _managing(user: Any, enterprise_id: int) -> Enterprise:
    access = _access(user, enterprise_id)
    if not access.manages:
        raise Http404
    return access.enterprise


def _staff_context(enterprise: Enterprise, *, manages: bool) -> dict[str, Any]:
    link = links.link_current(enterprise)
    url = links.url_for(link) if link and manages else ""
    pairing = Pairing.objects.active().filter(enterprise=enterprise).select_related("cadre").first()
    return {
        "enterprise": enterprise,
        "link": link,
        "url": url,
        "qr": qr_svg(url, title=_("QR code of the enterprise's link")) if url else "",
        "pairing": pairing,
        "manages": manages,
    }


@login_required
@require_http_methods(["GET", "POST"])
def link_manage(request: AuthenticatedRequest, enterprise_id: int) -> HttpResponse:
    """The enterprise's link for those who hand it out: its QR code and address, its contact, issue, revoke."""
    access = _access(request.user, enterprise_id)
    form = ContactForm(instance=access.enterprise)
    if request.method == "POST":
        if not access.manages:
            raise Http404
        form = ContactForm(request.POST, instance=access.enterprise)
        if form.is_valid():
            form.save()
            return HttpResponseRedirect(reverse("voice:manage", args=[enterprise_id]) + "?said=contact")
    context = _staff_context(access.enterprise, manages=access.manages)
    context.update(form=form, said=request.GET.get("said", ""))
    status = HTTPStatus.BAD_REQUEST if form.is_bound else HTTPStatus.OK
    return render(request, "voice/manage.html", context, status=status)


@login_required
@require_POST
def link_new(request: AuthenticatedRequest, enterprise_id: int) -> HttpResponse:
    """Issue the enterprise a new link; the old one (and every QR code of it) stops working at once."""
    enterprise = _managing(request.user, enterprise_id)
    links.link_issue(enterprise=enterprise, actor=request.user)
    return HttpResponseRedirect(reverse("voice:manage", args=[enterprise_id]) + "?said=issued")


@login_required
@require_POST
def link_withdraw(request: AuthenticatedRequest, enterprise_id: int) -> HttpResponse:
    """Revoke the enterprise's link: it opens nothing from now on."""
    enterprise = _managing(request.user, enterprise_id)
    links.link_revoke(enterprise=enterprise, actor=request.user)
    return HttpResponseRedirect(reverse("voice:manage", args=[enterprise_id]) + "?said=revoked")


@login_required
@require_GET
def card(request: AuthenticatedRequest, enterprise_id: int) -> HttpResponse:
    """The printable visit card: the QR code, the enterprise, its cadre, and what the code is for."""
    enterprise = _managing(request.user, enterprise_id)
    context = _staff_context(enterprise, manages=True)
    if context["link"] is None:
        return HttpResponseRedirect(reverse("voice:manage", args=[enterprise_id]))
    return render(request, "voice/card.html", context)
