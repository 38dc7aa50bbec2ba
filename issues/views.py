from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404, HttpResponse, QueryDict
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core import kept, pickers
from core.drafts import confirm_saved
from core.paging import IndexedPaginator, Tab, counted_page
from core.params import id_param, is_id
from core.roles import AuthenticatedRequest, PortalUser, Role, role_required, sees_everything
from core.services import submission_run
from core.submissions import submitted_once
from core.views import export_or_queue
from issues import workflow
from issues.errors import WorkflowError
from issues.filters import IssueFilter
from issues.forms import MatterDecisionForm, MatterForm, ReportForm, roadmap_initial
from issues.models import (
    ROW_RELATED,
    Action,
    ExtensionRequest,
    Issue,
    IssueEvent,
    IssueQuerySet,
    Milestone,
    Status,
    SystemicMatter,
    desk_tabs,
)
from issues.moves import move_form, spec_for
from issues.payloads import FeedbackPayload
from issues.services import (
    feedback_action,
    issue_record_feedback,
    issue_report,
    issue_transition,
    matter_create,
    matter_decide,
)
from organisation.models import Pairing

OVERSIGHT = (Role.LEADING_GROUP, Role.CAMPAIGN_OFFICE)
PAGE_SIZE = 25


def _get_issue_for_user(request: AuthenticatedRequest, pk: int) -> Issue:
    """Return the problem if the user may see it, else 404: the one lookup every view uses."""
    return get_object_or_404(Issue.objects.visible_to(request.user).select_related(*ROW_RELATED, "reporter"), pk=pk)


@login_required
@require_GET
def ledger(request: AuthenticatedRequest) -> HttpResponse:
    """The problem ledger (问题台账): everything the user may see, filtered and paginated."""
    filterset = IssueFilter(request.GET, queryset=Issue.objects.visible_to(request.user))
    # Ordered as the index `issue_ledger_order` is, so any page, the last included, is read on it.
    rows = filterset.qs.order_by("-created_at", "-pk")
    query = request.GET.copy()
    query.pop("page", None)
    page = IndexedPaginator(rows, PAGE_SIZE, related=ROW_RELATED, count=_ledger_count(request, rows, query)).get_page(
        request.GET.get("page")
    )
    return render(request, "issues/ledger.html", {"filter": filterset, "page": page, "query": query.urlencode()})


def _ledger_count(request: AuthenticatedRequest, rows: QuerySet[Issue], query: QueryDict) -> int:
    """How many problems the ledger lists. For a viewer who sees every problem it is kept until a problem moves
    (core/kept.py): at a province, counting 300,000 problems was most of the page. The filters (every parameter
    but the page) say what is counted; they read the problems, the enterprises' and units' names and fields
    ("names"), the working-day calendar (due soon) and today (overdue, the running month's figures). Anyone else
    sees a short list of keys (`visible_to`), counted each time."""
    if not sees_everything(request.user):
        return rows.count()
    return kept.remember(
        "issues.ledger",
        depends={"problems": None, "names": None, "calendar": None},
        count=rows.count,
        judged_on=timezone.localdate(),
        parts=(sorted(query.lists()),),
    )


@login_required
@require_GET
def ledger_export(request: AuthenticatedRequest) -> HttpResponseBase:
    """The same filtered rows as the ledger page, as an xlsx: streamed when small, else prepared in the background."""
    return export_or_queue(request, "ledger")


@login_required
@require_GET
def detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    issue = _get_issue_for_user(request, pk)
    return _render_detail(request, issue)


def _render_detail(request, issue: Issue, bound: dict | None = None, status: int = 200) -> HttpResponse:
    bound = bound or {}
    actions = workflow.available_actions(request.user, issue)
    forms = []
    for action in actions:
        if action == Action.REOPEN:
            continue  # one feedback form serves close and reopen; the rating decides which
        form = bound.get(action) or move_form(action, issue)
        forms.append((action, _feedback_label() if action == Action.CLOSE else Action(action).label, form))
    context = {
        "issue": issue,
        "forms": forms,
        "events": IssueEvent.objects.filter(issue=issue).select_related("actor", "from_department", "department"),
        "milestones": Milestone.objects.filter(issue=issue).select_related("department"),
        "extensions": issue.extensions.select_related("requested_by", "decided_by"),
        "feedback": issue.feedback.select_related("recorded_by"),
    }
    return render(request, "issues/detail.html", context, status=status)


