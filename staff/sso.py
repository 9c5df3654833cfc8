"""Single sign-on with the council's own identity provider (OpenID Connect, through
mozilla-django-oidc), configured by environment (settings.OIDC_*). The provider's groups decide
the CouncilFlow role at every sign-in; a person in none of the configured groups is not let in.
A session signed in this way has had its second factor at the provider (it is the council's
policy there), so CouncilFlow's own two-factor step is not asked for.

Members of staff are matched by username (the provider's `preferred_username` claim, or the one
OIDC_USERNAME_CLAIM names), so someone who had a local account keeps their cases. Every account
created, and every name, email or role changed from the provider's claims, is audited with the
actor "single sign-on"."""

import logging

import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import SuspiciousOperation
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from accounts import roles
from cases import audit
from staff import two_factor
from staff.services import role_assign, role_of, uses_admin_site

logger = logging.getLogger(__name__)
ACTOR = "single sign-on"
# When someone is in the groups of more than one role, the first of these wins.
ROLE_PRECEDENCE = (roles.ADMINISTRATOR, roles.TEAM_LEADER, roles.FRONT_OFFICE)
# Claims copied onto the member of staff at every sign-in.
NAME_CLAIMS = {"first_name": "given_name", "last_name": "family_name", "email": "email"}


def is_enabled() -> bool:
    return bool(getattr(settings, "OIDC_RP_CLIENT_ID", ""))


def role_for(claims: dict) -> str | None:
    """The role the provider's groups give, or None."""
    groups = claims.get(settings.OIDC_GROUPS_CLAIM) or []
    if isinstance(groups, str):
        groups = [groups]
    have = {str(group) for group in groups}
    for role in ROLE_PRECEDENCE:
        if have & set(settings.OIDC_ROLE_GROUPS.get(role, ())):
            return role
    return None


def _username(claims: dict) -> str:
    return str(claims.get(settings.OIDC_USERNAME_CLAIM) or "").strip()[:150]


class CouncilOIDCBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc's backend, matching staff by username and setting their role from
    the provider's groups. Does nothing while single sign-on is not configured."""

    def __init__(self, *args, **kwargs):
        self.enabled = is_enabled()
        if self.enabled:
            super().__init__(*args, **kwargs)
        self.UserModel = get_user_model()

    def authenticate(self, request, **kwargs):
        if not self.enabled:
            return None
        return super().authenticate(request, **kwargs)

    def verify_claims(self, claims) -> bool:
        return bool(_username(claims)) and role_for(claims) is not None

    def filter_users_by_claims(self, claims):
        return self.UserModel.objects.filter(username=_username(claims))

    @transaction.atomic
    def create_user(self, claims):
        user = self.UserModel(username=_username(claims))
        for field, claim in NAME_CLAIMS.items():
            setattr(user, field, str(claims.get(claim) or "")[:150])
        user.set_unusable_password()
        user.save()
        audit.record_creation(user, by=None, actor_label=ACTOR)
        self._set_role(user, role_for(claims), was="")
        return user

    @transaction.atomic
    def update_user(self, user, claims):
        before = audit.snapshot(user)
        for field, claim in NAME_CLAIMS.items():
            if claims.get(claim):
                setattr(user, field, str(claims[claim])[:150])
        self._set_role(user, role_for(claims), was=role_of(user), before=before)
        return user

    def _set_role(self, user, role: str, *, was: str, before: dict | None = None) -> None:
        user.is_staff = uses_admin_site(user, role)
        user.save()
        if before is not None:
            audit.record_changes(user, before, by=None, actor_label=ACTOR)
        role_assign(user=user, role=role, was=was, by=None, actor_label=ACTOR)


class CallbackView(OIDCAuthenticationCallbackView):
    def get(self, request):
        """A provider that refuses the exchange (a wrong client secret, a clock far out, the
        provider down) is a failed sign-in, said so on the sign-in page, not a server error."""
        try:
            return super().get(request)
        except (requests.RequestException, SuspiciousOperation) as error:
            logger.warning("Single sign-on failed: %s", error)
            return self.login_failure()

    def login_success(self):
        response = super().login_success()
        self.request.session[two_factor.SSO_SESSION_KEY] = True
        return response


def _only_when_enabled(view):
    @login_not_required
    def wrapped(request: HttpRequest) -> HttpResponse:
        if not is_enabled():
            raise Http404("Single sign-on is not set up.")
        return view(request)

    return wrapped


start = _only_when_enabled(OIDCAuthenticationRequestView.as_view())
callback = _only_when_enabled(CallbackView.as_view())
