"""The search pickers of the supervision forms: a select that holds the chosen row, filled by a search.

A city has 13,900 cadres and as many enterprises: a <select> listing them all made the inspection form
and the item form 2 MB. A picker renders only the row chosen (and the empty choice); the search box beside
it asks `supervision:pick` (htmx, static vendored through django-htmx) for at most `LIMIT` matches, which
replace the select's options. The form still validates against the field's whole queryset.
"""

from collections.abc import Callable
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.http import Http404
from django.template import loader
from django.urls import reverse
from django.utils.safestring import SafeString

from core.params import parse_id
from enterprises.models import Enterprise
from organisation.models import Cadre
from supervision.models import Inspection

# The matches a search returns: enough to choose from on a phone, few enough to stay a small answer.
LIMIT = 20


def _cadres(user: Any, q: str) -> QuerySet[Cadre]:
    return Cadre.objects.active().filter(Q(name__icontains=q) | Q(unit__name__icontains=q)).order_by("name", "pk")


def _enterprises(user: Any, q: str) -> QuerySet[Enterprise]:
    found = Q(name__icontains=q) | Q(street__icontains=q)
    return Enterprise.objects.active().filter(found).order_by("name", "pk")


def _inspections(user: Any, q: str) -> QuerySet[Inspection]:
    found = Q(cadre__name__icontains=q) | Q(enterprise__name__icontains=q) | Q(department__name__icontains=q)
    number = as_id(q.lstrip("#"))
    if number is not None:
        found |= Q(pk=number)
    rows = Inspection.objects.visible_to(user).filter(found)
    return rows.select_related("cadre", "enterprise", "department").order_by("-inspected_on", "-pk")


def as_id(value: str) -> int | None:
    """The id the text spells, or None (a search for a name, or a stale value, is no error here)."""
    try:
        return parse_id(value)
    except Http404:
        return None


# What each picker searches, scoped to what the user may see (the forms are the overseers' alone).
SEARCHES: dict[str, Callable[[Any, str], QuerySet[Any]]] = {
    "cadre": _cadres,
    "enterprise": _enterprises,
    "inspection": _inspections,
}


def label(row: Any) -> str:
    """A row as its picker's option says it."""
    return str(row)


def search(kind: str, user: Any, q: str) -> list[Any]:
    """The first `LIMIT` rows of the kind matching `q` that the user may see; nothing for an empty search."""
    q = q.strip()
    if not q:
        return []
    return list(SEARCHES[kind](user, q)[:LIMIT])


def chosen(kind: str, user: Any, value: str | None) -> Any:
    """The row already chosen in the picker (kept above the matches), if the user may see it."""
    pk = as_id(value or "")
    if pk is None:
        return None
    rows = SEARCHES[kind](user, "")
    return rows.filter(pk=pk).first()


class SearchSelect(forms.Select):
    """A select holding the empty choice and the chosen row only, with a search box that fills it (htmx)."""

    def __init__(self, kind: str, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.kind = kind

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        chosen = [pk for pk in (as_id(str(v)) for v in self.format_value(value)) if pk is not None]
        iterator: Any = self.choices
        field = iterator.field
        rows = field.queryset.filter(pk__in=chosen) if chosen else field.queryset.none()
        # Only these are rendered; the field's queryset still decides what may be chosen.
        self.choices = [("", field.empty_label or ""), *((row.pk, field.label_from_instance(row)) for row in rows)]
        context = super().get_context(name, value, attrs)
        # `field` names the select, whose chosen value the search sends along (hx-include) to keep it.
        context["widget"]["search_url"] = f"{reverse('supervision:pick', args=[self.kind])}?field={name}"
        return context

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        # The search box is the project's template (the form renderer reads Django's own widgets alone).
        context = self.get_context(name, value, attrs)
        box = loader.render_to_string("supervision/_search_box.html", context)
        return box + self._render(self.template_name, context, renderer)  # type: ignore[attr-defined]
