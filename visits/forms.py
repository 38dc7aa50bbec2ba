"""Forms for the cadre's workspace. They check shapes; cadres/services.py decides the rules."""

from dataclasses import dataclass
from typing import cast

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.db.models import Exists, OuterRef
from django.forms.formsets import DELETION_FIELD_NAME
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.params import IdModelMultipleChoiceField
from core.submissions import OneTimeTokenForm
from enterprises.models import Enterprise, Origin, Sector
from issues.forms import DATE_INPUT, ProblemFields
from organisation.models import Department
from visits.models import Errand, Policy, PolicySector, Visit
from visits.services import RaisedProblem, VisitData


class VisitForm(forms.ModelForm):
    """A service visit, laid out for a phone: date, mode, what was seen and said, policies explained."""

    class Meta:
        model = Visit
        fields = ["visited_on", "mode", "operations", "opinions", "summary", "policies"]
        widgets = {
            "visited_on": DATE_INPUT,
            "mode": forms.RadioSelect,
            "operations": forms.Textarea(attrs={"rows": 2}),
            "opinions": forms.Textarea(attrs={"rows": 2}),
            "summary": forms.Textarea(attrs={"rows": 2}),
            "policies": forms.CheckboxSelectMultiple,
        }
        field_classes = {"policies": IdModelMultipleChoiceField}

    def __init__(self, *args, enterprise: Enterprise, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["visited_on"].initial = timezone.localdate()
        # The policies for the enterprise's own sector come first: those are the ones to explain.
        cast(forms.ModelMultipleChoiceField, self.fields["policies"]).queryset = (
            Policy.objects.filter(is_active=True)
            .annotate(fits=Exists(PolicySector.objects.filter(policy=OuterRef("pk"), sector=enterprise.sector)))
            .order_by("-fits", "-published_on", "title")
        )
        self.fields["policies"].required = False

    def visit_data(self) -> VisitData:
        data = self.cleaned_data
        return VisitData(
            visited_on=data["visited_on"],
            mode=data["mode"],
            operations=data["operations"],
            opinions=data["opinions"],
            summary=data["summary"],
            policies=list(data["policies"]),
        )


class NewVisitForm(OneTimeTokenForm, VisitForm):
    """A visit being logged: its one-time token stands for the whole submit, its problems included."""


class ProblemForm(ProblemFields):
    """One problem raised in a visit, routed in the same submit; two milestone rows fit a phone."""

    milestone_count = 2

    def raised(self) -> RaisedProblem:
        data = self.cleaned_data
        return RaisedProblem(
            title=data["title"],
            category=data["category"],
            route=self.route_payload(),
            description=data["description"],
        )


@dataclass(frozen=True)
class CardErrors:
    """What is wrong with one problem card, for the banner at the top of the visit form."""

    number: int
    anchor: str
    title: str
    errors: list[tuple[str, str]]  # (the field's label, or "" for the card as a whole; the message)


class BaseProblemFormSet(forms.BaseFormSet):
    """The visit's problem cards. A card the cadre removed stays in the page, hidden, with DELETE ticked.

    Removing by ticking DELETE rather than renumbering the cards keeps TOTAL_FORMS and every field's
    name as they were, so a draft kept in the browser (static/js/drafts.js) restores the same cards.
    """

    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        # visit.js ticks it from the card's remove button and hides the card.
        form.fields[DELETION_FIELD_NAME].widget.attrs.update({"hidden": True, "data-problem-delete": ""})
        form.fields[DELETION_FIELD_NAME].label = _("Remove this problem")

    def removed(self, form: forms.Form) -> bool:
        """Whether the cadre removed this card: its DELETE box ticked, whatever else it holds."""
        return form.is_bound and bool(form[DELETION_FIELD_NAME].value())

    def cards(self) -> list[tuple[int | None, forms.Form]]:
        """Each card with its number as the cadre sees it (1, 2, …); a removed card has none."""
        cards: list[tuple[int | None, forms.Form]] = []
        number = 0
        for form in self.forms:
            if self.removed(form):
                cards.append((None, form))
            else:
                number += 1
                cards.append((number, form))
        return cards

    def cards_with_errors(self) -> list[CardErrors]:
        """The cards kept in the visit that must be corrected, for the banner at the top of the form."""
        if not self.is_bound:
            return []
        found = []
        for number, form in self.cards():
            if number is None or not form.errors:
                continue
            errors = [
                ("" if name == NON_FIELD_ERRORS else str(form[name].label), str(message))
                for name, messages in form.errors.items()
                for message in messages
            ]
            title = form.data.get(form.add_prefix("title"), "").strip()
            found.append(CardErrors(number=number, anchor=form.prefix or "", title=title, errors=errors))
        return found

    def raised(self) -> list[RaisedProblem]:
        """The problems to report: the cards filled in and not removed (call once the formset is valid)."""
        kept = [cast(ProblemForm, form) for form in self.forms if not self.removed(form)]
        return [form.raised() for form in kept if form.has_changed()]


ProblemFormSet = cast(
    type[BaseProblemFormSet],
    forms.formset_factory(
        ProblemForm, formset=BaseProblemFormSet, extra=0, max_num=10, validate_max=True, can_delete=True
    ),
)


class ErrandForm(OneTimeTokenForm, forms.ModelForm):
    on = forms.DateField(label=_("Materials submitted on"), widget=DATE_INPUT)
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    class Meta:
        model = Errand
        fields = ["matter", "approving_department", "mode"]
        widgets = {"mode": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["on"].initial = timezone.localdate()


class ErrandAdvanceForm(forms.Form):
    stage = forms.TypedChoiceField(label=_("Stage reached"), coerce=int)
    on = forms.DateField(label=_("Date"), widget=DATE_INPUT)
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    result = forms.CharField(
        label=_("Result delivered"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("Required when the result is delivered."),
    )

    def __init__(self, *args, errand: Errand, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["stage"]).choices = [
            (v, label) for v, label in Errand.Stage.choices if v > errand.stage
        ]
        self.fields["on"].initial = timezone.localdate()


class ComplianceFilterForm(forms.Form):
    origin = forms.ChoiceField(label=_("Origin"), choices=[("", "---------"), *Origin.choices], required=False)
    sector = forms.ChoiceField(label=_("Sector"), choices=[("", "---------"), *Sector.choices], required=False)
    street = forms.ChoiceField(label=_("Street"), required=False)
    department = forms.ModelChoiceField(label=_("Cadre's unit"), queryset=Department.objects.all(), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        streets = Enterprise.objects.exclude(street="").values_list("street", flat=True).distinct().order_by("street")
        cast(forms.ChoiceField, self.fields["street"]).choices = [("", "---------"), *((s, s) for s in streets)]

    def filter(self, pairings):
        if not self.is_valid():
            return pairings
        data = self.cleaned_data
        if data["origin"]:
            pairings = pairings.filter(enterprise__origin=data["origin"])
        if data["sector"]:
            pairings = pairings.filter(enterprise__sector=data["sector"])
        if data["street"]:
            pairings = pairings.filter(enterprise__street=data["street"])
        if data["department"]:
            pairings = pairings.filter(cadre__unit=data["department"])
        return pairings
