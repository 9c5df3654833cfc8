"""Writes about members of staff that more than one way in shares (the admin's staff form and
single sign-on)."""

from django.contrib.auth.models import AbstractBaseUser, Group

from accounts import roles
from cases import audit
from cases.models import AuditEntry


def role_of(user: AbstractBaseUser) -> str:
    """The member of staff's role as stored (their group), "" for none."""
    if user.pk is None:
        return ""
    names = set(user.groups.values_list("name", flat=True))
    return next((role for role in roles.ROLES if role in names), "")


def uses_admin_site(user: AbstractBaseUser, role: str) -> bool:
    """Django's is_staff: administrators (and superusers) may use the admin site."""
    return role == roles.ADMINISTRATOR or user.is_superuser


def role_assign(
    *, user: AbstractBaseUser, role: str, was: str, by: AbstractBaseUser | None, actor_label=""
) -> None:
    """Give a saved member of staff their one role (its group, replacing any other), audited as
    the field "role", old -> new, in the caller's transaction."""
    if role == was:
        return
    user.groups.set([Group.objects.get(name=role)])
    audit.record_value_change(
        user,
        field="role",
        old=was,
        new=role,
        by=by,
        actor_label=actor_label,
        action=AuditEntry.Action.CHANGED if was else AuditEntry.Action.CREATED,
    )
