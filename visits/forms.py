"""Forms for the cadre's workspace. They check shapes; cadres/services.py decides the rules."""

from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Exists, OuterRef, Q
from django.forms.formsets import DELETION_FIELD_NAME
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from core.forms import MultipleFileField, MultipleFileInput
from core.params import IdModelMultipleChoiceField
from core.pickers import PickerFormMixin
from core.submissions import OneTimeTokenForm
from enterprises.models import Enterprise, Origin, Sector
from enterprises.streets import street_choices
from issues.forms import DATE_INPUT, ProblemFields
from issues.pickers import any_department_select
from organisation.models import Department, Pairing
from visits import proof
from visits.compliance import SHORT, Standing
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


class ProofInput(MultipleFileInput):
    """A file input taking several photos or PDFs at once; on a phone it offers the camera and the gallery."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"accept": proof.ACCEPT, "class": "form-control", **(attrs or {})})


class ProofField(MultipleFileField):
    """A visit's photos and files, cleaned to a list of uploads (none chosen: an empty list)."""

    widget = ProofInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Photos and files"))
        # Said when the form is shown: in the reader's language, with the limits of the day's settings.
        kwargs.setdefault("help_text", lazy(proof.help_text, str)())
        super().__init__(**kwargs)


class ProofFormMixin(forms.Form):
    """The photos and files of a visit, checked and cleaned by `visits.proof` while the form is cleaned.

    `prepared` holds what the service stores; `having` is how many files the visit already carries.
    """

    # Not `files`: a form's `files` is the request's uploads.
    proof_files = ProofField()
    having = 0

    def clean_proof_files(self) -> list[UploadedFile]:
        uploads: list[UploadedFile] = self.cleaned_data["proof_files"]
        try:
            self.prepared = proof.prepare_all(uploads, having=self.having)
        except proof.ProofError as exc:
            raise ValidationError(exc.message, code=exc.code) from exc
        return uploads

    @property
    def prepared_files(self) -> list[proof.Prepared]:
        return getattr(self, "prepared", [])


class NewVisitForm(OneTimeTokenForm, ProofFormMixin, VisitForm):
    """A visit being logged: its one-time token stands for the whole submit, its problems and files included."""


class VisitFilesForm(OneTimeTokenForm, ProofFormMixin):
    """Photos and files added to a visit already logged, once however often the form is sent."""

    def __init__(self, *args: Any, having: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.having = having
        self.fields["proof_files"].required = True


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


SHORT_CHOICE = "short"
BY_NAME = "name"


class ComplianceFilterForm(PickerFormMixin, forms.Form):
    """The grid's filters: by the cadre or enterprise, by this month's standing, and by where they belong.

    The enterprise's and the unit's filters narrow the pairings the rule judges (`filter`); this month's
    standing narrows the judged cadres (`standings`), in the order chosen (`worst_first`). The unit summary,
    the chart, the page of cadres and the xlsx all cover the cadres these keep (visits/compliance.py's
    `Standings` counts them in SQL).
    """

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Cadre or enterprise")}),
    )
    standing = forms.ChoiceField(
        label=_("This month"),
        choices=[("", _("All")), (SHORT_CHOICE, _("At risk or missed")), *Standing.choices],
        required=False,
    )
    origin = forms.ChoiceField(label=_("Origin"), choices=[("", "---------"), *Origin.choices], required=False)
    sector = forms.ChoiceField(label=_("Sector"), choices=[("", "---------"), *Sector.choices], required=False)
    street = forms.ChoiceField(label=_("Street"), required=False)
    # Past a district's few units, a search picker (core/pickers.py), as on the lists: a province's 1,173 units
    # were written into every page of the grid.
    department = forms.ModelChoiceField(
        label=_("Cadre's unit"), queryset=Department.objects.all(), required=False, widget=any_department_select()
    )
    order = forms.ChoiceField(
        label=_("Order"), choices=[("", _("Below the rule first")), (BY_NAME, _("By name"))], required=False
    )

    # The fields shown folded away under "More filters" (open when one of them is in use).
    MORE = ("origin", "sector", "street", "department", "order")
    # A filter form: read as usual while its picker searches, so the grid shows what was asked.
    read_while_searching = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["street"]).choices = street_choices(blank=True)

    @property
    def more(self) -> list[forms.BoundField]:
        return [self[name] for name in self.MORE]

    @property
    def more_in_use(self) -> bool:
        return any(self.data.get(name) for name in self.MORE)

    def _chosen(self) -> dict:
        return self.cleaned_data if self.is_valid() else {}

    def filter(self, pairings):
        data = self._chosen()
        if data.get("q"):
            # By cadre, not by pairing: a cadre found through one enterprise is judged on all their pairings.
            found = Pairing.objects.filter(
                Q(cadre__name__icontains=data["q"]) | Q(enterprise__name__icontains=data["q"])
            ).values("cadre_id")
            pairings = pairings.filter(cadre_id__in=found)
        if data.get("origin"):
            pairings = pairings.filter(enterprise__origin=data["origin"])
        if data.get("sector"):
            pairings = pairings.filter(enterprise__sector=data["sector"])
        if data.get("street"):
            pairings = pairings.filter(enterprise__street=data["street"])
        if data.get("department"):
            pairings = pairings.filter(cadre__unit=data["department"])
        return pairings

    def standings(self) -> list[str] | None:
        """This month's standings chosen (None: every cadre)."""
        wanted = self._chosen().get("standing")
        if wanted == SHORT_CHOICE:
            return sorted(SHORT)
        return [wanted] if wanted else None

    def worst_first(self) -> bool:
        """Below the rule first (the default), else by name."""
        return self._chosen().get("order") != BY_NAME
