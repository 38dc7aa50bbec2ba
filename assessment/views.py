"""The annual assessment's pages: the year's ranking tables and 红黑榜, each score's breakdown, freezing, comparing.

The overseers (leading group, campaign office, superuser) see every page; a cadre only their own breakdown and a
department's staff only their unit's (anyone else's is a 404, as a problem they may not see is); an account
without a role nothing. The scores come from assessment/scores.py (the snapshot while a year is frozen);
nothing is counted here.
"""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, overload

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from assessment import exports, rules, scores
from assessment.forms import FreezeForm, UnfreezeForm
from assessment.models import Freeze, Subject
from assessment.services import AssessmentError, may_freeze, year_freeze, year_unfreeze
from core import kept
from core.drafts import confirm_saved
from core.params import parse_id
from core.roles import (
    OVERSIGHT_ROLES,
    AuthenticatedRequest,
    Role,
    role_required,
    roles_of,
    sees_everything,
)
from core.services import submission_run
from core.sorting import Sort, query_with
from core.submissions import submitted_once
from organisation.models import Cadre, Department, DepartmentStaff
from supervision.models import Rating

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# Whoever holds a role may open the assessment; what each sees is decided below.
ANY_ROLE = tuple(Role.values)
PAGE_SIZE = 50


def _year(year: int) -> int:
    """The year asked for, if it can be assessed: 2000 to this year; else 404."""
    if not rules.may_assess(year):
        raise Http404
    return year


def _own(user: "User") -> tuple[str, int] | None:
    """The breakdown that is the user's own: their cadre's, else their unit's."""
    held = roles_of(user)
    if Role.CADRE in held:
        pk = Cadre.objects.filter(user=user).values_list("pk", flat=True).first()
        if pk is not None:
            return Subject.CADRE.value, pk
    if Role.DEPARTMENT_STAFF in held:
        unit = DepartmentStaff.objects.filter(user=user).values_list("department_id", flat=True).first()
        if unit is not None:
            return Subject.DEPARTMENT.value, unit
    return None


def _may_see(user: "User", subject: str, pk: int) -> bool:
    """Overseers every breakdown; a cadre their own; a department's staff their unit's."""
    if sees_everything(user):
        return True
    held = roles_of(user)
    if subject == Subject.CADRE:
        return Role.CADRE in held and Cadre.objects.filter(pk=pk, user=user).exists()
    return Role.DEPARTMENT_STAFF in held and DepartmentStaff.objects.filter(user=user, department_id=pk).exists()


def _unit_for_user(request: AuthenticatedRequest, subject: str, pk: int) -> Cadre | Department:
    """The cadre or department whose breakdown is asked for, if the user may see it; else 404."""
    if not _may_see(request.user, subject, pk):
        raise Http404
    if subject == Subject.CADRE:
        return get_object_or_404(Cadre, pk=pk)
    return get_object_or_404(Department, pk=pk)


def _own_breakdown(user: "User", year: int) -> HttpResponseBase:
    own = _own(user)
    if own is None:
        raise Http404
    return redirect(f"assessment:{own[0]}", year, own[1])


@login_required
@role_required(*ANY_ROLE)
@require_GET
def index(request: AuthenticatedRequest) -> HttpResponseBase:
    """This year's assessment: the overseers go to the year's ranking; the others see their own breakdown here.

    The menu links a cadre or a unit's staff here (their own breakdown, without a hop), the overseers
    straight to the year page.
    """
    year = timezone.localdate().year
    if sees_everything(request.user):
        return redirect("assessment:year", year)
    own = _own(request.user)
    if own is None:
        raise Http404
    return _breakdown(request, year, *own)


# -- the year page ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Heading:
    """A column of a ranking table: its name, its sort link, aria-sort, and for a measure its weight and definition."""

    key: str
    label: str
    href: str
    aria_sort: str
    weight: Any = None
    definition: str = ""


def _headings(
    request: AuthenticatedRequest, weights: scores.Weights, subject: str, param: str, page_param: str
) -> list[Heading]:
    """The table's headings, each a sort link (the table is sorted as `_sorting` reads the request)."""
    measures = weights.measures(subject)
    sorting = _sorting(request.GET.get(param, ""), weights, subject)

    def heading(key: str, label: str, **more: Any) -> Heading:
        href = "?" + query_with(request, **{param: sorting.toggled(key), page_param: ""})
        return Heading(key, label, href, sorting.aria(key), **more)

    return [
        heading("name", _("Cadre") if subject == Subject.CADRE else _("Department")),
        *(
            heading(
                key,
                rules.RULES[key].label,
                weight=weights.weight(subject, key),
                definition=str(rules.RULES[key].definition),
            )
            for key in measures
        ),
        heading("score", _("Score")),
    ]


