"""Writes to the improvement register."""

from datetime import date

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.utils import timezone

from cases.models import ServiceType
from improvement.models import SystemChange


def system_change_record(
    *,
    by: AbstractBaseUser,
    changed_on: date,
    service_type: ServiceType | None,
    description: str,
) -> SystemChange:
    """Note that the way the work is done changed: charts start a new phase there."""
    if changed_on > timezone.localdate():
        raise ValidationError(
            {"changed_on": "Record a change once the work is done the new way, not before."}
        )
    if not description.strip():
        raise ValidationError({"description": "Describe what changed in the way the work is done."})
    return SystemChange.objects.create(
        changed_on=changed_on, service_type=service_type, description=description, recorded_by=by
    )
