"""What the supervision forms' search pickers search (core/pickers.py is the mechanism).

A city has 13,900 cadres and as many enterprises: a <select> listing them all made the inspection form
and the item form 2 MB. Each kind here is registered with core's pickers from `SupervisionConfig.ready()`;
the forms' fields keep their whole querysets, so validation is as before.
"""

from django.db.models import Q, QuerySet

from core.pickers import Picker, as_id, register
from core.roles import Role
from enterprises.models import Enterprise
from organisation.models import Cadre, Department
from supervision.models import Inspection

# The forms are the overseers' alone, and so are their searches.
OVERSEERS = frozenset({Role.LEADING_GROUP, Role.CAMPAIGN_OFFICE})


def _inspection_match(q: str) -> Q:
    found = Q(cadre__name__icontains=q) | Q(enterprise__name__icontains=q) | Q(department__name__icontains=q)
    number = as_id(q.lstrip("#"))
    return found | Q(pk=number) if number is not None else found


CADRE = Picker(
    rows=lambda user: Cadre.objects.active(),
    match=lambda q: Q(name__icontains=q) | Q(unit__name__icontains=q),
    order=("name", "pk"),
    roles=OVERSEERS,
)
ENTERPRISE = Picker(
    rows=lambda user: Enterprise.objects.active(),
    match=lambda q: Q(name__icontains=q) | Q(street__icontains=q),
    order=("name", "pk"),
    roles=OVERSEERS,
)
INSPECTION = Picker(
    rows=lambda user: Inspection.objects.visible_to(user).select_related("cadre", "enterprise", "department"),
    match=_inspection_match,
    order=("-inspected_on", "-pk"),
    roles=OVERSEERS,
)


def _unit(kind: str | None) -> Picker:
    def rows(user: object) -> QuerySet[Department]:
        active = Department.objects.active()
        return active if kind is None else active.filter(kind=kind)

    return Picker(rows=rows, match=lambda q: Q(name__icontains=q), order=("kind", "name", "pk"), roles=OVERSEERS)


# A province's 1,174 units: searched past a district's size (core.pickers.PLAIN_UP_TO), as the forms' fields ask.
UNIT = _unit(None)
UNIT_DEPARTMENT = _unit(Department.Kind.DEPARTMENT)
UNIT_STREET = _unit(Department.Kind.STREET)


def register_pickers() -> None:
    """Make the supervision forms' kinds searchable at core's `pick`."""
    register("cadre", CADRE)
    register("enterprise", ENTERPRISE)
    register("inspection", INSPECTION)
    register("unit", UNIT)
    register("unit-department", UNIT_DEPARTMENT)
    register("unit-street", UNIT_STREET)
