"""The campaign office's form for adding a unit's staff member in the admin. It checks shapes only."""

from typing import Any, cast

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import SetPasswordMixin, UsernameField
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.accounts import accounts_within_portal_roles
from organisation.models import Department, DepartmentStaff


class StaffCreationForm(SetPasswordMixin, forms.ModelForm):
    """A unit's staff member, with a new login made here or an account that exists already.

    organisation.services.staff_account_create / staff_appoint write it, the department-staff role included.
    """

    username = UsernameField(
        label=_("New login name"),
        required=False,
        max_length=150,
        help_text=_("The name this staff member logs in with. Leave it blank to choose an existing account below."),
    )
    password1, password2 = SetPasswordMixin.create_password_fields()

    class Meta:
        model = DepartmentStaff
        fields = ["department", "name", "phone", "user"]
        labels = {"user": _("Existing account")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["password1"].required = self.fields["password2"].required = False
        cast(forms.ModelChoiceField, self.fields["department"]).queryset = Department.objects.active()
        user = cast(forms.ModelChoiceField, self.fields["user"])
        user.required = False
        # Appointing adds a role to the account: only accounts the office may administer, not staff already.
        user.queryset = accounts_within_portal_roles().filter(department_staff__isnull=True)
        user.help_text = _("An account made earlier, instead of a new login.")

    def clean_username(self) -> str:
        username: str = self.cleaned_data.get("username") or ""
        if username and get_user_model().objects.filter(username__iexact=username).exists():
            raise ValidationError(_("That login name is taken."), code="username_taken")
        return username

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        new_login, existing = data.get("username"), data.get("user")
        if "username" in self.errors or "user" in self.errors:
            return data
        if bool(new_login) == bool(existing):
            self.add_error(
                None,
                ValidationError(
                    _("Give a new login name and password, or choose an existing account: one of the two."),
                    code="account_choice",
                ),
            )
        elif new_login:
            for field in ("password1", "password2"):
                if not data.get(field):
                    required = self.fields[field].error_messages["required"]
                    self.add_error(field, ValidationError(required, code="required"))
            self.validate_passwords()
            account = get_user_model()(username=new_login, first_name=data.get("name", ""))
            self.validate_password_for_user(account)
        return data
