"""Writes about records: a subject access request's download is itself recorded."""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from cases import audit
from cases.models import AuditEntry, Citizen
from records.subject_access import citizen_record


@transaction.atomic
def citizen_export(*, citizen: Citizen, by: AbstractBaseUser) -> dict:
    """Everything held about a citizen, for a subject access request. The download is itself
    recorded in the audit trail, so it shows in the History of each of their cases."""
    record = citizen_record(citizen, generated_by=by)
    audit.record_event(
        action=AuditEntry.Action.DOWNLOADED,
        by=by,
        obj=citizen,
        description=(
            f"Everything held about citizen #{citizen.pk} downloaded "
            f"({len(record['cases'])} cases; subject access request)"
        ),
    )
    return record