def _feedback_label() -> str:
    return _("Record the enterprise's feedback")


@login_required
@require_POST
@submitted_once
def act(request: AuthenticatedRequest, pk: int, action: str) -> HttpResponse:
    """Make one move on a problem, once however often its form is sent; the service decides whether it is allowed."""
    issue = _get_issue_for_user(request, pk)
    if spec_for(action) is None:
        raise Http404
    form = move_form(action, issue, data=request.POST)
    if not form.is_valid():
        if pickers.searching(request.POST):
            # A unit or person searched without JavaScript (core/pickers.py): the form again, nothing moved.
            return _render_detail(request, issue, bound={action: form})
        messages.error(request, _("Please correct the errors below."))
        return _render_detail(request, issue, bound={action: form}, status=400)
    payload, version = form.payload(), form.cleaned_data["version"]
    # The move made is the one the service records: for feedback the rating decides (close, or reopen),
    # whichever form it came from, and the message must say which.
    made = feedback_action(payload) if isinstance(payload, FeedbackPayload) else Action(action)

    def move() -> Issue:
        if isinstance(payload, FeedbackPayload):
            return issue_record_feedback(issue_id=issue.pk, actor=request.user, version=version, payload=payload)
        return issue_transition(issue_id=issue.pk, actor=request.user, action=made, version=version, payload=payload)

    try:
        submission_run(user=request.user, token=form.submission_token, create=move, result_url=_detail_url)
    except WorkflowError as exc:
        # The code goes along as the message's tag, for tests and scripts; the user reads the message.
        messages.error(request, exc.message, extra_tags=exc.code)
    else:
        messages.success(request, _("Done: %(action)s.") % {"action": made.label}, extra_tags=made.value)
        confirm_saved(request)
    return redirect("issues:detail", pk=issue.pk)


def _detail_url(issue: Issue) -> str:
    return reverse("issues:detail", args=[issue.pk])


@login_required
@role_required(Role.CADRE)
@require_http_methods(["GET", "POST"])
@submitted_once
def report(request: AuthenticatedRequest) -> HttpResponse:
    """A cadre reports a problem of the paired enterprise and routes it, in one submit; once however often sent."""
    pairing = Pairing.objects.current_for(request.user)
    if pairing is None:
        messages.error(request, _("You have no paired enterprise to report for."))
        return redirect("home")
    # A problem raised in a visit (?visit=) links to it; the visit must be of this very pairing.
    # `pairing.visits` is the visits app's reverse relation: a lazy reference, not an upward import.
    visit_id = id_param(request, "visit")
    visit = get_object_or_404(pairing.visits, pk=visit_id) if visit_id is not None else None
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            issue = submission_run(
                user=request.user,
                token=form.submission_token,
                create=lambda: issue_report(
                    actor=request.user,
                    enterprise=pairing.enterprise,
                    title=data["title"],
                    description=data["description"],
                    category=data["category"],
                    route=form.route_payload(),
                    visit=visit,
                ),
                result_url=_detail_url,
            )
        except WorkflowError as exc:
            form.add_error(None, ValidationError(exc.message, code=exc.code))
        else:
            messages.success(
                request, _("The problem is reported: %(status)s.") % {"status": issue.get_status_display()}
            )
            confirm_saved(request)
            return redirect("issues:detail", pk=issue.pk)
    return render(
        request,
        "issues/report.html",
        {"form": form, "enterprise": pairing.enterprise, "visit": visit},
        status=400 if form.errors else 200,
    )


