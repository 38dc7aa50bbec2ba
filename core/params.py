"""Id-like request parameters (``?visit=``, a posted ``visit``): one typed parse, never a 500.

A value that is absent is ``None``; one that is not a positive integer a database key can hold
answers 404, as an id that names nothing does.
"""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404, HttpRequest

# The largest key PostgreSQL's bigint (Django's BigAutoField) holds.
MAX_ID = 2**63 - 1


def parse_id(value: str | None) -> int | None:
    """Return the id `value` spells (ASCII digits, 1..MAX_ID), ``None`` when blank; else raise Http404."""
    if value is None or value == "":
        return None
    if not (value.isascii() and value.isdigit()):
        raise Http404
    number = int(value)
    if not 1 <= number <= MAX_ID:
        raise Http404
    return number


def id_param(request: HttpRequest, name: str) -> int | None:
    """The id a request names in its query string, else in its form; ``None`` when it names none."""
    return parse_id(request.GET.get(name) or request.POST.get(name))


def is_id(value: object) -> bool:
    """Whether `value` (a form's raw value) spells an id a database key can hold."""
    try:
        return parse_id(str(value)) is not None
    except Http404:
        return False


class IdModelChoiceField(forms.ModelChoiceField):
    """A model choice whose raw value must be an id first: 10**30 or 1.5 is an invalid choice, not a 500."""

    def to_python(self, value: Any) -> Any:
        if value in self.empty_values:
            return None
        if isinstance(value, models.Model) or is_id(value):
            return super().to_python(value)
        raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")


class IdModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Model choices whose raw values must all be ids first (see `IdModelChoiceField`)."""

    def clean(self, value: Any) -> Any:
        for pk in value if isinstance(value, (list, tuple)) else [value] if value else []:
            if not is_id(pk):
                message = self.error_messages["invalid_pk_value"]
                raise ValidationError(message, code="invalid_pk_value", params={"pk": pk})
        return super().clean(value)
