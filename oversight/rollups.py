"""The roll-ups (/oversight/rollups/<dimension>/) and the department performance table (/oversight/departments/).

The tables themselves, typed and callable by the monthly report, are oversight/tables.py's (`rollup`,
`rollup_total`, `department_table`, `department_total`, re-exported here); these views read the period and
filters (`ScopeForm`), sort the rows (`?sort=<column>`, `?sort=-<column>`) and show a page of them
(`?page=`, the sort kept: a city's 13,900 cadres, a province's 1,173 departments; each page kept on its own,
`rollup_page` and `department_page`), or hand them all out as an xlsx (`?format=xlsx`: the same rows and
columns, in the same order, headed in the reader's language).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, QueryDict
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.template.defaultfilters import floatformat
from django.utils import timezone
from django.utils.html import conditional_escape, format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core.months import Month, month_label
from core.roles import OVERSIGHT_ROLES, AuthenticatedRequest, role_required
from core.sorting import Sort, query_with
from core.spreadsheets import xlsx_response
from oversight.scope import Scope, ScopeForm
from oversight.tables import (
    DEPARTMENT_COLUMNS,
    DEPARTMENT_PAGE_SIZE,
    DIMENSION_LABELS,
    DIMENSIONS,
    NAME_HEADINGS,
    ROLLUP_PAGE_SIZE,
    Column,
    DepartmentRow,
    Rollup,
    RollupRow,
    Row,
    all_departments,
    department_counts,
    department_page,
    department_table,
    department_total,
    rollup,
    rollup_columns,
    rollup_page,
    rollup_table,
    rollup_total,
    sort_rows,
)

__all__ = [
    "DepartmentRow",
    "RollupRow",
    "department_table",
    "department_total",
    "departments_view",
    "rollup",
    "rollup_total",
    "rollup_view",
]


@dataclass(frozen=True)
class Heading:
    """A column's heading as the page shows it: its name, definition, the sort its link asks for, aria-sort."""

    column: Column
    href: str
    aria_sort: str


@dataclass(frozen=True)
class Cell:
    """A table's cell, as the page prints it (`{{ cell }}`): written here, not by an include per cell, as a page
    of the roll-up has some 1,500 of them."""

    value: Any
    kind: str
    href: str = ""

    def __html__(self) -> str:
        """A count (linked to the problems behind it when it has any), a rate in per cent, days; a dash for none."""
        if self.value is None:
            return format_html('<span aria-hidden="true">—</span><span class="visually-hidden">{}</span>', _("none"))
        if self.kind in ("rate", "days"):
            shown = floatformat(self.value, 1)
            return f"{shown}%" if self.kind == "rate" else str(shown)
        if self.href:
            return format_html('<a href="{}">{}</a>', self.href, self.value)
        return str(conditional_escape(self.value))

    def __str__(self) -> str:
        return self.__html__()


@dataclass(frozen=True)
class ShownRow:
    row: Row
    cells: list[Cell]


def _shown(rows: Sequence[Row], columns: Sequence[Column]) -> list[ShownRow]:
    return [
        ShownRow(row, [Cell(row.value(c.key), c.kind, row.links.get(c.key, "") if c.figure else "") for c in columns])
        for row in rows
    ]


def _headings(request: AuthenticatedRequest, columns: Sequence[Column], sort: Sort) -> list[Heading]:
    # A new order starts again at its first page.
    return [Heading(c, "?" + query_with(request, sort=sort.toggled(c.key), page=""), sort.aria(c.key)) for c in columns]


def _xlsx(
    filename: str, title: str, name_heading: str, columns: Sequence[Column], rows: Iterable[Row]
) -> HttpResponseBase:
    """The table as shown (its rows in the page's order, then the totals), headed in the reader's language."""
    headers = [name_heading, *(str(c.label) for c in columns)]
    body = ([row.name, *(row.value(c.key) for c in columns)] for row in rows)
    return xlsx_response(filename, headers, body, sheet_title=title)


def _period_slug(scope: Scope) -> str:
    first, last = scope.period.params["from"], scope.period.params["to"]
    return first if first == last else f"{first}_{last}"


# The scope's fields shown folded away (open when one of them is in use), so the table shows on a phone's first screen.
MORE_FILTERS = ("origin", "sector", "street", "department", "category")


def _scope_form(request: AuthenticatedRequest) -> ScopeForm:
    """The period and filters asked for; with no period asked, this month's, shown in the month fields."""
    data = request.GET.copy()
    if not any(data.get(name) for name in ("start", "end", "from", "to")):
        data["start"] = data["end"] = month_label(Month.of(timezone.localdate()))
    return ScopeForm(data)


