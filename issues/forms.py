"""Forms for reporting and moving problems. They check shapes; the services decide the rules."""

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.forms import BoundField
from django.http import QueryDict
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.pickers import PLAIN_UP_TO, PickerFormMixin, SearchSelect
from core.submissions import OneTimeTokenForm
from issues import pickers
from issues.models import Action, DayCount, Feedback, Issue, IssueCategory, SystemicMatter
from issues.payloads import (
    AcceptPayload,
    AssignPayload,
    EscalatePayload,
    ExtensionDecisionPayload,
    ExtensionRequestPayload,
    FeedbackPayload,
    LinkPayload,
    MovePayload,
    ProgressPayload,
    ReassignPayload,
    ResolvePayload,
    ReturnPayload,
    RoutePayload,
    SendBackPayload,
)
from organisation.models import Department

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

MILESTONE_ROWS = 4
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# The key under which `roadmap_initial` passes the suggestion's wording to the deadline field's help text.
DEADLINE_SUGGESTED = "deadline_suggested"


class MoveForm(OneTimeTokenForm):
    """One move on a problem. It carries the version the page showed (see issue_transition), and a
    one-time token, so that a form sent twice makes its move once instead of being refused as stale."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, data: QueryDict | None = None, *, issue: Issue, prefix: str | None = None) -> None:
        super().__init__(data, initial={"version": issue.version, **self.initial_for(issue)}, prefix=prefix)

    def initial_for(self, issue: Issue) -> dict[str, Any]:
        """Suggest values for this problem; the version is always there."""
        return {}

    def payload(self) -> MovePayload:
        """The move's typed record, from the cleaned data."""
        raise NotImplementedError


def _note(label: "StrOrPromise", *, required: bool, rows: int = 3) -> forms.CharField:
    return forms.CharField(label=label, widget=forms.Textarea(attrs={"rows": rows}), required=required)


class ResolveForm(MoveForm):
    note = _note(_("How it was resolved"), required=True)

    def payload(self) -> ResolvePayload:
        return ResolvePayload(note=self.cleaned_data["note"])


class EscalateForm(MoveForm):
    note = _note(_("Why it is common, systemic or major"), required=True)

    def payload(self) -> EscalatePayload:
        return EscalatePayload(note=self.cleaned_data["note"])


class AcceptForm(MoveForm):
    note = _note(_("Note"), required=False)

    def payload(self) -> AcceptPayload:
        return AcceptPayload(note=self.cleaned_data["note"])


class ReturnForm(MoveForm):
    note = _note(_("Why it is not our remit"), required=True)

    def payload(self) -> ReturnPayload:
        return ReturnPayload(note=self.cleaned_data["note"])


class SendBackForm(MoveForm):
    note = _note(_("Why it is sent back"), required=True)

    def payload(self) -> SendBackPayload:
        return SendBackPayload(note=self.cleaned_data["note"])


