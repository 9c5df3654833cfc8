"""Writes to the improvement register. Each write and its audit entries (cases/audit.py) are
saved in one transaction, so the register's history never misses a correction."""

from datetime import date

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cases import audit
from cases.models import ServiceType
from improvement.models import SystemChange

# What a correction may put right: everything the team leader typed when recording it.
CORRECTED_FIELDS = ("changed_on", "service_type", "description")
WITHDRAWAL_FIELDS = ("withdrawn_at", "withdrawn_by", "withdrawal_reason")

STALE_MESSAGE = (
    "Someone else changed this system change since you opened this form, so nothing was saved."
)
WITHDRAWN_MESSAGE = "This system change has been withdrawn, so nothing was saved."


def system_change_check(*, changed_on: date, description: str) -> None:
    """The rules a change is recorded by, and corrected by (here and in the admin)."""
    errors = {}
    if changed_on > timezone.localdate():
        errors["changed_on"] = "Record a change once the work is done the new way, not before."
    if not description.strip():
        errors["description"] = "Describe what changed in the way the work is done."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def system_change_record(
    *,
    by: AbstractBaseUser,
    changed_on: date,
    service_type: ServiceType | None,
    description: str,
) -> SystemChange:
    """Note that the way the work is done changed: charts start a new phase there."""
    system_change_check(changed_on=changed_on, description=description)
    change = SystemChange.objects.create(
        changed_on=changed_on, service_type=service_type, description=description, recorded_by=by
    )
    audit.record_creation(change, by=by)
    return change


def _lock(change: SystemChange, expected_version: int | None) -> SystemChange:
    """Re-read the change under a row lock; refuse a form shown before someone else changed it,
    and any change to one already withdrawn."""
    locked = SystemChange.objects.select_for_update().get(pk=change.pk)
    if expected_version is not None and expected_version != locked.version:
        raise ValidationError(STALE_MESSAGE, code="stale")
    if locked.is_withdrawn:
        raise ValidationError(WITHDRAWN_MESSAGE, code="withdrawn")
    return locked


def _save(change: SystemChange, before: dict, *, by: AbstractBaseUser) -> None:
    """Save the fields snapshotted in `before`, count a new version, audit each old and new."""
    change.version += 1
    change.save(update_fields=[*before, "version"])
    audit.record_changes(change, before, by=by)


@transaction.atomic
def system_change_correct(
    *,
    change: SystemChange,
    by: AbstractBaseUser,
    changed_on: date,
    service_type: ServiceType | None,
    description: str,
    expected_version: int | None = None,
) -> SystemChange:
    """Put right a change recorded with the wrong date, service or words, by the same rules as
    recording it. Each corrected field is audited, old and new. Any team leader may correct
    any change (the one who recorded it may have moved on); the audit says who did."""
    locked = _lock(change, expected_version)
    system_change_check(changed_on=changed_on, description=description)
    before = audit.snapshot(locked, CORRECTED_FIELDS)
    locked.changed_on, locked.service_type, locked.description = (
        changed_on,
        service_type,
        description,
    )
    if audit.snapshot(locked, CORRECTED_FIELDS) != before:  # the same as it was: nothing to do
        _save(locked, before, by=by)
    return locked


@transaction.atomic
def system_change_withdraw(
    *,
    change: SystemChange,
    by: AbstractBaseUser,
    reason: str,
    expected_version: int | None = None,
) -> SystemChange:
    """Withdraw a change recorded by mistake: it stays in the register, marked withdrawn with
    who, when and why, and no chart starts a phase at it any more. Never deleted."""
    locked = _lock(change, expected_version)
    if not reason.strip():
        raise ValidationError({"reason": "Say why you are withdrawing this change."})
    before = audit.snapshot(locked, WITHDRAWAL_FIELDS)
    locked.withdrawn_at = timezone.now()
    locked.withdrawn_by = by
    locked.withdrawal_reason = reason.strip()
    _save(locked, before, by=by)
    return locked
