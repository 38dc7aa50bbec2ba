"""Search pickers: a choice among thousands of rows (a city's cadres, a province's units) without listing them.

A picker's select holds the empty choice, the row chosen and the matches of a search, never the whole
queryset; the field still validates against its whole queryset, so what may be chosen is decided as before.

- With JavaScript, the search box beside the select asks `pick` (htmx) for at most `LIMIT` matches, which
  replace the select's options; the count is said in a live region.
- Without it, the box is an ordinary field of the form and a "Search" button (in `<noscript>`) sends the
  whole form with `SEARCH`: the form (`PickerFormMixin`) then saves nothing and is shown again, what was
  typed kept, with each searched picker holding its matches. One design serves both; no page lists a
  province's units to a browser without JavaScript. Enter in a text field still sends the form's own
  action: a hidden submit button comes before the Search button, so it is the form's default button. Enter
  in a search box whose text has not been searched yet searches (the `-q-shown` field says what was
  searched last; it is sent only without JavaScript), so the text typed there is never silently ignored.
- A filter form (a GET form that saves nothing, `read_while_searching`) is read as usual while a picker
  searches: the page shows what was asked while the picker offers the matches.
- A widget given `plain_up_to` stays a plain select while the queryset has that many rows or fewer (a
  district's units), read in the same one query the select would have run; or in none, when the page has
  read the rows already and gives them (`SearchSelect.offer`).

An app registers what each kind searches (`register`, from its `AppConfig.ready()`); the apps above core
use this one mechanism (supervision's cadres, enterprises and inspections; issues' units and staff).
"""

import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.db.models import Model, Q, QuerySet
from django.forms.models import ModelChoiceIteratorValue
from django.forms.utils import ErrorDict
from django.http import Http404, QueryDict
from django.template import loader
from django.urls import reverse
from django.utils.safestring import SafeString

from core.params import parse_id
from core.roles import PortalUser, has_role

# The matches a search returns: enough to choose from on a phone, few enough to stay a small answer.
LIMIT = 20
# Up to this many rows a widget given `plain_up_to=PLAIN_UP_TO` stays a plain select (a district's units).
PLAIN_UP_TO = 50
# The name of the no-JavaScript search button: a form sent with it is shown again with the matches.
SEARCH = "pick"
# Sent beside a search box without JavaScript (`<name>-q<SHOWN>`): the text whose matches the select holds.
SHOWN = "-shown"


def search_text(sent: object) -> str:
    """The text of a search as sent, without control characters (a NUL would break PostgreSQL's query), at most
    100 characters."""
    return "".join(ch for ch in str(sent) if unicodedata.category(ch) != "Cc")[:100]


def _no_attrs(row: Any) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class Picker:
    """What one kind of picker searches, for whom, and how its options are said."""

    # The rows the user may choose (the search endpoint's scope; the form's field has the same queryset).
    rows: Callable[[PortalUser], QuerySet[Any]]
    # The rows a search's text matches.
    match: Callable[[str], Q]
    order: tuple[str, ...]
    # Who may search: the roles of the forms that use it.
    roles: frozenset[str]
    # Other fields of the same form whose chosen ids narrow the rows (a unit narrows its staff).
    narrowed_by: tuple[str, ...] = ()
    narrow: Callable[[Mapping[str, int]], Q] | None = None
    # Narrowed, an empty search lists the first rows (a unit's few staff, offered as soon as it is chosen).
    browse_narrowed: bool = False
    label: Callable[[Any], str] = str
    option_attrs: Callable[[Any], dict[str, Any]] = field(default=_no_attrs)


PICKERS: dict[str, Picker] = {}


def register(kind: str, picker: Picker) -> None:
    """Make a kind of picker searchable at `pick` (called from an app's `ready()`)."""
    PICKERS[kind] = picker


def as_id(value: object) -> int | None:
    """The id the text spells, or None (a search for a name, or a stale value, is no error here)."""
    try:
        return parse_id("" if value is None else str(value))
    except Http404:
        return None


def matches(picker: Picker, rows: QuerySet[Any], q: str, narrowed: Mapping[str, int]) -> list[Any]:
    """The first `LIMIT` of `rows` matching `q` (narrowed); nothing for an empty search unless it may browse."""
    q = q.strip()
    if not q and not (picker.browse_narrowed and narrowed):
        return []
    if narrowed and picker.narrow is not None:
        rows = rows.filter(picker.narrow(narrowed))
    if q:
        rows = rows.filter(picker.match(q))
    return list(rows.order_by(*picker.order)[:LIMIT])


