"""Two-factor sign-in enforced on every page: a signed-in person who has an authenticator must
enter its code before anything else, and one whose role requires it must set it up first."""

from collections.abc import Callable
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from staff import two_factor

# Pages reachable before the second factor: the two-factor pages themselves, signing out, and
# the load balancer's health check.
BEFORE_SECOND_FACTOR = {
    "staff:two_factor_verify",
    "staff:two_factor_set_up",
    "staff:recovery_codes_shown",
    "logout",
    "admin:logout",
    "health",
}


class TwoFactorMiddleware:
    """After django-otp's OTPMiddleware, which tells whether this session's second factor was
    given (`request.user.is_verified()`)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        if request.session.get(two_factor.SSO_SESSION_KEY):
            return None  # the council's identity provider asked for the second factor
        step = two_factor.step_needed(user)
        if step is None:
            return None
        # The menu shows only "Sign out" until the step is done (its other pages would only
        # send the person back here).
        request.second_factor_pending = True
        if request.resolver_match and request.resolver_match.view_name in BEFORE_SECOND_FACTOR:
            return None
        url = reverse("staff:two_factor_verify" if step == "verify" else "staff:two_factor_set_up")
        return HttpResponseRedirect(f"{url}?{urlencode({'next': request.get_full_path()})}")
