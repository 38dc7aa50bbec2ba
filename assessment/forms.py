"""The leading group's two forms on the year page: freeze the year, and unfreeze it with a reason."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.submissions import OneTimeTokenForm


class FreezeForm(OneTimeTokenForm):
    """Freeze the year as it stands (nothing to fill in; the token makes a double tap one freeze)."""


class UnfreezeForm(OneTimeTokenForm):
    reason = forms.CharField(
        label=_("Why unfreeze it"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept with the snapshot, beside who unfroze it and when."),
    )
