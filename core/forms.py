"""Account forms: the campaign office's in the admin (the portal's roles, nothing beyond), and the password change."""

from typing import Any

from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import AdminUserCreationForm, PasswordChangeForm, UserChangeForm, UsernameField
from django.contrib.auth.models import Group, User
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from core.accounts import BEYOND_PORTAL_ROLES, portal_groups
from core.roles import Role


class PortalRolesField(forms.ModelMultipleChoiceField):
    """The portal's four roles, named in the user's language; another group is not a valid choice."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Portal roles"))
        kwargs.setdefault("required", False)
        super().__init__(queryset=portal_groups(), **kwargs)

    def label_from_instance(self, obj: Group) -> str:
        return str(Role(obj.name).label)


def _refuse_beyond_portal_roles(form: forms.BaseForm) -> None:
    """Refuse a submission that asks for more than the roles, even though no field of the form offers it."""
    if any(name in form.data for name in BEYOND_PORTAL_ROLES):
        error = ValidationError(
            _(
                "The campaign office gives only the portal's roles: superuser status, access to the"
                " administration pages and permissions are given by a superuser."
            ),
            code="beyond_portal_roles",
        )
        form.add_error(None, error)


class _WithinPortalRoles(forms.ModelForm):
    """The portal's roles as the only groups, and a submission that asks for more refused."""

    groups = PortalRolesField()

    def clean(self) -> dict[str, Any]:
        super().clean()
        _refuse_beyond_portal_roles(self)
        return self.cleaned_data


class OfficeUserCreationForm(_WithinPortalRoles, AdminUserCreationForm):
    """A new account, its name, its password (or none yet) and its portal roles."""

    class Meta:
        model = User
        fields = ("username", "first_name", "email", "groups")
        field_classes = {"username": UsernameField}
        labels = {"first_name": _("Full name")}


class OfficeUserChangeForm(_WithinPortalRoles, UserChangeForm):
    """An account's name, whether it may log in, and its portal roles; the password is reset on its own page."""

    class Meta:
        model = User
        fields = ("username", "password", "first_name", "email", "is_active", "groups")
        field_classes = {"username": UsernameField}
        labels = {"first_name": _("Full name")}


class PortalPasswordChangeForm(PasswordChangeForm):
    """Django's password change, with the old password checked as a login is: counted, and refused when locked out.

    Django's own form only compares the old password, so a wrong one went uncounted and a locked-out
    account could go on guessing here. Asking `authenticate` with the request lets django-axes count a
    wrong old password as a failed login of this account from this address, and refuse even the right
    one while the account is locked out (core/lockout.py); the locked-out page then replaces this one.
    """

    def __init__(self, user: User, *args: Any, request: HttpRequest, **kwargs: Any) -> None:
        super().__init__(user, *args, **kwargs)
        self.request = request

    def clean_old_password(self) -> str:
        old_password: str = self.cleaned_data["old_password"]
        checked = authenticate(self.request, username=self.user.get_username(), password=old_password)
        if checked is None or checked.pk != self.user.pk:
            raise ValidationError(self.error_messages["password_incorrect"], code="password_incorrect")
        return old_password


class MultipleFileInput(forms.FileInput):
    """A file input that takes several files at once (Django's documented pattern)."""

    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input, cleaned to a list (none chosen: an empty list, or "required")."""

    widget = MultipleFileInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        one = super().clean
        uploads = [item for item in data if item] if isinstance(data, list | tuple) else [data] if data else []
        if not uploads and self.required:
            raise ValidationError(self.error_messages["required"], code="required")
        return [one(item, initial) for item in uploads]
