"""Mainland mobile numbers, the key that tells one cadre from another in lists typed by hand.

Names repeat and titles change; a cadre's mobile does neither (often). Lists write it with
spaces, dashes, full-width digits or +86; it is kept as its 11 digits.
"""

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

MOBILE = re.compile(r"^1[3-9]\d{9}$")
_FULL_WIDTH_DIGITS = {0xFF10 + d: 0x30 + d for d in range(10)}
_SEPARATORS = re.compile(r"[\s\-‐－—–()（）.]")


def normalize_mobile(text: str) -> str:
    """Return a mobile number's 11 digits; text that is not one comes back trimmed, for a validator to refuse."""
    trimmed = text.translate(_FULL_WIDTH_DIGITS).replace("＋", "+").strip()
    digits = _SEPARATORS.sub("", trimmed)
    for prefix in ("+86", "0086"):
        digits = digits.removeprefix(prefix)
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    return digits if MOBILE.match(digits) else trimmed


def is_mobile(text: str) -> bool:
    return bool(MOBILE.match(text))


def validate_mobile(value: str) -> None:
    """Refuse anything but the 11 digits of a mainland mobile number (code invalid_mobile)."""
    if value and not is_mobile(value):
        raise ValidationError(
            _("“%(value)s” is not a mobile number: write its 11 digits, e.g. 13912345678."),
            code="invalid_mobile",
            params={"value": value},
        )


class MobileFormField(forms.CharField):
    """A form field that accepts a mobile written with spaces, dashes or +86 and cleans it to 11 digits."""

    def to_python(self, value: Any) -> str | None:
        text = super().to_python(value)
        return normalize_mobile(text) if text else text

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        # "139 1234 5678" is longer than the 11 digits it cleans to: let it be typed.
        attrs = super().widget_attrs(widget)
        attrs.pop("maxlength", None)
        attrs.setdefault("inputmode", "tel")
        return attrs


class MobileField(models.CharField):
    """A mobile number stored as its 11 digits ("" when unknown)."""

    default_validators = [validate_mobile]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 11)
        super().__init__(*args, **kwargs)

    def to_python(self, value: Any) -> Any:
        value = super().to_python(value)
        return normalize_mobile(value) if value else value

    def formfield(
        self,
        form_class: type[forms.Field] | None = None,
        choices_form_class: type[forms.ChoiceField] | None = None,
        **kwargs: Any,
    ) -> forms.Field | None:
        return super().formfield(
            form_class=form_class or MobileFormField, choices_form_class=choices_form_class, **kwargs
        )
