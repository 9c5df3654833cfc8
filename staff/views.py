"""A member of staff's own account: two-factor sign-in (set up, verify, recovery codes) and their
password (change it, or reset it by email). Each change is audited on them."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from cases import audit
from cases.models import AuditEntry
from staff import two_factor
from staff.forms import CodeForm, NewPasswordForm, OwnPasswordChangeForm, OwnPasswordResetForm

CODES_TO_SHOW = "recovery_codes_to_show"


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return reverse("cases:mine")


def _to(url_name: str, next_url: str) -> HttpResponse:
    return redirect(f"{reverse(url_name)}?{urlencode({'next': next_url})}")


def account(request: HttpRequest) -> HttpResponse:
    user = request.user
    return render(
        request,
        "staff/account.html",
        {
            "authenticator": two_factor.authenticator(user),
            "required": two_factor.is_required(user),
            "codes_left": two_factor.recovery_codes_left(user),
            "sso": request.session.get(two_factor.SSO_SESSION_KEY, False),
            "has_password": user.has_usable_password(),
        },
    )


def two_factor_set_up(request: HttpRequest) -> HttpResponse:
    """Set up (or replace) the authenticator app. Before the second factor has been given in
    this session, only someone with no authenticator yet may set one up: otherwise a password
    alone could add a new one."""
    user = request.user
    if not user.is_verified() and two_factor.authenticator(user) is not None:
        return _to("staff:two_factor_verify", _next(request))
    device = two_factor.pending_authenticator(user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = two_factor.authenticator_confirm(user=user, token=form.cleaned_data["code"])
        except ValidationError as error:
            form.add_error("code", error)
        else:
            device.refresh_from_db()
            otp_login(request, device)
            request.session[CODES_TO_SHOW] = codes
            return _to("staff:recovery_codes_shown", _next(request))
    return render(
        request,
        "staff/two_factor_set_up.html",
        {
            "form": form,
            "qr_code": two_factor.qr_code_data_uri(device),
            "secret": two_factor.secret_for_typing(device),
            "required": two_factor.is_required(user),
            "replacing": two_factor.authenticator(user) is not None,
            "next": _next(request),
        },
    )


def two_factor_verify(request: HttpRequest) -> HttpResponse:
    user = request.user
    step = two_factor.step_needed(user)
    if user.is_verified() or step is None:
        return redirect(_next(request))
    if step == "set_up":
        return _to("staff:two_factor_set_up", _next(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = two_factor.verify(user=user, token=form.cleaned_data["code"])
        except ValidationError as error:
            form.add_error("code", error)
        else:
            otp_login(request, device)
            if device.persistent_id.startswith("otp_static"):
                left = two_factor.recovery_codes_left(user)
                messages.warning(
                    request,
                    f"You used a recovery code. You have {left} left: make new ones on "
                    "Your account if you are running out.",
                )
            return redirect(_next(request))
    return render(request, "staff/two_factor_verify.html", {"form": form, "next": _next(request)})


def recovery_codes_shown(request: HttpRequest) -> HttpResponse:
    """The recovery codes just made, shown once."""
    codes = request.session.pop(CODES_TO_SHOW, None)
    if not codes:
        return redirect("staff:account")
    return render(request, "staff/recovery_codes.html", {"codes": codes, "next": _next(request)})


@require_POST
def recovery_codes_new(request: HttpRequest) -> HttpResponse:
    request.session[CODES_TO_SHOW] = two_factor.recovery_codes_replace(user=request.user)
    return _to("staff:recovery_codes_shown", reverse("staff:account"))


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = OwnPasswordChangeForm
    template_name = "staff/password_change.html"
    success_url = reverse_lazy("staff:account")

    def form_valid(self, form):
        with transaction.atomic():
            form.save()
            audit.record_event(
                action=AuditEntry.Action.PASSWORD_CHANGED, by=form.user, obj=form.user
            )
        # Stay signed in here (the second factor too); other sessions end.
        update_session_auth_hash(self.request, form.user)
        messages.success(self.request, "Your password has been changed.")
        return redirect(self.success_url)


@login_not_required
def password_reset(request: HttpRequest) -> HttpResponse:
    return auth_views.PasswordResetView.as_view(
        form_class=OwnPasswordResetForm,
        template_name="staff/password_reset.html",
        email_template_name="staff/password_reset_email.txt",
        subject_template_name="staff/password_reset_subject.txt",
        success_url=reverse_lazy("staff:password_reset_sent"),
    )(request)


@login_not_required
def password_reset_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "staff/password_reset_sent.html")


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = NewPasswordForm
    template_name = "staff/password_reset_confirm.html"
    success_url = reverse_lazy("staff:password_reset_done")

    def form_valid(self, form):
        with transaction.atomic():
            response = super().form_valid(form)
            audit.record_event(action=AuditEntry.Action.PASSWORD_RESET, by=form.user, obj=form.user)
        return response


password_reset_confirm = login_not_required(PasswordResetConfirmView.as_view())


@login_not_required
def password_reset_done(request: HttpRequest) -> HttpResponse:
    return render(request, "staff/password_reset_done.html")
