from django import forms
from django.utils.translation import gettext_lazy as _

from core.submissions import OneTimeTokenForm
from enterprises.importers import ImportFileError, check_kind, check_size


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("List file"),
        help_text=_("An Excel workbook (.xlsx) or a CSV file (UTF-8 or GBK)."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            # The size first, from the upload's headers, before reading it into memory.
            check_size(upload.size)
            data = upload.read()
            check_size(len(data))
            check_kind(data, upload.name)
        except ImportFileError as exc:
            raise forms.ValidationError(exc.message, code=exc.code) from exc
        self.cleaned_data["data"] = data
        return upload


class ImportConfirmForm(OneTimeTokenForm):
    """The confirmation of a previewed list: the kept upload's token, and the submission's own."""

    token = forms.CharField(widget=forms.HiddenInput)
