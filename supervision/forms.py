"""The supervision forms: they check shapes; supervision/services.py decides the rules and refuses with a code.

A refusal's code names the field it belongs beside (`SupervisionForm.refuse`), so the user reads it where
they typed; codes no field owns are said above the form.
"""

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from core.errors import PortalError
from core.forms import MultipleFileField
from core.params import IdModelChoiceField, IdModelMultipleChoiceField
from core.pickers import PLAIN_UP_TO, PickerFormMixin, SearchSelect
from core.roles import Role
from core.submissions import OneTimeTokenForm
from enterprises.models import Enterprise
from issues.forms import DATE_INPUT
from organisation.models import Cadre, Department
from supervision.models import Confirmation, Inspection, Kind, Rating, Target
from supervision.services import InspectionData
from visits import attachments


def files_field(label: Any) -> MultipleFileField:
    # Said when the form is shown: in the reader's language, with the size limit of the day's settings.
    return MultipleFileField(label=label, help_text=lazy(attachments.help_text, str)())


def overseers() -> Any:
    """The accounts that may inspect: active members of the leading group or the campaign office (superusers too)."""
    user_model = get_user_model()
    held = Q(groups__name__in=(Role.LEADING_GROUP, Role.CAMPAIGN_OFFICE)) | Q(is_superuser=True)
    return user_model.objects.filter(held, is_active=True).distinct().order_by("first_name", "username")