@dataclass(frozen=True)
class Options:
    """A picker's options: the row kept (chosen before the search), then the matches."""

    kept: Any
    found: list[Any]
    searched: bool


def options(picker: Picker, rows: QuerySet[Any], *, chosen: int | None, q: str, narrowed: Mapping[str, int]) -> Options:
    """The options a search gives: the chosen row first (if it still fits), then the matches without it."""
    if narrowed and picker.narrow is not None:
        rows = rows.filter(picker.narrow(narrowed))
    kept = rows.filter(pk=chosen).first() if chosen is not None else None
    found = [row for row in matches(picker, rows, q, narrowed) if kept is None or row.pk != kept.pk]
    return Options(kept=kept, found=found, searched=bool(q.strip()) or (picker.browse_narrowed and bool(narrowed)))


def request_options(kind: str, user: PortalUser, params: QueryDict) -> tuple[Picker, Options]:
    """The options the search endpoint answers: `field` names the select (its value kept), `<field>-q` the text,
    and `by-<parameter>` the field whose value narrows (its name as sent: a form's prefix makes it differ)."""
    picker = PICKERS.get(kind)
    if picker is None:
        raise Http404
    name = params.get("field", "")
    narrowed = {
        p: pk for p in picker.narrowed_by if (pk := as_id(params.get(params.get(f"by-{p}", ""), ""))) is not None
    }
    found = options(
        picker,
        picker.rows(user),
        chosen=as_id(params.get(name)),
        q=search_text(params.get(f"{name}-q", "")),
        narrowed=narrowed,
    )
    return picker, found


def may_search(kind: str, user: PortalUser) -> bool:
    """Whether the user holds a role of the forms that use this kind of picker."""
    picker = PICKERS.get(kind)
    return picker is not None and has_role(user, *picker.roles)


