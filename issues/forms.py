"""Forms for reporting and moving problems. They check shapes; the services decide the rules."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from issues.models import Action, Feedback, IssueCategory, SystemicMatter
from issues.services import Assignment
from organisation.models import Department

MILESTONE_ROWS = 4
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MoveForm(forms.Form):
    """Every move carries the version of the problem the page showed (see issue_transition)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def payload(self) -> dict:
        return {}


class NoteForm(MoveForm):
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, note_label=None, note_required=False, **kwargs):
        super().__init__(*args, **kwargs)
        if note_label:
            self.fields["note"].label = note_label
        self.fields["note"].required = note_required


class RoadmapMixin(forms.Form):
    """Department, responsible person, deadline and up to four milestones, for an assignment."""

    milestone_count = MILESTONE_ROWS

    department = forms.ModelChoiceField(
        label=_("Responsible department"), queryset=Department.objects.filter(is_active=True), required=False
    )
    responsible_person = forms.CharField(label=_("Responsible person"), max_length=50, required=False)
    deadline = forms.DateField(label=_("Deadline"), widget=DATE_INPUT, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for n in range(1, self.milestone_count + 1):
            self.fields[f"milestone_{n}"] = forms.CharField(
                label=_("Milestone %(n)s") % {"n": n}, max_length=200, required=False
            )
            self.fields[f"milestone_{n}_on"] = forms.DateField(
                label=_("Planned date"), widget=DATE_INPUT, required=False
            )

    def milestone_rows(self):
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

    def assignment(self) -> Assignment:
        data = self.cleaned_data
        milestones = [
            (data[f"milestone_{n}"], data[f"milestone_{n}_on"])
            for n in range(1, self.milestone_count + 1)
            if data.get(f"milestone_{n}") and data.get(f"milestone_{n}_on")
        ]
        return Assignment(
            department=data.get("department"),
            responsible_person=data.get("responsible_person") or "",
            deadline=data.get("deadline"),
            milestones=milestones,
        )


def roadmap_initial(category: IssueCategory, today: datetime.date | None = None) -> dict:
    """Suggest the category's default deadline, and a final milestone on it, for the user to edit."""
    today = today or timezone.localdate()
    deadline = today + datetime.timedelta(days=category.default_deadline_days)
    return {"deadline": deadline, "milestone_1": _("Resolve and reply to the enterprise"), "milestone_1_on": deadline}


class AssignForm(RoadmapMixin, MoveForm):
    note = forms.CharField(label=_("Instructions"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def clean(self):
        cleaned = super().clean()
        self.clean_roadmap()
        return cleaned

    def payload(self) -> dict:
        return {"assignment": self.assignment()}


class ProgressForm(MoveForm):
    milestone = forms.TypedChoiceField(label=_("Milestone"), coerce=int, required=False, empty_value=None)
    done_on = forms.DateField(label=_("Done on"), widget=DATE_INPUT, required=False)
    note = forms.CharField(label=_("Progress"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, milestones=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["milestone"].choices = [("", _("(general progress)"))] + [
            (m.pk, f"{m.planned_on:%Y-%m-%d} {m.title}") for m in milestones if not m.done_on
        ]

    def payload(self) -> dict:
        return {"milestone_id": self.cleaned_data["milestone"], "done_on": self.cleaned_data["done_on"]}


class ExtensionRequestForm(MoveForm):
    new_deadline = forms.DateField(label=_("New deadline"), widget=DATE_INPUT)
    note = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))

    def payload(self) -> dict:
        return {"new_deadline": self.cleaned_data["new_deadline"]}


class ExtensionDecisionForm(MoveForm):
    approve = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("yes", _("Approve")), ("no", _("Refuse"))],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def payload(self) -> dict:
        return {"approve": self.cleaned_data["approve"]}


class LinkForm(MoveForm):
    matter = forms.ModelChoiceField(label=_("Systemic matter"), queryset=SystemicMatter.objects.all())

    def payload(self) -> dict:
        return {"matter": self.cleaned_data["matter"]}


class FeedbackForm(MoveForm):
    rating = forms.ChoiceField(label=_("The enterprise is"), choices=Feedback.Rating.choices, widget=forms.RadioSelect)
    note = forms.CharField(
        label=_("The enterprise's comment"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("rating") == Feedback.Rating.DISSATISFIED and not cleaned.get("note"):
            self.add_error("note", _("Record what the enterprise is dissatisfied with."))
        return cleaned


def move_form(action: str, issue, data=None):
    """Return the form for one move on this problem, bound to data when given."""
    kwargs = {"data": data, "initial": {"version": issue.version}, "prefix": action}
    if action == Action.ASSIGN:
        kwargs["initial"].update(roadmap_initial(issue.category))
        return AssignForm(**kwargs)
    if action == Action.PROGRESS:
        return ProgressForm(**kwargs, milestones=[m for m in issue.milestones.all() if not m.superseded])
    if action == Action.REQUEST_EXTENSION:
        return ExtensionRequestForm(**kwargs)
    if action == Action.DECIDE_EXTENSION:
        return ExtensionDecisionForm(**kwargs)
    if action == Action.LINK:
        return LinkForm(**kwargs)
    if action in (Action.CLOSE, Action.REOPEN):
        return FeedbackForm(**{**kwargs, "prefix": "feedback"})
    labels = {
        Action.RESOLVE: (_("How it was resolved"), True),
        Action.ESCALATE: (_("Why it is common, systemic or major"), True),
        Action.RETURN: (_("Why it is not our remit"), True),
        Action.SEND_BACK: (_("Why it is sent back"), True),
        Action.ACCEPT: (_("Note"), False),
    }
    label, required = labels.get(action, (_("Note"), False))
    return NoteForm(**kwargs, note_label=label, note_required=required)


class ReportForm(RoadmapMixin):
    """A cadre's report of a problem, and its route, in one submit."""

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

    field_order = ["title", "category", "description", "route", "note", "department", "responsible_person"]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"milestone_1": _("Resolve and reply to the enterprise")})
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        route = cleaned.get("route")
        if route in (Action.RESOLVE, Action.ESCALATE) and not cleaned.get("note"):
            self.add_error("note", _("Required when solved on the spot or escalated."))
        if route == Action.ASSIGN:
            if not cleaned.get("deadline") and cleaned.get("category"):
                cleaned["deadline"] = roadmap_initial(cleaned["category"])["deadline"]
            self.clean_roadmap()
        return cleaned


class MatterForm(forms.Form):
    title = forms.CharField(label=_("Systemic matter"), max_length=200)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    issues = forms.TypedMultipleChoiceField(label=_("Escalated problems"), coerce=int)

    def __init__(self, *args, escalated=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["issues"].choices = [(i.pk, i.title) for i in escalated]


class MatterDecisionForm(RoadmapMixin):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[(Action.ASSIGN, _("Assign under supervision")), (Action.RESOLVE, _("Resolve with this decision"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("The leading group's decision"), widget=forms.Textarea(attrs={"rows": 3}))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == Action.ASSIGN:
            self.clean_roadmap()
        return cleaned
