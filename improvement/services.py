"""Writes to the improvement register. Each write and its audit entries (cases/audit.py) are
saved in one transaction, so the register's history never misses a correction."""

import re
from collections.abc import Iterable, Sequence
from datetime import date
from typing import TypeVar

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from cases import audit
from cases.models import WASTE_STEP_KINDS, ServiceType, TimelineEntry
from demand.models import Contact, DemandType, FailureCategory
from improvement.models import ConditionEvidence, SystemChange, SystemCondition, Withdrawable

# What a correction may put right: everything the team leader typed when recording it.
CORRECTED_FIELDS = (
    "changed_on",
    "service_type",
    "description",
    "purpose",
    "method",
    "expectation",
    "status",
)
CONDITION_FIELDS = ("title", "kind", "service_type", "description")
WITHDRAWAL_FIELDS = ("withdrawn_at", "withdrawn_by", "withdrawal_reason")

STALE_MESSAGE = "Someone else changed this {} since you opened this form, so nothing was saved."
WITHDRAWN_MESSAGE = "This {} has been withdrawn, so nothing was saved."
W = TypeVar("W", bound=Withdrawable)  # a system change or a system condition
# Words that turn what a team expects to see into a number to hit (docs/method.md §3).
TARGET_WORDS = re.compile(r"\b(targets?|KPIs?|SLAs?|RAG)\b", re.IGNORECASE)


def _in_words(kind: type[Model]) -> str:
    return str(kind._meta.verbose_name)


def system_change_check(
    *,
    changed_on: date,
    description: str,
    expectation: str = "",
    service_type: ServiceType | None = None,
    conditions: Sequence[SystemCondition] = (),
) -> None:
    """The rules a change is recorded by, and corrected by (here and in the admin)."""
    errors = {}
    if changed_on > timezone.localdate():
        errors["changed_on"] = "Record a change once the work is done the new way, not before."
    if not description.strip():
        errors["description"] = "Describe what changed in the way the work is done."
    if TARGET_WORDS.search(expectation):
        errors["expectation"] = (
            "Say in words what you expect to see in the work and the demand. CouncilFlow keeps "
            "no targets: the charts will show what the system does."
        )
    elsewhere = [
        c.title
        for c in conditions
        if service_type is not None and c.service_type_id not in (None, service_type.pk)
    ]
    if elsewhere:
        errors["conditions"] = (
            f"A change to {service_type} cannot address a condition of another service: "
            + "; ".join(elsewhere)
            + "."
        )
    if errors:
        raise ValidationError(errors)


def _linked_texts(obj: SystemChange | SystemCondition) -> dict[str, str]:
    """What a change or condition is linked to, as the audit trail writes it."""
    if isinstance(obj, SystemChange):
        return {"conditions": "; ".join(sorted(c.title for c in obj.conditions.all()))}
    return {
        "failure_categories": ", ".join(sorted(c.name for c in obj.failure_categories.all())),
        "demand_types": ", ".join(sorted(str(t) for t in obj.demand_types.all())),
        "waste_step_kinds": ", ".join(obj.waste_step_labels),
    }


def _record_links(obj, before: dict[str, str], after: dict[str, str], *, by, action) -> None:
    for name, old in before.items():
        audit.record_value_change(obj, field=name, old=old, new=after[name], by=by, action=action)


def _created(obj: SystemChange | SystemCondition, *, by: AbstractBaseUser) -> None:
    audit.record_creation(obj, by=by)
    linked = _linked_texts(obj)
    created = audit.AuditEntry.Action.CREATED
    _record_links(obj, dict.fromkeys(linked, ""), linked, by=by, action=created)


@transaction.atomic
def system_change_record(
    *,
    by: AbstractBaseUser,
    changed_on: date,
    service_type: ServiceType | None,
    description: str,
    purpose: str = "",
    method: str = "",
    expectation: str = "",
    status: str = SystemChange.Status.TRYING,
    conditions: Sequence[SystemCondition] = (),
) -> SystemChange:
    """Note that the way the work is done changed, addressing these conditions: charts start a
    new phase there, and "did it work?" reads the measures either side of it."""
    system_change_check(
        changed_on=changed_on,
        description=description,
        expectation=expectation,
        service_type=service_type,
        conditions=conditions,
    )
    change = SystemChange.objects.create(
        changed_on=changed_on,
        service_type=service_type,
        description=description,
        purpose=purpose,
        method=method,
        expectation=expectation,
        status=status,
        recorded_by=by,
    )
    change.conditions.set(conditions)
    _created(change, by=by)
    return change


