from django.conf import settings
from django.contrib.auth import views as auth_views

from accounts.forms import SignInForm


class SignInView(auth_views.LoginView):
    """The sign-in page: a local account's username and password, and, when the council has set
    up single sign-on (staff/sso.py), a button to sign in with its own identity provider."""

    template_name = "registration/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            sso_enabled=bool(settings.OIDC_RP_CLIENT_ID),
            sso_name=settings.OIDC_PROVIDER_NAME,
            sso_refused=self.request.GET.get("sso") == "refused",
            **kwargs,
        )