class _InspectorChoice(IdModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.get_full_name() or obj.get_username()


class SupervisionForm(PickerFormMixin, forms.Form):
    """A form whose service refusals are shown beside the field they concern."""

    # A refusal's code → the field it is about; codes not listed are said above the form.
    REFUSAL_FIELDS: dict[str, str] = {}

    def refuse(self, error: PortalError) -> None:
        field = self.REFUSAL_FIELDS.get(error.code)
        if field is None and error.code.startswith("attachment_"):
            field = "uploads"
        self.add_error(field if field in self.fields else None, ValidationError(error.message, code=error.code))


# The picker each target kind is named in.
PICKERS = {
    Target.CADRE: "cadre",
    Target.ENTERPRISE: "enterprise",
    Target.DEPARTMENT: "department",
    Target.STREET: "street",
}


class InspectionForm(OneTimeTokenForm, SupervisionForm):
    """An inspection, as recorded after it: what, when, who, how, what was found, the rating, the files."""

    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices, widget=forms.RadioSelect)
    inspected_on = forms.DateField(label=_("Date"), widget=DATE_INPUT)
    inspectors = _InspectorChoice(
        label=_("Inspectors"),
        queryset=get_user_model().objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Members of the leading group or the campaign office."),
    )
    target = forms.ChoiceField(
        label=_("What was inspected"),
        choices=Target.choices,
        widget=forms.RadioSelect(attrs={"data-picks": "target"}),
    )
    # A city's cadres, enterprises and inspections: searched, never listed whole (supervision/pickers.py).
    cadre = IdModelChoiceField(
        label=_("The cadre inspected"), queryset=Cadre.objects.none(), required=False, widget=SearchSelect("cadre")
    )
    enterprise = IdModelChoiceField(
        label=_("The enterprise inspected"),
        queryset=Enterprise.objects.none(),
        required=False,
        help_text=_("The cadre serving it on the day is recorded with it."),
        widget=SearchSelect("enterprise"),
    )
    department = IdModelChoiceField(
        label=_("The department inspected"),
        queryset=Department.objects.none(),
        required=False,
        widget=SearchSelect("unit-department", plain_up_to=PLAIN_UP_TO),
    )
    street = IdModelChoiceField(
        label=_("The street inspected"),
        queryset=Department.objects.none(),
        required=False,
        widget=SearchSelect("unit-street", plain_up_to=PLAIN_UP_TO),
    )
    follows = IdModelChoiceField(
        label=_("Follows up the inspection of"),
        queryset=Inspection.objects.none(),
        required=False,
        help_text=_("For a follow-up: the earlier inspection it checks on."),
        widget=SearchSelect("inspection"),
    )
    method = forms.CharField(label=_("How it was done"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    findings = forms.CharField(label=_("Findings"), widget=forms.Textarea(attrs={"rows": 4}))
    rating = forms.ChoiceField(label=_("Rating"), choices=Rating.choices, widget=forms.RadioSelect)
    visits_confirmed = forms.ChoiceField(
        label=_("The enterprise on its cadre's visits"),
        choices=[("", "—"), *Confirmation.choices],
        required=False,
        help_text=_("An unannounced visit to an enterprise only; seen by the leading group and the office alone."),
    )
    said_of_cadre = forms.CharField(
        label=_("What the enterprise said of its cadre"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    said_of_departments = forms.CharField(
        label=_("What the enterprise said of the departments"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    uploads = files_field(_("Photos and scanned records"))

    REFUSAL_FIELDS = {
        "no_inspectors": "inspectors",
        "inspector_not_overseer": "inspectors",
        "no_findings": "findings",
        "inspection_in_future": "inspected_on",
        "date_out_of_range": "inspected_on",
        "follows_not_follow_up": "follows",
        "said_not_unannounced": "visits_confirmed",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["inspected_on"].initial = timezone.localdate()
        fields["inspectors"].queryset = overseers()
        fields["cadre"].queryset = Cadre.objects.active()
        fields["enterprise"].queryset = Enterprise.objects.active().order_by("name", "pk")
        fields["department"].queryset = Department.objects.active().filter(kind=Department.Kind.DEPARTMENT)
        fields["street"].queryset = Department.objects.active().filter(kind=Department.Kind.STREET)
        fields["follows"].queryset = Inspection.objects.select_related("cadre", "enterprise", "department")
        for name in PICKERS.values():
            # The picker for the target chosen; static/js/supervision.js shows that one alone.
            fields[name].widget.attrs["data-picker"] = name

    def refuse(self, error: PortalError) -> None:
        if error.code == "no_subject":
            target = self.cleaned_data.get("target", "")
            picker = PICKERS[Target(target)] if target in Target.values else "target"
            self.add_error(picker, ValidationError(error.message, code=error.code))
            return
        super().refuse(error)

    def data_for_service(self) -> InspectionData:
        """The cleaned form as the service's payload; only the picker the target names is passed on."""
        data = self.cleaned_data
        target = Target(data["target"])
        return InspectionData(
            kind=Kind(data["kind"]),
            inspected_on=data["inspected_on"],
            inspectors=list(data["inspectors"]),
            target=target,
            findings=data["findings"],
            rating=Rating(data["rating"]),
            cadre=data["cadre"] if target == Target.CADRE else None,
            enterprise=data["enterprise"] if target == Target.ENTERPRISE else None,
            department=data[PICKERS[target]] if target in (Target.DEPARTMENT, Target.STREET) else None,
            method=data["method"],
            follows=data["follows"],
            visits_confirmed=data["visits_confirmed"],
            said_of_cadre=data["said_of_cadre"],
            said_of_departments=data["said_of_departments"],
            files=data["uploads"],
        )


class ItemForm(OneTimeTokenForm, SupervisionForm):
    """A rectification item: who is responsible (a cadre or a unit), what must change, by when."""

    cadre = IdModelChoiceField(
        label=_("Responsible cadre"), queryset=Cadre.objects.none(), required=False, widget=SearchSelect("cadre")
    )
    department = IdModelChoiceField(
        label=_("Or the responsible unit"),
        queryset=Department.objects.none(),
        required=False,
        help_text=_("Choose a cadre or a unit, not both."),
        widget=SearchSelect("unit", plain_up_to=PLAIN_UP_TO),
    )
    requirement = forms.CharField(label=_("What must change"), widget=forms.Textarea(attrs={"rows": 3}))
    deadline = forms.DateField(label=_("Deadline"), widget=DATE_INPUT)

    REFUSAL_FIELDS = {
        "one_responsible": "cadre",
        "no_requirement": "requirement",
        "deadline_past": "deadline",
        "date_out_of_range": "deadline",
    }

    def __init__(self, *args: Any, inspection: Inspection, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["cadre"].queryset = Cadre.objects.active()
        fields["department"].queryset = Department.objects.active()
        # The inspected cadre (or the enterprise's) by default, else the inspected unit.
        if inspection.cadre_id is not None:
            fields["cadre"].initial = inspection.cadre_id
        elif inspection.department_id is not None:
            fields["department"].initial = inspection.department_id


class AnswerForm(OneTimeTokenForm, SupervisionForm):
    """The responsible person's answer: what was done, with its evidence."""

    text = forms.CharField(label=_("What was done"), widget=forms.Textarea(attrs={"rows": 4}))
    uploads = files_field(_("Evidence"))

    REFUSAL_FIELDS = {"no_answer": "text"}


class CheckForm(OneTimeTokenForm, SupervisionForm):
    """The inspector's check of the latest answer: accept it, or send it back saying why."""

    ACCEPT = "accept"
    SEND_BACK = "send_back"

    verdict = forms.ChoiceField(
        label=_("Check"),
        choices=[(ACCEPT, _("Accept the answer")), (SEND_BACK, _("Send it back"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("Required when the answer is sent back."),
    )

    REFUSAL_FIELDS = {"no_reason": "note"}

    @property
    def accepts(self) -> bool:
        return self.cleaned_data["verdict"] == self.ACCEPT
