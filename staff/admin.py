"""The admin site's pages for staff, their roles and the sign-in log. Every change is audited
(cases.admin.AuditedAdmin); roles and the sign-in log can be read but never deleted."""

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.shortcuts import redirect
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from cases import audit
from cases.admin import AuditedAdmin, ReadOnlyAdmin
from cases.models import AuditEntry
from staff import two_factor
from staff.forms import StaffChangeForm, StaffCreationForm
from staff.services import role_assign, role_of, uses_admin_site

User = get_user_model()
admin.site.unregister(User)
admin.site.unregister(Group)
# An authenticator's secret key is never shown to anyone but its owner, at set-up: the devices
# are not in the admin. "Reset two-factor sign-in" on the staff list removes them instead.
admin.site.unregister(TOTPDevice)
admin.site.unregister(StaticDevice)


def _own_password_change(request, extra_context=None):
    """The admin's own "Change password" goes to the app's page, which audits it."""
    return redirect("staff:password_change")


admin.site.password_change = _own_password_change


def _locked() -> Exists:
    """The member of staff's username is locked out from at least one address right now."""
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    return Exists(
        AccessAttempt.objects.filter(
            username=OuterRef("username"),
            failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
            attempt_time__gte=since,
        )
    )


def _unlock(*, username: str, by) -> int:
    """Clear every failed attempt of this username, from every address, and audit it on the
    member of staff (or on the attempts, for a username nobody has)."""
    attempts = list(AccessAttempt.objects.filter(username=username))
    if not attempts:
        return 0
    addresses = ", ".join(sorted({str(a.ip_address) for a in attempts if a.ip_address}))
    user = User.objects.filter(username=username).first()
    axes_reset(username=username)
    audit.record_event(
        action=AuditEntry.Action.UNLOCKED,
        by=by,
        obj=user or attempts[0],
        description=f"{username}: failed sign-ins cleared (from {addresses or 'no address'})",
    )
    return len(attempts)


@admin.register(User)
class StaffAdmin(AuditedAdmin, UserAdmin):
    """Staff and their roles. People who leave are made inactive, never deleted: their name
    stays on the cases and contacts they handled. A role is chosen in one step; raw permissions
    and groups are not offered."""

    form = StaffChangeForm
    add_form = StaffCreationForm
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Name and email", {"fields": ("first_name", "last_name", "email")}),
        ("Role", {"fields": ("role", "is_active")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "username",
                    "first_name",
                    "last_name",
                    "email",
                    "role",
                    "usable_password",
                    "password1",
                    "password2",
                ),
            },
        ),
    )
    readonly_fields = ["last_login", "date_joined"]
    filter_horizontal = ()
    list_display = [
        "username",
        "first_name",
        "last_name",
        "roles",
        "is_active",
        "has_two_factor",
        "sign_in",
        "last_login",
    ]
    list_filter = ["groups", "is_active"]
    search_fields = ["username", "first_name", "last_name", "email"]
    actions = ["unlock_sign_in", "reset_two_factor"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related("groups")
            .annotate(
                locked=_locked(),
                authenticator=Exists(
                    TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
                ),
            )
        )

    @admin.display(description="Two-factor", boolean=True)
    def has_two_factor(self, user) -> bool:
        return getattr(user, "authenticator", False)

    @admin.display(description="Roles")
    def roles(self, user) -> str:
        return ", ".join(group.name for group in user.groups.all())

    @admin.display(description="Sign-in", boolean=False)
    def sign_in(self, user) -> str:
        return "Locked out" if getattr(user, "locked", False) else ""

    def save_model(self, request, obj, form, change) -> None:
        role = form.cleaned_data["role"]
        before = role_of(obj) if change else ""
        obj.is_staff = uses_admin_site(obj, role)
        super().save_model(request, obj, form, change)
        role_assign(user=obj, role=role, was=before, by=request.user)

    def user_change_password(self, request, id, form_url=""):
        """Setting someone's password is audited (never the password itself)."""
        with transaction.atomic():
            response = super().user_change_password(request, id, form_url)
            if request.method == "POST" and response.status_code == 302:
                audit.record_event(
                    action=AuditEntry.Action.PASSWORD_SET,
                    by=request.user,
                    obj=User.objects.get(pk=id),
                )
        return response

    @admin.action(description="Unlock sign-in for the selected staff", permissions=["change"])
    def unlock_sign_in(self, request, queryset) -> None:
        with transaction.atomic():
            unlocked = [
                user for user in queryset if _unlock(username=user.username, by=request.user)
            ]
        if unlocked:
            names = ", ".join(user.username for user in unlocked)
            self.message_user(request, f"Sign-in unlocked for {names}.", messages.SUCCESS)
        else:
            self.message_user(request, "None of them was locked out.", messages.INFO)

    @admin.action(
        description="Reset two-factor sign-in (they set it up again at their next sign-in)",
        permissions=["change"],
    )
    def reset_two_factor(self, request, queryset) -> None:
        reset = [
            user.username
            for user in queryset
            if two_factor.two_factor_reset(user=user, by=request.user)
        ]
        if reset:
            self.message_user(
                request, f"Two-factor sign-in reset for {', '.join(reset)}.", messages.SUCCESS
            )
        else:
            self.message_user(request, "None of them had two-factor sign-in.", messages.INFO)


