"""One submission, one result: the one-time token a creating form carries, and the view's side of it.

A double tap, or a phone re-sending a form on a weak signal, must not file the same visit twice.
Each form that creates something carries a random token (`OneTimeTokenForm`, a hidden field named
`submission`, never prefixed). Its view, decorated with `submitted_once`, creates through
`core.services.submission_run`, which claims the token in the same transaction as the creation.
A repeat of the same token by the same user lands on what the first created, with a message;
a refused or invalid submission claims nothing, so the corrected form is sent with the same token.
"""

import functools
import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import BoundField
from django.http import HttpRequest, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _

from core.drafts import confirm_saved
from core.roles import AuthenticatedRequest, View
from core.services import Resubmitted, submission_result

TOKEN_FIELD = "submission"  # nosec B105 # a form field's name, not a secret
REPEAT_CODE = "already_submitted"


def token_of(value: object) -> uuid.UUID | None:
    """Return the token a form sent, or None when it sent none or something else."""
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


class _TokenBoundField(BoundField):
    @property
    def auto_id(self) -> str:
        # Hidden and unlabelled, and one in each of a page's forms: an id would only repeat.
        return ""


class TokenField(forms.Field):
    """The hidden token. A missing or malformed one is no field error (the form's clean says it once),
    and the form is shown again with a fresh token, so the user can send it again at once."""

    widget = forms.HiddenInput

    def __init__(self) -> None:
        super().__init__(required=False, initial=uuid.uuid4)

    def to_python(self, value: Any) -> uuid.UUID | None:
        return token_of(value) if value not in self.empty_values else None

    def bound_data(self, data: Any, initial: Any) -> Any:
        return data if token_of(data) else initial

    def get_bound_field(self, form: forms.BaseForm, field_name: str) -> BoundField:
        return _TokenBoundField(form, self, field_name)


class OneTimeTokenForm(forms.Form):
    """Mix into a form that creates something: it carries the one-time token of its submission."""

    submission = TokenField()

    def add_prefix(self, field_name: str) -> str:
        # The token keeps its plain name in every form, so `submitted_once` finds it before any form is built.
        return field_name if field_name == TOKEN_FIELD else super().add_prefix(field_name)

    def clean(self) -> dict[str, Any]:
        super().clean()
        if self.cleaned_data.get(TOKEN_FIELD) is None:
            # A page from before the token existed, or a hand-made request: the page now has a token.
            message = _("This form was out of date. Check what you entered and send it again.")
            self.add_error(None, ValidationError(message, code="token_missing"))
        return self.cleaned_data

    @property
    def submission_token(self) -> uuid.UUID:
        """The submission's token; only after the form was found valid."""
        token: uuid.UUID = self.cleaned_data[TOKEN_FIELD]
        return token


def submitted_once(view: View) -> View:
    """Show what the user's earlier submission of this very form created, rather than create it again.

    Put it under @login_required and the role check. A repeat that arrives after the first committed
    is caught before the view runs, whatever the view would now say of the form (the import's upload
    is gone, a problem has moved on); one that arrived while the first was being saved waited for it
    in `submission_run`, which raised `Resubmitted`.
    """

    @functools.wraps(view)
    def wrapped(request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.method == "POST":
            token = token_of(request.POST.get(TOKEN_FIELD))
            url = submission_result(user=request.user, token=token) if token else None
            if url is not None:
                return _first_result(request, url)
        try:
            return view(request, *args, **kwargs)
        except Resubmitted as repeat:
            return _first_result(request, repeat.url)

    return wrapped


def _first_result(request: HttpRequest, url: str) -> HttpResponseRedirect:
    message = _("This was already submitted and saved once; it was not saved again.")
    messages.info(request, message, extra_tags=REPEAT_CODE)
    confirm_saved(request)  # the first submission of this very form was saved
    return HttpResponseRedirect(url)