def _sorting(asked: str, weights: scores.Weights, subject: str) -> Sort:
    return Sort.read(asked, {"name", "score", *weights.measures(subject)})


def _rows(shown: Iterable[scores.Score], measures: list[str]) -> list[tuple[scores.Score, list[scores.Part | None]]]:
    """Each score with its measures' parts in the table's column order."""
    return [(score, [score.part(key) for key in measures]) for score in shown]


def _rules_context(weights: scores.Weights) -> dict[str, Any]:
    """The weights in force and what each measure counts, as the page explains them."""
    return {
        "rules": [
            {
                "key": key,
                "label": rule.label,
                "definition": rule.definition,
                "cadre": weights.weight(Subject.CADRE, key) if Subject.CADRE in rule.subjects else None,
                "department": weights.weight(Subject.DEPARTMENT, key) if Subject.DEPARTMENT in rule.subjects else None,
            }
            for key, rule in rules.RULES.items()
        ],
        "out_of": {subject: weights.out_of(subject) for subject in Subject.values},
        "ratings": [(Rating(key).label, weights.ratings.get(key, 0)) for key in Rating.values],
        "empty_label": rules.EMPTY,
    }


@dataclass(frozen=True)
class Shown:
    """A table's page as a page shows it: how many rows the table has, which page this is, its full scores."""

    count: int
    number: int
    scores: list[scores.Score]

    def page(self) -> Page:
        """The page, as Django's paginator gives it, over the rows kept (the others are not needed to show it)."""
        return Paginator(_Placed(self.count, self.scores), PAGE_SIZE).page(self.number)


class _Placed(Sequence[scores.Score]):
    """A table of `count` rows of which only one page's are at hand (the paginator asks only for those)."""

    def __init__(self, count: int, shown: list[scores.Score]) -> None:
        self.count_, self.shown = count, shown

    def __len__(self) -> int:
        return self.count_

    @overload
    def __getitem__(self, index: int) -> scores.Score: ...
    @overload
    def __getitem__(self, index: slice) -> list[scores.Score]: ...
    def __getitem__(self, index: int | slice) -> scores.Score | list[scores.Score]:
        if isinstance(index, slice):
            return self.shown
        raise IndexError(index)


@dataclass(frozen=True)
class YearPage:
    """What the year page shows, counted once per state of what it reads (core/kept.py): plain data only."""

    year: int
    as_of: datetime.datetime
    is_over: bool
    weights: scores.Weights
    cadres: Shown
    departments: Shown
    boards: dict[str, scores.Board]


def _shown(assessment: scores.Assessment, subject: str, sort: str, page: str | None) -> tuple[Shown, list[scores.Row]]:
    rows = assessment.rows(subject)
    sorting = _sorting(sort, assessment.weights, subject)
    ordered = scores.sort_rows(assessment, subject, sorting.key, sorting.descending)
    found = Paginator(ordered, PAGE_SIZE).get_page(page)
    return Shown(len(rows), found.number, []), list(found.object_list)


def year_page(
    assessment: scores.Assessment,
    size: int,
    sort: str = "",
    dsort: str = "",
    page: str | None = None,
    dpage: str | None = None,
) -> YearPage:
    """The year page's figures: each table's page as sorted and paged, and the boards, with their breakdowns.

    Both tables paged, the boards capped: a province's 135,000 cadres and 1,173 departments are the Excel
    file's; the breakdowns are built for what is shown (a snapshot reads them in one query).
    """
    cadres, cadre_rows = _shown(assessment, Subject.CADRE, sort, page)
    departments, department_rows = _shown(assessment, Subject.DEPARTMENT, dsort, dpage)
    board_rows = {subject: assessment.board_rows(subject, size) for subject in (Subject.CADRE, Subject.DEPARTMENT)}
    assessment.prepare(
        {
            Subject.CADRE: [*cadre_rows, *board_rows[Subject.CADRE][0], *board_rows[Subject.CADRE][1]],
            Subject.DEPARTMENT: [
                *department_rows,
                *board_rows[Subject.DEPARTMENT][0],
                *board_rows[Subject.DEPARTMENT][1],
            ],
        }
    )
    return YearPage(
        year=assessment.year,
        as_of=assessment.as_of,
        is_over=assessment.is_over,
        weights=assessment.weights,
        cadres=replace(cadres, scores=assessment.shown(Subject.CADRE, cadre_rows)),
        departments=replace(departments, scores=assessment.shown(Subject.DEPARTMENT, department_rows)),
        boards={
            subject: assessment.board(subject, size) for subject in (Subject.CADRE.value, Subject.DEPARTMENT.value)
        },
    )