@login_required
@role_required(Role.DEPARTMENT_STAFF)
@require_GET
def inbox(request: AuthenticatedRequest) -> HttpResponse:
    """The department's inbox: new, in progress, due within days, overdue; and what it handled before."""
    staff = getattr(request.user, "department_staff", None)
    if staff is None:
        raise Http404
    tab = request.GET.get("tab", "new")
    today = timezone.localdate()
    desk = desk_tabs(today)
    if tab not in desk and tab != "history":
        raise Http404
    department = staff.department
    visible = Issue.objects.visible_to(request.user)
    now = Q(department=department)
    # The problems the department was assigned before: its timeline's assignments, by the events' index.
    before = IssueEvent.objects.filter(department=department).order_by().values("issue_id")
    # The tabs' counts, kept until a problem moves (core/kept.py): every problem the department holds or held is
    # read to count them. They are the department's, whoever of its staff reads them: what it holds or held is
    # within what each of them sees (`visible_to`). Judged against today (due soon, overdue) and the calendar.
    counts = kept.remember(
        "issues.inbox",
        depends={"problems": None, "calendar": None},
        count=lambda: Issue.objects.department_counts(department.pk, today),
        judged_on=today,
        parts=(department.pk,),
    )
    if tab == "history":
        rows = visible.filter(pk__in=before).exclude(now).order_by("-updated_at", "-pk")
    else:
        # What the department holds is within what its staff see: read on (department, status) alone, not joined
        # to the keys of everything they see (every problem the department ever held, a city's thousands).
        rows = Issue.objects.filter(now & desk[tab]).order_by("deadline", "pk")
    page = counted_page(rows.select_related(*ROW_RELATED), counts[tab], request.GET.get("page"), PAGE_SIZE)
    soon = _("Due within %(n)s days") % {"n": settings.CAMPAIGN_DUE_SOON_DAYS}
    tabs = [
        Tab("new", _("New"), counts["new"]),
        Tab("in_progress", _("In progress"), counts["in_progress"]),
        Tab("due_soon", soon, counts["due_soon"], "badge-due-soon"),
        Tab("overdue", _("Overdue"), counts["overdue"], "badge-overdue"),
        Tab("history", _("Handled before"), counts["history"]),
    ]
    return render(
        request, "issues/inbox.html", {"staff": staff, "tab": tab, "tabs": tabs, "counts": counts, "page": page}
    )


# The review desk's tabs, in the order it shows them.
REVIEW_TABS = {
    "escalated": gettext_lazy("Escalated"),
    "routing": gettext_lazy("Awaiting routing"),
    "extensions": gettext_lazy("Extension requests"),
    "matters": gettext_lazy("Systemic matters"),
}


@login_required
@role_required(*OVERSIGHT)
@require_GET
def review(request: AuthenticatedRequest) -> HttpResponse:
    """The leading group's desk: escalations oldest first, problems to route, extensions and matters to decide.

    One tab at a time, paged, each tab's count in its label: a city's desk holds thousands of each.
    """
    tab = request.GET.get("tab", "escalated")
    if tab not in REVIEW_TABS:
        raise Http404
    visible = Issue.objects.visible_to(request.user)
    pending = _pending_extensions(request.user, visible)
    counts = _review_counts(request.user, visible, pending)
    rows: QuerySet
    if tab == "escalated":
        rows = visible.filter(status=Status.ESCALATED).select_related(*ROW_RELATED, "matter")
        rows = rows.order_by("created_at", "pk")
    elif tab == "routing":
        rows = visible.awaiting_routing().select_related(*ROW_RELATED).order_by("updated_at", "pk")
    elif tab == "extensions":
        rows = pending.select_related("issue__enterprise").order_by("created_at", "pk")
    else:
        rows = SystemicMatter.objects.annotate(
            total=Count("issues"), waiting=Count("issues", filter=Q(issues__status=Status.ESCALATED))
        ).order_by("-created_at", "-pk")
    page = counted_page(rows, counts[tab], request.GET.get("page"), PAGE_SIZE)
    tabs = [Tab(key, str(label), counts[key]) for key, label in REVIEW_TABS.items()]
    return render(request, "issues/review.html", {"tab": tab, "tabs": tabs, "counts": counts, "page": page})


def _pending_extensions(user: PortalUser, visible: QuerySet[Issue]) -> QuerySet[ExtensionRequest]:
    pending = ExtensionRequest.objects.filter(decision=ExtensionRequest.Decision.PENDING)
    # Whoever sees every problem sees every request: no need to join a city's every problem to say so.
    return pending if sees_everything(user) else pending.filter(issue__in=visible)