class RoadmapMixin(PickerFormMixin, forms.Form):
    """Department, responsible person, deadline and up to four milestones, for an assignment.

    Past `core.pickers.PLAIN_UP_TO` units (a city, a province) the unit and the person are search pickers
    (core/pickers.py), the person's search narrowed to the chosen unit's staff; a district's stay selects.
    """

    milestone_count = MILESTONE_ROWS

    # Only units someone can accept a problem in (organisation.models: Department.objects.can_receive).
    department = forms.ModelChoiceField(
        label=_("Responsible department"),
        queryset=pickers.departments(),
        required=False,
        widget=SearchSelect("department", plain_up_to=PLAIN_UP_TO),
    )
    responsible_staff = forms.ModelChoiceField(
        label=_("Responsible person's account"),
        queryset=pickers.staff(),
        required=False,
        # Each option names its unit (data-department), so the page offers only the chosen unit's staff.
        widget=SearchSelect("staff", plain_up_to=PLAIN_UP_TO),
        help_text=_("One of the department's staff, who is then told in person; or type a name below."),
    )
    responsible_person = forms.CharField(label=_("Responsible person"), max_length=50, required=False)
    deadline = forms.DateField(label=_("Deadline"), widget=DATE_INPUT, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if suggested := self.initial.get(DEADLINE_SUGGESTED):
            # The category's default, counted as it counts (working or calendar days), with the date it gives.
            self.fields["deadline"].help_text = _("Suggested: %(suggestion)s") % {"suggestion": suggested}
        for n in range(1, self.milestone_count + 1):
            self.fields[f"milestone_{n}"] = forms.CharField(
                label=_("Milestone %(n)s") % {"n": n}, max_length=200, required=False
            )
            self.fields[f"milestone_{n}_on"] = forms.DateField(
                label=_("Planned date"), widget=DATE_INPUT, required=False
            )

    @cached_property
    def units_awaiting_staff(self) -> list[Department]:
        """The active units not offered, as they have no staff account yet: the template says why."""
        return list(Department.objects.awaiting_staff())

    def milestone_rows(self) -> list[tuple[BoundField, BoundField]]:
        """Pairs of bound fields, for the template to lay out as a table."""
        return [(self[f"milestone_{n}"], self[f"milestone_{n}_on"]) for n in range(1, self.milestone_count + 1)]

    def clean_roadmap(self) -> None:
        """A milestone without a date falls on the deadline; a date without a milestone is an error."""
        deadline = self.cleaned_data.get("deadline")
        for n in range(1, self.milestone_count + 1):
            title, planned = self.cleaned_data.get(f"milestone_{n}"), self.cleaned_data.get(f"milestone_{n}_on")
            if title and not planned and deadline:
                self.cleaned_data[f"milestone_{n}_on"] = deadline
            elif planned and not title:
                self.add_error(f"milestone_{n}", _("Describe the milestone planned for that date."))

    def assign_payload(self, note: str = "") -> AssignPayload:
        """The assignment the roadmap fields describe, with the move's note."""
        data = self.cleaned_data
        milestones = tuple(
            (data[f"milestone_{n}"], data[f"milestone_{n}_on"])
            for n in range(1, self.milestone_count + 1)
            if data.get(f"milestone_{n}") and data.get(f"milestone_{n}_on")
        )
        return AssignPayload(
            department=data.get("department"),
            responsible_staff=data.get("responsible_staff"),
            responsible_person=data.get("responsible_person") or "",
            deadline=data.get("deadline"),
            milestones=milestones,
            note=note,
        )


def deadline_suggestion(category: IssueCategory, today: datetime.date) -> str:
    """Say how the suggested deadline was reached, with its date: "15 个工作日 → 2026-03-05"."""
    deadline = category.default_deadline(today)
    if category.deadline_counts == DayCount.WORKING:
        text = ngettext(
            "%(days)d working day → %(date)s", "%(days)d working days → %(date)s", category.default_deadline_days
        )
    else:
        text = ngettext(
            "%(days)d calendar day → %(date)s", "%(days)d calendar days → %(date)s", category.default_deadline_days
        )
    return text % {"days": category.default_deadline_days, "date": deadline.isoformat()}


def roadmap_initial(category: IssueCategory, today: datetime.date | None = None) -> dict[str, Any]:
    """Suggest the category's default deadline (core/workdays.py), and a final milestone on it, for the user to edit."""
    today = today or timezone.localdate()
    deadline = category.default_deadline(today)
    return {
        "deadline": deadline,
        "milestone_1": _("Resolve and reply to the enterprise"),
        "milestone_1_on": deadline,
        DEADLINE_SUGGESTED: deadline_suggestion(category, today),
    }


class _RoadmapMoveForm(RoadmapMixin, MoveForm):
    """A move that gives the problem a desk: suggests the category's deadline and checks the roadmap."""

    def initial_for(self, issue: Issue) -> dict[str, Any]:
        return roadmap_initial(issue.category)

    def clean(self) -> dict[str, Any]:
        super().clean()
        self.clean_roadmap()
        return self.cleaned_data


class AssignForm(_RoadmapMoveForm):
    note = _note(_("Instructions"), required=False, rows=2)

    def payload(self) -> AssignPayload:
        return self.assign_payload(note=self.cleaned_data["note"])


class ReassignForm(_RoadmapMoveForm):
    """The new department, person, deadline and roadmap, as an assignment asks for them, and the reason."""

    note = _note(_("Why it is taken back and reassigned"), required=True, rows=2)

    def payload(self) -> ReassignPayload:
        return ReassignPayload(assignment=self.assign_payload(), note=self.cleaned_data["note"])


class ProgressForm(MoveForm):
    milestone = forms.TypedChoiceField(label=_("Milestone"), coerce=int, required=False, empty_value=None)
    done_on = forms.DateField(label=_("Done on"), widget=DATE_INPUT, required=False)
    note = _note(_("Progress"), required=False, rows=2)

    def __init__(self, data: QueryDict | None = None, *, issue: Issue, prefix: str | None = None) -> None:
        super().__init__(data, issue=issue, prefix=prefix)
        # The milestones still to do on the current roadmap (a returned roadmap is kept, superseded).
        cast(forms.ChoiceField, self.fields["milestone"]).choices = [("", _("(general progress)"))] + [
            (m.pk, f"{m.planned_on:%Y-%m-%d} {m.title}")
            for m in issue.milestones.all()
            if not m.superseded and not m.done_on
        ]

    def payload(self) -> ProgressPayload:
        data = self.cleaned_data
        return ProgressPayload(milestone_id=data["milestone"], done_on=data["done_on"], note=data["note"])


class ExtensionRequestForm(MoveForm):
    new_deadline = forms.DateField(label=_("New deadline"), widget=DATE_INPUT)
    note = _note(_("Reason"), required=True, rows=2)

    def payload(self) -> ExtensionRequestPayload:
        return ExtensionRequestPayload(new_deadline=self.cleaned_data["new_deadline"], note=self.cleaned_data["note"])


class ExtensionDecisionForm(MoveForm):
    approve = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("yes", _("Approve")), ("no", _("Refuse"))],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    note = _note(_("Note"), required=False, rows=2)

    def payload(self) -> ExtensionDecisionPayload:
        return ExtensionDecisionPayload(approve=self.cleaned_data["approve"], note=self.cleaned_data["note"])