def _lock(obj: W, expected_version: int | None) -> W:
    """Re-read a change or condition under a row lock; refuse a form shown before someone else
    changed it, and any change to one already withdrawn."""
    locked = type(obj).objects.select_for_update().get(pk=obj.pk)
    if expected_version is not None and expected_version != locked.version:
        raise ValidationError(STALE_MESSAGE.format(_in_words(type(obj))), code="stale")
    if locked.is_withdrawn:
        raise ValidationError(WITHDRAWN_MESSAGE.format(_in_words(type(obj))), code="withdrawn")
    return locked


def _save(obj: Withdrawable, before: dict, *, by: AbstractBaseUser) -> None:
    """Save the fields snapshotted in `before`, count a new version, audit each old and new."""
    obj.version += 1
    obj.save(update_fields=[*before, "version"])
    audit.record_changes(obj, before, by=by)


def _correct(
    locked: SystemChange | SystemCondition,
    fields: Sequence[str],
    values: dict,
    links: dict,
    *,
    by: AbstractBaseUser,
):
    """Set the fields and links a correction sent; if anything differs, save it as a new
    version and audit each field and link, old and new."""
    before = audit.snapshot(locked, fields)
    linked_before = _linked_texts(locked)
    for name, value in values.items():
        setattr(locked, name, value)
    for name, rows in links.items():
        getattr(locked, name).set(rows)
    linked_after = _linked_texts(locked)
    if audit.snapshot(locked, fields) == before and linked_after == linked_before:
        return  # the same as it was: nothing to do
    _save(locked, before, by=by)
    _record_links(
        locked, linked_before, linked_after, by=by, action=audit.AuditEntry.Action.CHANGED
    )


@transaction.atomic
def system_change_correct(
    *,
    change: SystemChange,
    by: AbstractBaseUser,
    changed_on: date,
    service_type: ServiceType | None,
    description: str,
    purpose: str = "",
    method: str = "",
    expectation: str = "",
    status: str = SystemChange.Status.TRYING,
    conditions: Sequence[SystemCondition] = (),
    expected_version: int | None = None,
) -> SystemChange:
    """Put right a change recorded with the wrong date, service, words or conditions, or say
    how it went (trying, adopted, abandoned), by the same rules as recording it. Each corrected
    field is audited, old and new. Any team leader may correct any change (the one who
    recorded it may have moved on); the audit says who did."""
    locked = _lock(change, expected_version)
    system_change_check(
        changed_on=changed_on,
        description=description,
        expectation=expectation,
        service_type=service_type,
        conditions=conditions,
    )
    _correct(
        locked,
        CORRECTED_FIELDS,
        {
            "changed_on": changed_on,
            "service_type": service_type,
            "description": description,
            "purpose": purpose,
            "method": method,
            "expectation": expectation,
            "status": status,
        },
        {"conditions": conditions},
        by=by,
    )
    return locked


def _withdraw(obj: W, *, by: AbstractBaseUser, reason: str, expected_version: int | None) -> W:
    locked = _lock(obj, expected_version)
    if not reason.strip():
        raise ValidationError(
            {"reason": f"Say why you are withdrawing this {_in_words(type(obj))}."}
        )
    before = audit.snapshot(locked, WITHDRAWAL_FIELDS)
    locked.withdrawn_at = timezone.now()
    locked.withdrawn_by = by
    locked.withdrawal_reason = reason.strip()
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
    return _withdraw(change, by=by, reason=reason, expected_version=expected_version)


# --- System conditions and their evidence -------------------------------------------------


def system_condition_check(
    *,
    title: str,
    service_type: ServiceType | None,
    demand_types: Sequence[DemandType] = (),
    waste_step_kinds: Sequence[str] = (),
) -> None:
    """The rules a condition is recorded and corrected by."""
    errors = {}
    if not title.strip():
        errors["title"] = "Say in plain words what in the work causes the failure demand."
    elsewhere = [
        str(t)
        for t in demand_types
        if service_type is not None and t.service_type_id != service_type.pk
    ]
    if elsewhere:
        errors["demand_types"] = (
            f"These are requests to another service than {service_type}: {'; '.join(elsewhere)}."
        )
    unknown = [kind for kind in waste_step_kinds if kind not in WASTE_STEP_KINDS]
    if unknown:
        errors["waste_step_kinds"] = "Choose kinds of waste step from the list."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def system_condition_record(
    *,
    by: AbstractBaseUser,
    title: str,
    kind: str,
    service_type: ServiceType | None,
    description: str = "",
    failure_categories: Sequence[FailureCategory] = (),
    demand_types: Sequence[DemandType] = (),
    waste_step_kinds: Sequence[str] = (),
    evidence: Iterable[Contact] = (),
) -> SystemCondition:
    """Record something in the design or management of the work that causes failure demand,
    with its evidence: kinds of failure demand, requests, waste steps and contacts (a note
    grouped on the Pareto brings the contacts it was written on)."""
    system_condition_check(
        title=title,
        service_type=service_type,
        demand_types=demand_types,
        waste_step_kinds=waste_step_kinds,
    )
    condition = SystemCondition.objects.create(
        title=title.strip(),
        kind=kind,
        service_type=service_type,
        description=description,
        waste_step_kinds=_in_step_order(waste_step_kinds),
        recorded_by=by,
    )
    condition.failure_categories.set(failure_categories)
    condition.demand_types.set(demand_types)
    with audit.batched():
        _created(condition, by=by)
        evidence_mark_many(condition=condition, contacts=evidence, by=by)
    return condition


