"""Signing in and out. Not namespaced: Django's LOGIN_URL and the admin know them as "login"
and "logout"."""

from django.contrib.auth import views as auth_views
from django.urls import path

from accounts.forms import SignInForm

urlpatterns = [
    path(
        "sign-in/",
        auth_views.LoginView.as_view(
            template_name="registration/login.html",
            authentication_form=SignInForm,
            redirect_authenticated_user=True,
        ),
        name="login",
    ),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
]