@admin.register(Group)
class RoleAdmin(ReadOnlyAdmin):
    """The three roles and what each may do, as CouncilFlow defines them (accounts/roles.py and
    the migrations that grant them): shown, never renamed, changed or deleted here, because the
    code checks them by name."""

    list_display = ["name", "members"]
    fields = ["name", "permissions"]
    readonly_fields = ["name", "permissions"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("permissions")

    @admin.display(description="Members")
    def members(self, group) -> int:
        return group.user_set.count()


class SignInRecordAdmin(ReadOnlyAdmin):
    """Read only, never deleted, in the admin."""

    date_hierarchy = "attempt_time"
    search_fields = ["username", "ip_address", "user_agent"]
    list_filter = ["attempt_time"]


@admin.register(AccessLog)
class SignInLogAdmin(SignInRecordAdmin):
    list_display = ["attempt_time", "username", "ip_address", "logout_time", "user_agent"]


@admin.register(AccessFailureLog)
class FailedSignInAdmin(SignInRecordAdmin):
    list_display = ["attempt_time", "username", "ip_address", "locked_out", "user_agent"]


@admin.register(AccessAttempt)
class LockOutAdmin(SignInRecordAdmin):
    """Failed sign-ins counting towards a lock-out, per username and address. "Unlock sign-in"
    clears them (audited); nothing here can be deleted otherwise."""

    list_display = [
        "attempt_time",
        "username",
        "ip_address",
        "failures_since_start",
        "is_locked_out",
    ]
    fields = ["username", "ip_address", "failures_since_start", "attempt_time", "user_agent"]
    readonly_fields = fields
    actions = ["unlock_sign_in"]

    @admin.display(description="Locked out", boolean=True)
    def is_locked_out(self, attempt) -> bool:
        return attempt.failures_since_start >= settings.AXES_FAILURE_LIMIT and (
            attempt.attempt_time >= timezone.now() - settings.AXES_COOLOFF_TIME
        )

    def has_unlock_permission(self, request) -> bool:
        return request.user.has_perm("auth.change_user")

    @admin.action(description="Unlock sign-in for these usernames", permissions=["unlock"])
    def unlock_sign_in(self, request, queryset) -> None:
        with transaction.atomic():
            usernames = sorted({attempt.username for attempt in queryset if attempt.username})
            for username in usernames:
                _unlock(username=username, by=request.user)
        self.message_user(
            request, f"Sign-in unlocked for {', '.join(usernames)}.", messages.SUCCESS
        )