Asked = tuple[str, str, str | None, str | None]
# The year page as it opens: no sort, the first pages.
DEFAULT_VIEW: Asked = ("", "", None, None)


def kept_year_page(year: int, size: int, asked: Asked, years: list[int] | None = None) -> YearPage:
    """The year page's figures for a sort and page (`asked`: sort, dsort, page, dpage as the request gives
    them), kept until something the year counts changes; counted from the year's kept count when not.

    `years`, when given, receives the years with data if they were read with the count (else left empty).
    """

    def count() -> YearPage:
        assessment = scores.kept_live(year)
        if years is not None and "first_year" in assessment._kept:
            years.extend(assessment.years())
        return year_page(assessment, size, *asked)

    return kept.remember(
        "assessment.year_page",
        scores.depends(year),
        count,
        judged_on=scores.judged_on(year),
        parts=(year, "all", size, *asked),  # the overseers see every row alike
    )


def warm() -> None:
    """Count this year's page as it opens again, in the worker after a change (core/kept.py, KEPT_WARMERS)."""
    year = timezone.localdate().year
    if scores.in_force(year) is None:
        kept_year_page(year, settings.CAMPAIGN_ASSESSMENT_BOARD_SIZE, DEFAULT_VIEW)


@login_required
@role_required(*ANY_ROLE)
@require_GET
def year_view(request: AuthenticatedRequest, year: int) -> HttpResponseBase:
    """The year's ranking tables, the 红黑榜 and the freeze; a cadre or a unit's staff go to their own breakdown.

    While the year is not frozen, what it shows is kept (core/kept.py) per sort and page until something it
    counts changes; a frozen year is read from its snapshot.
    """
    _year(year)
    if not sees_everything(request.user):
        return _own_breakdown(request.user, year)
    history = list(Freeze.objects.filter(year=year).select_related("frozen_by", "unfrozen_by"))
    freeze = next((f for f in history if f.unfrozen_at is None), None)
    size = settings.CAMPAIGN_ASSESSMENT_BOARD_SIZE
    if request.GET.get("format") == "xlsx":
        return exports.workbook(scores.for_year(year, history=history), size)
    asked: Asked = (
        request.GET.get("sort", ""),
        request.GET.get("dsort", ""),
        request.GET.get("page"),
        request.GET.get("dpage"),
    )
    years: list[int] = []  # the years with data: read with the count when it runs, else on their own
    if freeze is None:
        shown = kept_year_page(year, size, asked, years)
    else:
        years.extend(scores.years_with_data())
        shown = year_page(scores.snapshot(freeze), size, *asked)
    weights = shown.weights
    page, department_page = shown.cadres.page(), shown.departments.page()
    context = {
        "year": year,
        "years": years or scores.years_with_data(),
        "assessment": shown,
        "freeze": freeze,
        "history": history,
        "cadre_headings": _headings(request, weights, Subject.CADRE, "sort", "page"),
        "department_headings": _headings(request, weights, Subject.DEPARTMENT, "dsort", "dpage"),
        "page": page,
        "query": query_with(request, page=""),
        "department_page": department_page,
        "department_query": query_with(request, dpage=""),
        "cadre_rows": _rows(shown.cadres.scores, weights.measures(Subject.CADRE)),
        "department_rows": _rows(shown.departments.scores, weights.measures(Subject.DEPARTMENT)),
        "board_size": size,
        "boards": [
            (_("Cadres"), shown.boards[Subject.CADRE.value]),
            (_("Departments"), shown.boards[Subject.DEPARTMENT.value]),
        ],
        "export_query": query_with(request, format="xlsx", page="", dpage=""),
        "may_freeze": may_freeze(request.user),
        "freeze_form": FreezeForm(),
        "unfreeze_form": UnfreezeForm(),
        **_rules_context(weights),
    }
    return render(request, "assessment/year.html", context)


# -- a breakdown ------------------------------------------------------------------------------------------------


def _breakdown(request: AuthenticatedRequest, year: int, subject: str, pk: int) -> HttpResponse:
    _year(year)
    unit = _unit_for_user(request, subject, pk)
    assessment = scores.for_year(year)  # the live count kept (scores.kept_live) while the year is not frozen
    score = assessment.find(subject, pk)
    context = {
        "year": year,
        "years": assessment.years(),
        "subject": subject,
        "unit": unit,
        "assessment": assessment,
        "freeze": assessment.freeze,
        "score": score,
        "ranked": len(assessment.rows(subject)),
        "overseer": sees_everything(request.user),
        **_rules_context(assessment.weights),
    }
    return render(request, "assessment/breakdown.html", context)


