"""Reads of the improvement register."""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from cases.models import AuditEntry
from demand.models import Contact
from improvement.models import ConditionEvidence, SystemChange, SystemCondition

# What a change's or a condition's history shows, in the register's words. (The audit trail
# also holds who recorded it and who withdrew it when: the history's "who" and "when" say that.)
HISTORY_FIELDS = {
    "systemchange": {
        "changed_on": "Date",
        "service_type": "Service",
        "description": "What changed",
        "purpose": "Purpose",
        "method": "How",
        "expectation": "What we expect to see",
        "status": "Status",
        "conditions": "Conditions it addresses",
        "withdrawal_reason": "Reason",
    },
    "systemcondition": {
        "title": "Condition",
        "kind": "Kind",
        "service_type": "Service",
        "description": "Description",
        "failure_categories": "Kinds of failure demand",
        "demand_types": "Requests",
        "waste_step_kinds": "Kinds of waste step",
        "withdrawal_reason": "Reason",
    },
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
    """The register: every change, withdrawn ones too, with the conditions each addresses."""
    return (
        SystemChange.objects.select_related("service_type", "recorded_by", "withdrawn_by")
        .prefetch_related(
            Prefetch("conditions", queryset=SystemCondition.objects.order_by("title"))
        )
        .order_by("-changed_on", "-pk")
    )


def next_change_after(change: SystemChange) -> SystemChange | None:
    """The next change that starts a phase on the same chart as this one (of its service, or
    of all services), if any: it ends this change's "after"."""
    later = system_changes_for([change.service_type_id] if change.service_type_id else [])
    return next((c for c in later if (c.changed_on, c.pk) > (change.changed_on, change.pk)), None)


def previous_change_before(change: SystemChange) -> SystemChange | None:
    """The change before this one on the same chart, if any: it starts this change's
    baseline."""
    earlier = system_changes_for([change.service_type_id] if change.service_type_id else [])
    before = [c for c in earlier if (c.changed_on, c.pk) < (change.changed_on, change.pk)]
    return before[-1] if before else None


def system_conditions() -> QuerySet[SystemCondition]:
    """The register of conditions, withdrawn ones too, with what each links to."""
    return SystemCondition.objects.select_related(
        "service_type", "recorded_by", "withdrawn_by"
    ).prefetch_related("failure_categories", "demand_types__service_type")


def conditions_for_marking(contact: Contact) -> list[SystemCondition]:
    """The conditions a contact can be evidence of: its service's and the council-wide ones,
    not withdrawn."""
    return list(
        SystemCondition.objects.filter(withdrawn_at__isnull=True)
        .filter(Q(service_type__isnull=True) | Q(service_type_id=contact.service_type_id))
        .select_related("service_type")
        .order_by("title")
    )


def marks_on(contact: Contact) -> list[ConditionEvidence]:
    """The marks on a contact, current and removed, newest first."""
    return list(
        ConditionEvidence.objects.filter(contact=contact).select_related(
            "condition", "marked_by", "removed_by"
        )
    )


def evidence_of(condition: SystemCondition) -> QuerySet[ConditionEvidence]:
    """A condition's current marks, newest first, with their contacts and cases."""
    return ConditionEvidence.objects.filter(
        condition=condition, removed_at__isnull=True
    ).select_related("contact__case", "contact__failure_category", "marked_by")


def linked_failure_demand(conditions: Sequence[SystemCondition]) -> QuerySet[Contact]:
    """The failure demand linked to any of these conditions (docs/method.md §8): failure-demand
    contacts of a condition's kinds of failure demand, of its service if it has one, and about
    cases asking for its demand types if it names any; and the failure-demand contacts marked
    as its evidence. The conditions' links should be prefetched (system_conditions()): the
    filter is built without a query."""
    linked = Q(pk__in=[])
    for condition in conditions:
        linked |= linked_to(condition)
    return Contact.objects.filter(linked, demand=Contact.Demand.FAILURE)


def linked_to(condition: SystemCondition) -> Q:
    """The contacts linked to one condition (of failure demand, once filtered by it): of its
    kinds, service and requests, or marked as its evidence."""
    linked = Q(pk__in=[])
    categories = [c.pk for c in condition.failure_categories.all()]
    types = [t.pk for t in condition.demand_types.all()]
    if categories or types:
        part = Q()
        if categories:
            part &= Q(failure_category__in=categories)
        if types:
            asking = Contact.objects.filter(case=OuterRef("case"), demand_type__in=types)
            part &= Q(Exists(asking))
        if condition.service_type_id:
            part &= Q(service_type_id=condition.service_type_id)
        linked |= part
    marked = ConditionEvidence.objects.filter(condition=condition, removed_at__isnull=True)
    return linked | Q(pk__in=marked.values("contact_id"))


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


def register_history(
    obj: SystemChange | SystemCondition, *, since: datetime | None = None
) -> list[HistoryLine]:
    """Who recorded, corrected and withdrew the change or condition, when, and each value
    before and after, newest first (since a moment, if given). Read from the audit trail."""
    fields = HISTORY_FIELDS[obj._meta.model_name]
    entries = AuditEntry.objects.filter(
        object_type=obj._meta.model_name,
        object_id=obj.pk,
        field__in=fields,
    ).select_related("actor")
    if since is not None:
        entries = entries.filter(occurred_at__gte=since)
    return [
        HistoryLine(
            occurred_at=entry.occurred_at,
            who=_who(entry),
            did=_did(entry),
            what=fields[entry.field],
            before=_before(entry),
            after=_readable(entry.field, entry.new_value),
        )
        for entry in entries.order_by("-occurred_at", "-pk")
    ]
