"""The tests' way in: a member of staff signed in as the sign-in page and the two-factor step
would leave them. For a role that needs a second factor, an authenticator is set up for them
and the session marked as verified with it, exactly as django_otp.login does after a right
code (the real step, code and all, is tested in tests/staff/)."""

from django.contrib.auth.models import AbstractBaseUser
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from staff import two_factor


def authenticator_for(user: AbstractBaseUser) -> TOTPDevice:
    return TOTPDevice.objects.get_or_create(
        user=user, name=two_factor.AUTHENTICATOR, defaults={"confirmed": True}
    )[0]


def sign_in(client: Client, user: AbstractBaseUser) -> Client:
    client.force_login(user)
    if two_factor.is_required(user):
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = authenticator_for(user).persistent_id
        session.save()
    return client
