from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator

from lib.forms import GovukFormMixin


class SignInForm(GovukFormMixin, AuthenticationForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Django sets the username's max_length after building the field, so it is not
        # enforced; a longer name would reach the lock-out records' 255-character column.
        self.fields["username"].validators.append(MaxLengthValidator(150))

    error_messages = {
        "invalid_login": "Enter a correct username and password. Both are case-sensitive.",
        "inactive": "This account is not active. Ask an administrator to reactivate it.",
    }
