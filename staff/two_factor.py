"""Two-factor sign-in for local accounts: a time-based one-time password from an authenticator
app (django-otp's TOTP device) and single-use recovery codes (its static device). Required for
the roles in accounts.roles.TWO_FACTOR_ROLES, optional for everyone else; a session signed in
through the council's own identity provider (single sign-on) has had its second factor there.

Every write here is audited on the member of staff, in its own transaction."""

import base64
import math
import time

import segno
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django_otp import verify_token as otp_verify_token
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import roles
from cases import audit
from cases.models import AuditEntry

RECOVERY_CODE_COUNT = 10
AUTHENTICATOR = "Authenticator app"
RECOVERY = "Recovery codes"
# The session of someone who signed in through single sign-on (staff/sso.py).
SSO_SESSION_KEY = "signed_in_with_sso"


def is_required(user: AbstractBaseUser) -> bool:
    return user.is_superuser or user.groups.filter(name__in=roles.TWO_FACTOR_ROLES).exists()


def authenticator(user: AbstractBaseUser) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def step_needed(user: AbstractBaseUser) -> str | None:
    """What a signed-in but not yet verified person must do first: "verify" with the factor
    they have, "set_up" the one their role requires, or nothing."""
    if authenticator(user) is not None:
        return "verify"
    if is_required(user):
        return "set_up"
    return None


def pending_authenticator(user: AbstractBaseUser) -> TOTPDevice:
    """The authenticator being set up: unconfirmed until a code from it is typed. The same one
    is shown again on a reload, so a QR code already scanned stays valid."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False, name=AUTHENTICATOR).first()
    return device or TOTPDevice.objects.create(user=user, name=AUTHENTICATOR, confirmed=False)


def secret_for_typing(device: TOTPDevice) -> str:
    """The key as an app asks for it when the QR code cannot be scanned: base32, in fours."""
    key = base64.b32encode(device.bin_key).decode()
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def qr_code_data_uri(device: TOTPDevice) -> str:
    """The app's set-up link as a QR code, an SVG image in a data: URI (no inline script or
    style: the Content-Security-Policy allows images from data:)."""
    return segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2)


def _clean(token: str) -> str:
    return "".join(token.split()).lower().replace("-", "")


@transaction.atomic
def authenticator_confirm(*, user: AbstractBaseUser, token: str) -> list[str]:
    """Confirm the pending authenticator with a code from it; the old one (if any) is replaced
    and a new set of recovery codes made. Returns the recovery codes, to show once."""
    device = (
        TOTPDevice.objects.select_for_update()
        .filter(user=user, confirmed=False, name=AUTHENTICATOR)
        .first()
    )
    if device is None:
        raise ValidationError("Start setting up again: scan the new QR code.")
    if not device.verify_token(_clean(token)):
        raise ValidationError(
            "That code is not right. Enter the 6-digit code your app shows now for CouncilFlow."
        )
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save()
    audit.record_event(action=AuditEntry.Action.TWO_FACTOR_ADDED, by=user, obj=user)
    return _new_recovery_codes(user)


def _new_recovery_codes(user: AbstractBaseUser) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@transaction.atomic
def recovery_codes_replace(*, user: AbstractBaseUser) -> list[str]:
    """A new set of recovery codes; the old ones stop working."""
    codes = _new_recovery_codes(user)
    audit.record_event(action=AuditEntry.Action.RECOVERY_CODES, by=user, obj=user)
    return codes


def recovery_codes_left(user: AbstractBaseUser) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def verify(*, user: AbstractBaseUser, token: str):
    """The device that accepts this code (the app's, or a recovery code, which is then used up),
    or a ValidationError saying what is wrong. Wrong codes slow further tries down (django-otp's
    throttling doubles the wait after each)."""
    token = _clean(token)
    if not token:
        raise ValidationError("Enter the code from your authenticator app, or a recovery code.")
    # Six digits are the app's code, anything else a recovery code: only that kind of device
    # is asked, so a recovery code never counts as a wrong code from the app (and slows it).
    if token.isdigit():
        devices = list(TOTPDevice.objects.filter(user=user, confirmed=True))
    else:
        devices = list(StaticDevice.objects.filter(user=user, confirmed=True))
    for device in devices:
        allowed, details = device.verify_is_allowed()
        if not allowed:
            until = (details or {}).get("locked_until") or timezone.now()
            seconds = max(1, math.ceil((until - timezone.now()).total_seconds()))
            raise ValidationError(f"Too many wrong codes. Wait {seconds} seconds, then try again.")
    for device in devices:
        verified = otp_verify_token(user, device.persistent_id, token)
        if verified is not None:
            return verified
    raise ValidationError("That code is not right. Check the code in your app and try again.")


@transaction.atomic
def two_factor_reset(*, user: AbstractBaseUser, by: AbstractBaseUser) -> bool:
    """An administrator removes someone's authenticator and recovery codes (a lost phone): they
    set two-factor sign-in up again at their next sign-in."""
    removed = TOTPDevice.objects.filter(user=user).delete()[0]
    removed += StaticDevice.objects.filter(user=user).delete()[0]
    if removed:
        audit.record_event(action=AuditEntry.Action.TWO_FACTOR_RESET, by=by, obj=user)
    return bool(removed)


def current_code(device: TOTPDevice, *, at: float | None = None) -> str:
    """The code an app would show now (for the demo's printed instructions and the tests)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() if at is None else at
    if device.last_t is not None and totp.t() <= device.last_t:
        # A code is accepted once: the next one (django-otp accepts one step ahead).
        totp.time = device.t0 + (device.last_t + 1) * device.step
    return f"{totp.token():0{device.digits}d}"