class SearchSelect(forms.Select):
    """A ModelChoiceField's select holding the chosen row and a search's matches, with the search box above it.

    `plain_up_to`: stay a plain select listing every row while there are at most that many (0: always search).
    """

    template_name = "django/forms/widgets/select.html"

    def __init__(self, kind: str, *, plain_up_to: int = 0, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.kind = kind
        self.plain_up_to = plain_up_to
        # Set by the form (PickerFormMixin): the narrowing fields' names as sent, and a no-JS search's text and
        # narrowing ids (searched when rendered, on the field's queryset as the form's __init__ left it).
        self.siblings: dict[str, str] = {}
        self.search_sent = False
        self.narrowed: dict[str, int] = {}
        self.q = ""
        self.field: Any = None
        # The rows a page has read already, in the field's order (`offer`): listed or found without a query.
        self.offered: list[tuple[Any, str]] | None = None
        # The row the form's field chose when the form was read (PickerFormMixin): shown without reading it again.
        self.cleaned: Model | None = None

    def offer(self, rows: Iterable[tuple[Any, str]]) -> None:
        """Give the rows the page has already read, as (id, label) in the field's order (its whole queryset):
        a plain select lists them, a picker finds its chosen row among them; only a search reads the database.
        """
        self.offered = list(rows)

    @property
    def picker(self) -> Picker:
        return PICKERS[self.kind]

    def create_option(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option: dict[str, Any] = super().create_option(*args, **kwargs)
        row = getattr(option["value"], "instance", None)
        if isinstance(row, Model):
            option["attrs"].update(self.picker.option_attrs(row))
        return option

    def _listed(self, field: forms.ModelChoiceField, rows: list[Any], empty: str) -> list[tuple[Any, str]]:
        listed = [
            (ModelChoiceIteratorValue(field.prepare_value(row), row), field.label_from_instance(row)) for row in rows
        ]
        return [("", empty), *listed]

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        # The field's own iterator (replaced below by the rows listed, so kept for a second rendering).
        field: forms.ModelChoiceField = getattr(self.choices, "field", None) or self.field
        self.field = field
        empty = str(field.empty_label or "---------")
        queryset: QuerySet[Any] = field.queryset  # type: ignore[assignment]
        offered = self.offered
        if self.plain_up_to:
            if offered is not None and len(offered) <= self.plain_up_to:
                self.choices = [("", empty), *offered]
                context = super().get_context(name, value, attrs)
                context["widget"]["plain"] = True
                return context
            rows = [] if offered is not None else list(queryset[: self.plain_up_to + 1])
            if offered is None and len(rows) <= self.plain_up_to:
                self.choices = self._listed(field, rows, empty)
                context = super().get_context(name, value, attrs)
                context["widget"]["plain"] = True
                return context
        chosen = [pk for pk in (as_id(str(v)) for v in self.format_value(value)) if pk is not None]
        if self.search_sent:
            first = chosen[0] if chosen else None
            found = options(self.picker, queryset, chosen=first, q=self.q, narrowed=self.narrowed)
            rows = ([found.kept] if found.kept is not None else []) + found.found
            self.choices = self._listed(field, rows, empty)
        elif offered is not None:
            # The chosen row's label from the rows read already: no query.
            found = Options(kept=None, found=[], searched=False)
            self.choices = [("", empty), *((pk, label) for pk, label in offered if pk in chosen[:1])]
        else:
            known = self.cleaned if self.cleaned is not None and chosen[:1] == [self.cleaned.pk] else None
            kept = known or (queryset.filter(pk__in=chosen).first() if chosen else None)
            found = Options(kept=kept, found=[], searched=False)
            self.choices = self._listed(field, [kept] if kept is not None else [], empty)
        context = super().get_context(name, value, attrs)
        url = reverse("pick", args=[self.kind])
        narrowing = "".join(f"&by-{p}={html}" for p, html in self.siblings.items())
        context["widget"].update(
            {
                "plain": False,
                "search_url": f"{url}?field={name}&id={context['widget']['attrs'].get('id', '')}{narrowing}",
                "include": ",".join(f"[name='{n}']" for n in [name, *self.siblings.values()]),
                "q": self.q,
                "shown": SHOWN,
                "searched": found.searched,
                "found_count": len(found.found),
            }
        )
        return context

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        context = self.get_context(name, value, attrs)
        select = self._render(self.template_name, context, renderer)  # type: ignore[attr-defined]
        if context["widget"]["plain"]:
            return select
        # The box and the count are the project's template (the form renderer reads Django's own widgets alone).
        context["widget"]["select"] = select
        return loader.render_to_string("core/_picker.html", context)


class PickerFormMixin(forms.BaseForm):
    """A form with search pickers: sent by a picker's Search button (no JavaScript), it is not valid and has no
    errors, and each picker holds the matches of the text typed in its box; the view shows it again."""

    # A filter form (GET, saves nothing) is read as usual while a picker searches, so the page shows what was
    # asked; a form that saves is not read at all (no errors said before the user has chosen).
    read_while_searching = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.searching = self.is_bound and searching(self.data)
        for name, declared in self.fields.items():
            widget = declared.widget
            if not isinstance(widget, SearchSelect):
                continue
            widget.siblings = {p: self.add_prefix(p) for p in widget.picker.narrowed_by}
            if not self.is_bound:
                continue
            widget.q = search_text(self.data.get(f"{self.add_prefix(name)}-q", ""))
            widget.search_sent = self.searching
            widget.narrowed = {
                p: pk for p, sent in widget.siblings.items() if (pk := as_id(self.data.get(sent))) is not None
            }

    def full_clean(self) -> None:
        if getattr(self, "searching", False) and not self.read_while_searching:
            # A search, not a submission: nothing to check or say yet.
            self._errors = ErrorDict()
            self.cleaned_data = {}
            return
        super().full_clean()
        # The rows the pickers' fields chose, read as the form checked them: the widgets show them without a query.
        cleaned = getattr(self, "cleaned_data", {})  # none for a form not sent
        for name, declared in self.fields.items():
            row = cleaned.get(name)
            if isinstance(declared.widget, SearchSelect) and isinstance(row, Model):
                declared.widget.cleaned = row

    def is_valid(self) -> bool:
        return (self.read_while_searching or not self.searching) and super().is_valid()


class PickerFilterForm(PickerFormMixin, forms.Form):
    """The form of a django-filter FilterSet with search pickers (its `Meta.form`): read as usual while a picker
    searches, so the list shows what was asked while the picker offers the matches."""

    read_while_searching = True


def searching(data: QueryDict | Mapping[str, Any]) -> bool:
    """Whether a form was sent to search (shown again, nothing saved: status 200): by a picker's Search button,
    or, without JavaScript, by Enter while a search box holds text not searched yet."""
    return SEARCH in data or any(_unsearched(data, key) for key in data if key.endswith(f"-q{SHOWN}"))


def _unsearched(data: QueryDict | Mapping[str, Any], shown_key: str) -> bool:
    typed = search_text(data.get(shown_key.removesuffix(SHOWN), "")).strip()
    return bool(typed) and typed != search_text(data.get(shown_key, "")).strip()