def _review_counts(user: PortalUser, visible: IssueQuerySet, pending: QuerySet[ExtensionRequest]) -> dict[str, int]:
    """Count the desk's tabs, each by the same filter as its list and through its index (status, or pending).

    The problems' two (escalated, awaiting routing: thousands of each at a city) are kept until a problem moves
    (core/kept.py); the requests and matters, a few rows read on their own index, are counted each time.
    """

    # Routing is counted as it is listed (`awaiting_routing()`, the rule's one home), not by its statuses again.
    def count() -> dict[str, int]:
        return {
            "escalated": visible.filter(status=Status.ESCALATED).count(),
            "routing": visible.awaiting_routing().count(),
        }

    # Kept for a viewer who sees every problem; anyone else's sight reads more than the problems.
    everything = sees_everything(user)
    counts = kept.remember("issues.review", depends={"problems": None}, count=count) if everything else count()
    return {**counts, "extensions": pending.count(), "matters": SystemicMatter.objects.count()}


@login_required
@role_required(Role.LEADING_GROUP)
@require_POST
def matter_new(request: AuthenticatedRequest) -> HttpResponse:
    # Only the problems ticked are offered to the form: a city has thousands escalated.
    ticked = [int(pk) for pk in request.POST.getlist("issues") if is_id(pk)]
    escalated = Issue.objects.visible_to(request.user).filter(status=Status.ESCALATED, pk__in=ticked)
    form = MatterForm(request.POST, escalated=escalated)
    if not form.is_valid():
        messages.error(request, _("Give the matter a title and select at least one escalated problem."))
        return redirect("issues:review")
    try:
        matter = matter_create(
            actor=request.user,
            title=form.cleaned_data["title"],
            description=form.cleaned_data["description"],
            issue_ids=form.cleaned_data["issues"],
        )
    except WorkflowError as exc:
        messages.error(request, exc.message, extra_tags=exc.code)
        return redirect("issues:review")
    confirm_saved(request)
    return redirect("issues:matter", pk=matter.pk)


@login_required
@role_required(*OVERSIGHT)
@require_GET
def matter(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """A systemic matter: every enterprise it affects, and the form for one decision on all its problems."""
    matter = get_object_or_404(SystemicMatter, pk=pk)
    return _render_matter(request, matter, MatterDecisionForm(initial=_matter_initial(matter)))


@login_required
@role_required(Role.LEADING_GROUP)  # the campaign office sees a matter; only the leading group decides it
@require_POST
def matter_decide_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Apply the leading group's one decision to every escalated problem of the matter."""
    matter = get_object_or_404(SystemicMatter, pk=pk)
    form = MatterDecisionForm(request.POST, initial=_matter_initial(matter))
    if form.is_valid():
        try:
            count = matter_decide(matter=matter, actor=request.user, decision=form.decision_payload())
        except WorkflowError as exc:
            form.add_error(None, ValidationError(exc.message, code=exc.code))
        else:
            messages.success(request, _("Decided for %(count)d problems.") % {"count": count})
            confirm_saved(request)
            return redirect("issues:matter", pk=matter.pk)
    return _render_matter(request, matter, form, status=200 if pickers.searching(request.POST) else 400)


def _render_matter(
    request: AuthenticatedRequest, matter: SystemicMatter, form: MatterDecisionForm, status: int = 200
) -> HttpResponse:
    issues = (
        Issue.objects.visible_to(request.user)
        .filter(matter=matter)
        .select_related(*ROW_RELATED)
        .prefetch_related(Prefetch("events", queryset=IssueEvent.objects.order_by("created_at")))
    )
    return render(
        request,
        "issues/matter.html",
        {"matter": matter, "issues": issues, "enterprises": len({i.enterprise_id for i in issues}), "form": form},
        status=status,
    )


def _matter_initial(matter: SystemicMatter) -> dict:
    first = matter.issues.select_related("category").first()
    return roadmap_initial(first.category) if first else {}
