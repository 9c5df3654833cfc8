from django.urls import path

from staff import sso, views

app_name = "staff"
urlpatterns = [
    path("account/", views.account, name="account"),
    path("account/password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("account/two-factor/", views.two_factor_set_up, name="two_factor_set_up"),
    path("account/two-factor/verify/", views.two_factor_verify, name="two_factor_verify"),
    path(
        "account/two-factor/recovery-codes/",
        views.recovery_codes_shown,
        name="recovery_codes_shown",
    ),
    path(
        "account/two-factor/recovery-codes/new/",
        views.recovery_codes_new,
        name="recovery_codes_new",
    ),
    # Single sign-on with the council's identity provider (404 until it is configured).
    path("sso/start/", sso.start, name="sso_start"),
    path("sso/callback/", sso.callback, name="sso_callback"),
    path("password-reset/", views.password_reset, name="password_reset"),
    path("password-reset/sent/", views.password_reset_sent, name="password_reset_sent"),
    path(
        "password-reset/<uidb64>/<token>/",
        views.password_reset_confirm,
        name="password_reset_confirm",
    ),
    path("password-reset/done/", views.password_reset_done, name="password_reset_done"),
]
