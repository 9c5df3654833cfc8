"""The staff form: a member of staff gets one role, chosen in one step, instead of groups and
raw permissions."""

from django import forms
from django.contrib.auth.forms import (
    AdminUserCreationForm,
    PasswordChangeForm,
    PasswordResetForm,
    SetPasswordForm,
    UserChangeForm,
)

from accounts import roles
from lib.forms import GovukFormMixin
from staff.services import role_of

ROLE_HINTS = {
    roles.FRONT_OFFICE: "Logs contacts and owns cases.",
    roles.TEAM_LEADER: (
        "Changes any case, studies demand, capability and flow, records system changes."
    ),
    roles.ADMINISTRATOR: (
        "Configures services, demand types, retention, staff and roles in this admin site."
    ),
}


class _RoleField(forms.ChoiceField):
    def __init__(self):
        super().__init__(
            choices=[(role, f"{role}: {ROLE_HINTS[role]}") for role in roles.ROLES],
            widget=forms.RadioSelect,
            help_text="What this person does in CouncilFlow. Administrators can use this site.",
        )


class StaffCreationForm(AdminUserCreationForm):
    role = _RoleField()

    class Meta(AdminUserCreationForm.Meta):
        fields = ["username", "first_name", "last_name", "email"]


class StaffChangeForm(UserChangeForm):
    role = _RoleField()

    class Meta(UserChangeForm.Meta):
        fields = ["username", "first_name", "last_name", "email", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].initial = role_of(self.instance)


class CodeForm(GovukFormMixin, forms.Form):
    """A one-time code: six digits from an authenticator app, or a recovery code."""

    code = forms.CharField(
        label="Code",
        max_length=40,
        error_messages={"required": "Enter the code."},
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autocapitalize": "none",
                "spellcheck": "false",
                "class": "govuk-input--width-10",
            }
        ),
    )


class OwnPasswordChangeForm(GovukFormMixin, PasswordChangeForm):
    pass


class OwnPasswordResetForm(GovukFormMixin, PasswordResetForm):
    pass


class NewPasswordForm(GovukFormMixin, SetPasswordForm):
    pass
