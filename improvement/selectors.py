"""Reads of the improvement register."""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Q, QuerySet

from cases.models import AuditEntry
from improvement.models import SystemChange

# What a change's history shows, in the register's words. (The audit trail also holds who
# recorded it and who withdrew it when: the history's "who" and "when" say that already.)
HISTORY_FIELDS = {
    "changed_on": "Date",
    "service_type": "Service",
    "description": "What changed",
    "withdrawal_reason": "Reason",
}
# cases/audit.py names a row with its id: "Housing repairs (#3)".
AUDITED_ID = re.compile(r" \(#[0-9]+\)$")


def system_changes_for(service_type_ids: Sequence[int] = ()) -> list[SystemChange]:
    """System changes that start a new phase on a chart of these services: those of the
    services, and those that apply to every service. A chart of all services splits only at
    changes to all services: one service's redesign is not a change to the whole system.
    A withdrawn change starts no phase."""
    changes = SystemChange.objects.select_related("service_type").order_by("changed_on", "pk")
    return list(
        changes.filter(withdrawn_at__isnull=True).filter(
            Q(service_type__isnull=True) | Q(service_type_id__in=service_type_ids)
        )
    )


def system_changes_newest_first() -> QuerySet[SystemChange]:
    """The register: every change, withdrawn ones too."""
    return SystemChange.objects.select_related(
        "service_type", "recorded_by", "withdrawn_by"
    ).order_by("-changed_on", "-pk")


@dataclass(frozen=True)
class HistoryLine:
    """One field of a change as someone recorded, corrected or withdrew it."""

    occurred_at: datetime
    who: str
    did: str  # "Recorded", "Corrected" or "Withdrew"
    what: str  # the field, in the register's words
    before: str
    after: str


def _did(entry: AuditEntry) -> str:
    if entry.action == AuditEntry.Action.CREATED:
        return "Recorded"
    return "Withdrew" if entry.field == "withdrawal_reason" else "Corrected"


def _who(entry: AuditEntry) -> str:
    if entry.actor is None:
        return entry.actor_label or "The system"
    return entry.actor.get_full_name() or entry.actor.username


def _readable(field: str, value: str) -> str:
    """A value as the register shows it: a date in words, a service by its name alone (the
    audit trail adds its id), no service as all services."""
    if field == "changed_on" and value:
        day = date.fromisoformat(value)
        return f"{day.day} {day:%B %Y}"
    if field == "service_type":
        return AUDITED_ID.sub("", value) or "All services"
    return value


def _before(entry: AuditEntry) -> str:
    if entry.action == AuditEntry.Action.CREATED:
        return ""
    return _readable(entry.field, entry.old_value)


def system_change_history(
    change: SystemChange, *, since: datetime | None = None
) -> list[HistoryLine]:
    """Who recorded, corrected and withdrew the change, when, and each value before and after,
    newest first (since a moment, if given). Read from the audit trail."""
    entries = AuditEntry.objects.filter(
        object_type=SystemChange._meta.model_name,
        object_id=change.pk,
        field__in=HISTORY_FIELDS,
    ).select_related("actor")
    if since is not None:
        entries = entries.filter(occurred_at__gte=since)
    return [
        HistoryLine(
            occurred_at=entry.occurred_at,
            who=_who(entry),
            did=_did(entry),
            what=HISTORY_FIELDS[entry.field],
            before=_before(entry),
            after=_readable(entry.field, entry.new_value),
        )
        for entry in entries.order_by("-occurred_at", "-pk")
    ]