def _page_context(request: AuthenticatedRequest, form: ScopeForm, scope: Scope, sort: Sort) -> dict[str, Any]:
    return {
        "form": form,
        "period_fields": [form[name] for name in ("start", "end")],
        "more_fields": [form[name] for name in MORE_FILTERS],
        # Open too while a department is searched for without JavaScript: the matches are among its fields.
        "more_open": bool(scope.filters.params)
        or any(name in form.errors for name in MORE_FILTERS)
        or bool(getattr(form, "searching", False)),
        "scope": scope,
        "sort": sort,
        "scope_query": _query_of(scope),
        "export_query": query_with(request, format="xlsx", sort=sort.param),
        "name_sort": "?" + query_with(request, sort=sort.toggled("name"), page=""),
        "name_aria_sort": sort.aria("name"),
        "dimensions": [(d, DIMENSION_LABELS[d]) for d in DIMENSIONS],
    }


def _query_of(scope: Scope) -> str:
    query = QueryDict(mutable=True)
    query.update(scope.params)
    return query.urlencode()


@login_required
@role_required(*OVERSIGHT_ROLES)
@require_GET
def rollup_view(request: AuthenticatedRequest, dimension: str) -> HttpResponseBase:
    """One row per department, cadre, street or sector with the dashboard's measures; sortable, exportable."""
    if dimension not in DIMENSIONS:
        raise Http404
    form = _scope_form(request)
    scope = form.scope()
    columns = rollup_columns(dimension)
    sort = Sort.read(request.GET.get("sort", ""), (c.key for c in columns))
    departments = all_departments() if dimension == "department" else None
    label = str(DIMENSION_LABELS[dimension])
    if request.GET.get("format") == "xlsx":
        table = rollup_table(request.user, scope, dimension, departments=departments)
        names = str(NAME_HEADINGS[dimension])
        filename = _("rollup-%(dimension)s-%(period)s.xlsx") % {"dimension": names, "period": _period_slug(scope)}
        return _xlsx(filename, label, str(NAME_HEADINGS[dimension]), columns, _with_total(table, table.ordered(sort)))
    # A city's 13,900 cadres are pages of ROLLUP_PAGE_SIZE rows, in the order asked, each kept on its own: a page
    # read again reads no table. The xlsx has them all.
    shown = rollup_page(
        request.user, scope, dimension, sort, request.GET.get("page"), ROLLUP_PAGE_SIZE, departments=departments
    )
    if departments is not None:
        form.offer(departments=((d.pk, str(d)) for d in departments))
    context = _page_context(request, form, scope, sort)
    context.update(
        {
            "dimension": dimension,
            "dimension_label": label,
            "name_heading": NAME_HEADINGS[dimension],
            "headings": _headings(request, columns, sort),
            "rows": _shown(shown.rows, columns),
            "page": shown.page,
            "query": query_with(request, page=""),
            "total": _shown([shown.total], columns)[0],
            "columns": columns,
        }
    )
    return render(request, "oversight/rollup.html", context)


def _with_total(table: Rollup, keys: Sequence[Any]) -> Iterator[Row]:
    """Every row in the order asked, built as the file is written, then the totals."""
    yield from (table.row(key) for key in keys)
    yield table.total


@login_required
@role_required(*OVERSIGHT_ROLES)
@require_GET
def departments_view(request: AuthenticatedRequest) -> HttpResponseBase:
    """Each department's performance in the period: assigned, accepted in time, on time, late, overdue, returned…"""
    form = _scope_form(request)
    scope = form.scope()
    sort = Sort.read(request.GET.get("sort", ""), (c.key for c in DEPARTMENT_COLUMNS))
    departments = all_departments()
    if request.GET.get("format") == "xlsx":
        counts = department_counts(request.user, scope)  # kept: one query while nothing it counts changed
        rows = sort_rows(department_table(request.user, scope, departments=departments, counts=counts), sort)
        total = department_total(request.user, scope, counts=counts)
        filename = _("department-performance-%(period)s.xlsx") % {"period": _period_slug(scope)}
        return _xlsx(filename, _("Department performance"), _("Department"), DEPARTMENT_COLUMNS, [*rows, total])
    # A province's 1,173 departments are pages of DEPARTMENT_PAGE_SIZE rows in the order asked (a district's
    # fit on one), each kept on its own; the xlsx has them all.
    shown = department_page(
        request.user, scope, sort, request.GET.get("page"), DEPARTMENT_PAGE_SIZE, departments=departments
    )
    form.offer(departments=((d.pk, str(d)) for d in departments))
    context = _page_context(request, form, scope, sort)
    context.update(
        {
            "name_heading": _("Department"),
            "headings": _headings(request, DEPARTMENT_COLUMNS, sort),
            "rows": _shown(shown.rows, DEPARTMENT_COLUMNS),
            "page": shown.page,
            "query": query_with(request, page=""),
            "total": _shown([shown.total], DEPARTMENT_COLUMNS)[0],
            "columns": DEPARTMENT_COLUMNS,
            "accept_days": settings.CAMPAIGN_ACCEPT_DAYS,
        }
    )
    return render(request, "oversight/departments.html", context)
