from axes.apps import AppConfig as AxesConfig
from django.apps import AppConfig
from django.contrib.auth.apps import AuthConfig


class StaffConfig(AppConfig):
    name = "staff"
    verbose_name = "Staff, roles and sign-in"
    default = True  # this module holds the two configs below too


class StaffAndRolesConfig(AuthConfig):
    """django.contrib.auth, named in the admin for what it holds here."""

    verbose_name = "Staff and roles"


class SignInLogConfig(AxesConfig):
    """django-axes, named in the admin for what it holds here: the sign-in log."""

    verbose_name = "Sign-in log"