class LinkForm(MoveForm):
    matter = forms.ModelChoiceField(label=_("Systemic matter"), queryset=SystemicMatter.objects.all())

    def payload(self) -> LinkPayload:
        return LinkPayload(matter=self.cleaned_data["matter"])


class FeedbackForm(MoveForm):
    """One form serves close and reopen: the rating decides which (issue_record_feedback).

    The cadre records the enterprise's word on its behalf (the record says so, with the cadre's name); the
    enterprise can give it itself through its link, and then the record says that instead.
    """

    prefix = "feedback"

    rating = forms.ChoiceField(
        label=_("The enterprise is"),
        choices=Feedback.Rating.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "You record the enterprise's own word on its behalf, and the record will say you did. The enterprise"
            " can also give it itself through its link (its QR code); the figures count the two separately."
        ),
    )
    note = _note(_("The enterprise's comment"), required=False, rows=2)

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("rating") == Feedback.Rating.DISSATISFIED and not cleaned.get("note"):
            self.add_error("note", _("Record what the enterprise is dissatisfied with."))
        return cleaned

    def payload(self) -> FeedbackPayload:
        return FeedbackPayload(rating=self.cleaned_data["rating"], note=self.cleaned_data["note"])


class ProblemFields(RoadmapMixin):
    """A problem an enterprise raised, and its route: reported alone (ReportForm) or in a visit."""

    ROUTES = [
        (Action.RESOLVE, _("Solved on the spot")),
        (Action.ASSIGN, _("Assign to a department")),
        (Action.ESCALATE, _("Escalate to the leading group")),
    ]

    title = forms.CharField(label=_("Problem"), max_length=200)
    category = forms.ModelChoiceField(label=_("Category"), queryset=IssueCategory.objects.filter(is_active=True))
    description = forms.CharField(label=_("Details"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    route = forms.ChoiceField(label=_("How it is handled"), choices=ROUTES, widget=forms.RadioSelect)

    note = forms.CharField(
        label=_("Resolution, or why it is escalated"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("Required when solved on the spot or escalated."),
    )

    field_order = [
        "title",
        "category",
        "description",
        "route",
        "note",
        "department",
        "responsible_staff",
        "responsible_person",
    ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"milestone_1": _("Resolve and reply to the enterprise")})
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        route = cleaned.get("route")
        if route in (Action.RESOLVE, Action.ESCALATE) and not cleaned.get("note"):
            self.add_error("note", _("Required when solved on the spot or escalated."))
        if route == Action.ASSIGN:
            if not cleaned.get("deadline") and cleaned.get("category"):
                cleaned["deadline"] = roadmap_initial(cleaned["category"])["deadline"]
            self.clean_roadmap()
        return cleaned

    def route_payload(self) -> RoutePayload:
        """The route the cadre chose, as the record of its move: its type is the route."""
        data = self.cleaned_data
        if data["route"] == Action.ASSIGN:
            return self.assign_payload(note=data["note"])
        if data["route"] == Action.ESCALATE:
            return EscalatePayload(note=data["note"])
        return ResolvePayload(note=data["note"])


class ReportForm(OneTimeTokenForm, ProblemFields):
    """A cadre's report of a problem, and its route, in one submit, carrying its one-time token."""


class MatterForm(forms.Form):
    title = forms.CharField(label=_("Systemic matter"), max_length=200)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    issues = forms.TypedMultipleChoiceField(label=_("Escalated problems"), coerce=int)

    def __init__(self, *args: Any, escalated: Iterable[Issue] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["issues"]).choices = [(i.pk, i.title) for i in escalated]


class MatterDecisionForm(RoadmapMixin):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[(Action.ASSIGN, _("Assign under supervision")), (Action.RESOLVE, _("Resolve with this decision"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("The leading group's decision"), widget=forms.Textarea(attrs={"rows": 3}))

    def clean(self) -> dict[str, Any]:
        super().clean()
        if self.cleaned_data.get("decision") == Action.ASSIGN:
            self.clean_roadmap()
        return self.cleaned_data

    def decision_payload(self) -> AssignPayload | ResolvePayload:
        """The leading group's one decision for every problem of the matter, as the record of its move."""
        data = self.cleaned_data
        if data["decision"] == Action.ASSIGN:
            return self.assign_payload(note=data["note"])
        return ResolvePayload(note=data["note"])
