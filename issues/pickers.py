"""What the assignment forms' search pickers search: the responsible unit and its staff (core/pickers.py).

A province has 1,174 units and as many staff accounts: listed whole, the visit form's problem card alone
was 156 KB. Above `core.pickers.PLAIN_UP_TO` units the roadmap fields (issues/forms.py `RoadmapMixin`) search; a
district's few units stay plain selects. The querysets are the fields' own, so a search offers only
what the form accepts, and the form refuses the rest as before.

`any-department` is every department, active or not, for the filters of the lists and the leading group's and the
office's pages (oversight/scope.py `ScopeForm`; the ledger's, the supervision ledger's and its items' department
filters): a department no longer active still has figures in a past period and rows in the lists. Every role
filters a list by department, and each list shows only what its reader sees, so every role may search them (the
names were listed to all of them in those filters before).
"""

from typing import Any

from django.db.models import Q, QuerySet

from core.pickers import PLAIN_UP_TO, Picker, SearchSelect, register
from core.roles import Role
from organisation.models import Department, DepartmentStaff

# Who routes a problem to a unit: the cadre reporting it, the office, the leading group.
ROUTERS = frozenset({Role.CADRE, Role.CAMPAIGN_OFFICE, Role.LEADING_GROUP})


def departments() -> QuerySet[Department]:
    """The units a problem may be assigned to (organisation.models: `Department.objects.can_receive`)."""
    return Department.objects.can_receive()


def staff() -> QuerySet[DepartmentStaff]:
    """The accounts that may be named responsible: active, in an active unit."""
    return (
        DepartmentStaff.objects.filter(user__is_active=True, department__is_active=True)
        .select_related("department")
        .order_by("department__kind", "department__name", "name")
    )


def _staff_attrs(row: Any) -> dict[str, Any]:
    # static/js/roadmap.js offers only the chosen unit's staff.
    return {"data-department": row.department_id}


DEPARTMENT = Picker(
    rows=lambda user: departments(),
    match=lambda q: Q(name__icontains=q),
    order=("kind", "name", "pk"),
    roles=ROUTERS,
)
STAFF = Picker(
    rows=lambda user: staff(),
    match=lambda q: Q(name__icontains=q) | Q(department__name__icontains=q),
    order=("department__kind", "department__name", "name", "pk"),
    roles=ROUTERS,
    narrowed_by=("department",),
    narrow=lambda given: Q(department_id=given["department"]),
    browse_narrowed=True,
    option_attrs=_staff_attrs,
)


ANY_DEPARTMENT = Picker(
    rows=lambda user: Department.objects.order_by("kind", "name", "pk"),
    match=lambda q: Q(name__icontains=q),
    order=("kind", "name", "pk"),
    roles=frozenset(Role),
)


def any_department_select() -> SearchSelect:
    """A filter's department: every department, listed up to a district's few (`PLAIN_UP_TO`), else searched."""
    return SearchSelect("any-department", plain_up_to=PLAIN_UP_TO)


def register_pickers() -> None:
    """Make the roadmap's unit and staff, and the oversight filters' department, searchable at core's `pick`."""
    register("department", DEPARTMENT)
    register("staff", STAFF)
    register("any-department", ANY_DEPARTMENT)