def _in_step_order(kinds: Iterable[str]) -> list[str]:
    chosen = set(kinds)
    return [kind for kind in TimelineEntry.StepKind.values if kind in chosen]


@transaction.atomic
def system_condition_correct(
    *,
    condition: SystemCondition,
    by: AbstractBaseUser,
    title: str,
    kind: str,
    service_type: ServiceType | None,
    description: str = "",
    failure_categories: Sequence[FailureCategory] = (),
    demand_types: Sequence[DemandType] = (),
    waste_step_kinds: Sequence[str] = (),
    expected_version: int | None = None,
) -> SystemCondition:
    """Put right or add to what a condition says and links to, by the rules it was recorded
    by; each field and link audited, old and new. Its marked contacts stay marked."""
    locked = _lock(condition, expected_version)
    system_condition_check(
        title=title,
        service_type=service_type,
        demand_types=demand_types,
        waste_step_kinds=waste_step_kinds,
    )
    _correct(
        locked,
        (*CONDITION_FIELDS, "waste_step_kinds"),
        {
            "title": title.strip(),
            "kind": kind,
            "service_type": service_type,
            "description": description,
            "waste_step_kinds": _in_step_order(waste_step_kinds),
        },
        {"failure_categories": failure_categories, "demand_types": demand_types},
        by=by,
    )
    return locked


@transaction.atomic
def system_condition_withdraw(
    *,
    condition: SystemCondition,
    by: AbstractBaseUser,
    reason: str,
    expected_version: int | None = None,
) -> SystemCondition:
    """Withdraw a condition recorded by mistake (or twice): it stays in the register, marked
    withdrawn with who, when and why. Changes that addressed it keep saying so."""
    return _withdraw(condition, by=by, reason=reason, expected_version=expected_version)


def _check_evidence(condition: SystemCondition, contact: Contact) -> None:
    if condition.is_withdrawn:
        raise ValidationError(
            "That system condition has been withdrawn, so nothing can be marked as its evidence."
        )
    if condition.service_type_id not in (None, contact.service_type_id):
        raise ValidationError(
            f"“{condition.title}” is about {condition.service_type}; this contact is about "
            "another service. Choose a condition of its service, or one for all services."
        )


def evidence_mark_many(
    *, condition: SystemCondition, contacts: Iterable[Contact], by: AbstractBaseUser
) -> list[ConditionEvidence]:
    """Mark contacts as evidence of a condition, each once (a contact already marked is left
    as it is), each mark audited on the contact's case. Call inside a transaction."""
    already = set(
        ConditionEvidence.objects.filter(condition=condition, removed_at__isnull=True).values_list(
            "contact_id", flat=True
        )
    )
    marks = []
    for contact in contacts:
        _check_evidence(condition, contact)
        if contact.pk in already:
            continue
        already.add(contact.pk)
        marks.append(ConditionEvidence(condition=condition, contact=contact, marked_by=by))
    ConditionEvidence.objects.bulk_create(marks)
    with audit.batched():
        for mark in marks:
            audit.record_changes(
                mark, {"condition_id": None}, by=by, action=audit.AuditEntry.Action.CREATED
            )
    return marks


@transaction.atomic
def evidence_mark(
    *, condition: SystemCondition, contact: Contact, by: AbstractBaseUser
) -> ConditionEvidence:
    """“This contact is evidence of …”: a mark, made once however often it is sent."""
    locked = SystemCondition.objects.select_for_update().get(pk=condition.pk)
    made = evidence_mark_many(condition=locked, contacts=[contact], by=by)
    if made:
        return made[0]
    return ConditionEvidence.objects.get(condition=locked, contact=contact, removed_at__isnull=True)


@transaction.atomic
def evidence_remove(*, evidence: ConditionEvidence, by: AbstractBaseUser) -> ConditionEvidence:
    """Take back a mark made by mistake: it stays, with who removed it and when, and its
    removal is audited. Removing a mark already removed changes nothing."""
    locked = (
        ConditionEvidence.objects.select_for_update().select_related("contact").get(pk=evidence.pk)
    )
    if locked.removed_at is not None:
        return locked
    before = audit.snapshot(locked, ("removed_at", "removed_by"))
    locked.removed_at = timezone.now()
    locked.removed_by = by
    locked.save(update_fields=["removed_at", "removed_by"])
    audit.record_changes(locked, before, by=by)
    return locked