@login_required
@role_required(*ANY_ROLE)
@require_GET
def cadre(request: AuthenticatedRequest, year: int, pk: int) -> HttpResponse:
    """One cadre's score: each measure's raw figures, weight, attainment and points, with the rows behind them."""
    return _breakdown(request, year, Subject.CADRE, pk)


@login_required
@role_required(*ANY_ROLE)
@require_GET
def department(request: AuthenticatedRequest, year: int, pk: int) -> HttpResponse:
    """One department's score, as a cadre's."""
    return _breakdown(request, year, Subject.DEPARTMENT, pk)


# -- freezing --------------------------------------------------------------------------------------------------


def _year_url(freeze: Freeze) -> str:
    return reverse("assessment:year", args=[freeze.year])


@login_required
@role_required(Role.LEADING_GROUP)
@require_POST
@submitted_once
def freeze(request: AuthenticatedRequest, year: int) -> HttpResponseBase:
    """Freeze the year as it stands, once however often the form is sent; the service decides whether it may."""
    _year(year)
    form = FreezeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("This form was out of date. Check what you entered and send it again."))
        return redirect("assessment:year", year)
    try:
        submission_run(
            user=request.user,
            token=form.submission_token,
            create=lambda: year_freeze(actor=request.user, year=year),
            result_url=_year_url,
        )
    except AssessmentError as exc:
        messages.error(request, exc.message, extra_tags=exc.code)
    else:
        messages.success(request, _("The %(year)d assessment is frozen.") % {"year": year}, extra_tags="frozen")
        confirm_saved(request)
    return redirect("assessment:year", year)


@login_required
@role_required(Role.LEADING_GROUP)
@require_POST
@submitted_once
def unfreeze(request: AuthenticatedRequest, year: int) -> HttpResponseBase:
    """Unfreeze the year, with the reason; its snapshot stays on record."""
    _year(year)
    form = UnfreezeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the year is unfrozen."), extra_tags="no_reason")
        return redirect("assessment:year", year)
    try:
        submission_run(
            user=request.user,
            token=form.submission_token,
            create=lambda: year_unfreeze(actor=request.user, year=year, reason=form.cleaned_data["reason"]),
            result_url=_year_url,
        )
    except AssessmentError as exc:
        messages.error(request, exc.message, extra_tags=exc.code)
    else:
        messages.success(request, _("The %(year)d assessment is unfrozen.") % {"year": year}, extra_tags="unfrozen")
        confirm_saved(request)
    return redirect("assessment:year", year)


# -- frozen against live ------------------------------------------------------------------------------------------


@login_required
@role_required(*OVERSIGHT_ROLES)
@require_GET
def compare(request: AuthenticatedRequest, year: int) -> HttpResponseBase:
    """A frozen snapshot against the year counted now: each unit's score then and now, the largest changes first."""
    _year(year)
    history = list(Freeze.objects.filter(year=year).select_related("frozen_by", "unfrozen_by"))
    chosen = parse_id(request.GET.get("freeze"))
    if chosen is not None:
        found = next((f for f in history if f.pk == chosen), None)
        if found is None:
            raise Http404
    else:  # the freeze in force, else the latest (the history is latest first)
        found = next((f for f in history if f.unfrozen_at is None), history[0] if history else None)
    context: dict[str, Any] = {"year": year, "freeze": found, "history": history}
    if found is not None:
        frozen, now = scores.snapshot(found), scores.kept_live(year)
        cadres = scores.compare(frozen, now, Subject.CADRE)
        departments = scores.compare(frozen, now, Subject.DEPARTMENT)
        context.update(
            {
                "page": Paginator(cadres, PAGE_SIZE).get_page(request.GET.get("page")),
                "query": query_with(request, page=""),
                "department_page": Paginator(departments, PAGE_SIZE).get_page(request.GET.get("dpage")),
                "department_query": query_with(request, dpage=""),
                "cadres_changed": sum(1 for change in cadres if change.changed),
                "departments_changed": sum(1 for change in departments if change.changed),
                "weights_changed": frozen.weights != now.weights,
                "frozen_weights": _rules_context(frozen.weights),
                "as_of": now.as_of,
            }
        )
    return render(request, "assessment/compare.html", context)
