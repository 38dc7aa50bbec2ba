"""The Unified Social Credit Code (统一社会信用代码), GB 32100-2015."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

# The standard's 31 characters: digits and capitals without I, O, Z, S and V.
CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
LENGTH = 18

_FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}


def normalize_uscc(value: str) -> str:
    """Return the code trimmed, with full-width characters made ASCII, upper-cased."""
    return (value or "").translate(_FULL_WIDTH).strip().replace(" ", "").replace("\u3000", "").upper()


def check_character(first17: str) -> str:
    """Return the check character for the first 17 characters of a code."""
    total = sum(CHARSET.index(ch) * weight for ch, weight in zip(first17, WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def validate_uscc(value: str) -> None:
    """Raise ValidationError unless value is a well-formed code with the right check character."""
    if len(value) != LENGTH:
        raise ValidationError(
            _("A Unified Social Credit Code has 18 characters; this one has %(count)d."),
            code="uscc_length",
            params={"count": len(value)},
        )
    bad = sorted({ch for ch in value if ch not in CHARSET})
    if bad:
        raise ValidationError(
            _("The code contains characters the standard does not use: %(chars)s."),
            code="uscc_charset",
            params={"chars": "".join(bad)},
        )
    if check_character(value[:17]) != value[17]:
        raise ValidationError(
            _("The check character (the 18th) is wrong: please check the code again."),
            code="uscc_check",
        )


class USCCField(models.CharField):
    """A nullable 18-character code, normalised on the way in, validated, stored upper-case."""

    default_validators = [validate_uscc]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", LENGTH)
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        # Blank becomes NULL, so that uniqueness ignores projects without a code.
        return normalize_uscc(super().to_python(value) or "") or None

    def get_prep_value(self, value):
        return self.to_python(value)

    def pre_save(self, model_instance, add):
        value = self.to_python(getattr(model_instance, self.attname))
        setattr(model_instance, self.attname, value)
        return value

    def formfield(self, **kwargs: Any) -> Any:  # type: ignore[override]
        kwargs.setdefault("empty_value", None)
        return super().formfield(**kwargs)
