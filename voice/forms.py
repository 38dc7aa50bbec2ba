"""The enterprise's forms through its link, and the contact form on the staff's link page."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.submissions import OneTimeTokenForm
from enterprises.models import Enterprise
from issues.models import Feedback, IssueCategory
from visits.models import EnterpriseAnswer


class AnswerForm(forms.Form):
    """Did the visit take place? The two buttons carry the answer; the remark is optional."""

    answer = forms.ChoiceField(choices=EnterpriseAnswer.choices)
    remark = forms.CharField(label=_("Remark (optional)"), required=False, max_length=500, widget=forms.Textarea)


class RatingForm(forms.Form):
    """The enterprise's rating of a resolved problem, on the version its page showed."""

    rating = forms.ChoiceField(
        label=_("Are you satisfied with how it was handled?"), choices=Feedback.Rating.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("Comment (required if dissatisfied)"), required=False, max_length=2000, widget=forms.Textarea
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=2**31 - 1)


class RequestForm(OneTimeTokenForm):
    """A new request (诉求), raised once however often the form is sent (its one-time token)."""

    title = forms.CharField(label=_("What do you need help with?"), max_length=200)
    category = forms.ModelChoiceField(label=_("Kind of matter"), queryset=IssueCategory.objects.none())
    description = forms.CharField(label=_("Details"), required=False, max_length=4000, widget=forms.Textarea)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["category"]
        assert isinstance(field, forms.ModelChoiceField)  # nosec B101 # narrows the type for mypy
        field.queryset = IssueCategory.objects.filter(is_active=True).order_by("sort_order", "name")


class ContactForm(forms.ModelForm):
    """The enterprise's contact, where the office sends its link."""

    class Meta:
        model = Enterprise
        fields = ["contact_person", "contact_mobile"]
