"""Retention: once a closed case is older than its service's retention period, the citizen's
personal data and words go, and what the statistics need stays (dates, service, owner, channel,
classification, one-stop, the kinds of steps). `manage.py apply_retention` runs it.

A case's expiry (closed_at + its service's retention_days) is not computed in the database:
SQLite cannot multiply an integer by an interval. Each service's cutoff (now - its retention) is
computed here instead, and the cases found with one query of (service, closed_at < cutoff) pairs,
which is what the (service_type, closed_at) index serves.

What is removed is what each model declares personal (lib.personal.PersonalData): a case's own
fields, those of every model whose data belong to a case (contacts, timeline entries, ...), the
audit trail's copies of any of these, and a citizen's details once none of their cases is kept.
A model added later with a declaration is covered without a change here."""

import operator
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import reduce

from django.apps import apps
from django.db import models, transaction
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Value

from cases.models import AuditEntry, Case, Citizen, ServiceType
from lib.personal import PLACEHOLDER, PersonalData

ACTOR_LABEL = "apply_retention"
BATCH_SIZE = 500


def held_with_cases() -> Iterator[tuple[type[models.Model], PersonalData]]:
    """Every model whose personal data belong to a case, with its declaration."""
    for model in apps.get_models():
        declared = getattr(model, "personal_data", None)
        if isinstance(declared, PersonalData) and declared.belongs_to == "case":
            yield model, declared


def _removed(declared: PersonalData) -> dict[str, models.Expression]:
    """The update that removes a model's personal data: words replaced, details emptied."""
    return {
        **{name: _placeholder_if_set(name) for name in declared.replaced},
        **{name: Value("") for name in declared.erased},
    }


def _audited(model: type[models.Model], declared: PersonalData) -> Q:
    """The audit trail's entries that copy a personal field of this model."""
    return Q(object_type=model._meta.model_name, field__in=declared.fields)


def _cutoff(now: datetime, days: int) -> datetime:
    try:
        return now - timedelta(days=days)
    except OverflowError:  # a period reaching before year 1: nothing can be past it
        return datetime.min.replace(tzinfo=now.tzinfo)


def _past_retention(now: datetime) -> Q | None:
    """Closed cases whose service's retention period after closure has ended; None: no service."""
    per_service = [
        Q(service_type_id=pk, closed_at__lt=_cutoff(now, days))
        for pk, days in ServiceType.objects.values_list("pk", "retention_days")
    ]
    if not per_service:
        return None
    return Q(status=Case.Status.CLOSED, closed_at__isnull=False) & reduce(operator.or_, per_service)


def cases_past_retention(*, now: datetime) -> QuerySet[Case]:
    """Cases whose personal data must now be removed, oldest closure first."""
    past = _past_retention(now)
    if past is None:
        return Case.objects.none()
    return Case.objects.filter(past, anonymised_at__isnull=True).order_by("closed_at", "pk")


@dataclass(frozen=True)
class ServiceDue:
    service: ServiceType
    cases: int
    closed_before: datetime


@dataclass(frozen=True)
class RetentionPreview:
    services: list[ServiceDue]
    citizens: int

    @property
    def cases(self) -> int:
        return sum(due.cases for due in self.services)


def retention_preview(*, now: datetime) -> RetentionPreview:
    """What a run would anonymise now, per service, without changing anything. A citizen is
    counted when every one of their cases is past retention or already anonymised."""
    due = cases_past_retention(now=now)
    counts = dict(due.order_by().values_list("service_type").annotate(count=Count("pk")))
    services = [
        ServiceDue(
            service=service,
            cases=counts[service.pk],
            closed_before=_cutoff(now, service.retention_days),
        )
        for service in ServiceType.objects.filter(pk__in=counts).order_by("name")
    ]
    still_needed = Case.objects.filter(citizen=OuterRef("pk"), anonymised_at__isnull=True).exclude(
        pk__in=due.values("pk")
    )
    citizens = (
        Citizen.objects.filter(anonymised_at__isnull=True, pk__in=due.values("citizen_id"))
        .exclude(Exists(still_needed))
        .count()
    )
    return RetentionPreview(services=services, citizens=citizens)


@dataclass(frozen=True)
class Disposal:
    cases: int
    citizens: int


def _placeholder_if_set(field: str) -> models.Case:
    """The placeholder where something was written; empty stays empty, so that "nothing was
    recorded" and "it was removed" remain distinguishable."""
    return models.Case(models.When(**{field: ""}, then=Value("")), default=Value(PLACEHOLDER))


def _blank_audit_values(entries: QuerySet[AuditEntry]) -> None:
    entries.update(
        old_value=_placeholder_if_set("old_value"), new_value=_placeholder_if_set("new_value")
    )


@transaction.atomic
def case_anonymise_batch(*, case_ids: Sequence[int], now: datetime) -> Disposal:
    """Remove the personal data and citizens' words of these cases, those still past retention
    when locked, and of each citizen none of whose cases is still kept; log every disposal.

    Timeline and audit entries are append-only, and save()/delete() refuse to change them.
    queryset.update() goes round that on purpose: disposal at the end of the retention period
    (data protection's storage limitation) is the one change ever permitted to them, and it is
    itself recorded in the audit trail.
    """
    past = _past_retention(now)
    if past is None:
        return Disposal(cases=0, citizens=0)
    # Locked and checked again: a case reopened since it was selected keeps its data.
    cases = list(
        Case.objects.select_for_update(of=("self",))
        .filter(past, pk__in=case_ids, anonymised_at__isnull=True)
        .select_related("service_type")
        .order_by("pk")
    )
    if not cases:
        return Disposal(cases=0, citizens=0)
    ids = [case.pk for case in cases]
    audited = _audited(Case, Case.personal_data)
    for model, declared in held_with_cases():
        if declared.held:
            model._default_manager.filter(**{f"{declared.belongs_to}_id__in": ids}).update(
                **_removed(declared)
            )
        audited |= _audited(model, declared)
    _blank_audit_values(AuditEntry.objects.filter(audited, case_id__in=ids))
    Case.objects.filter(pk__in=ids).update(
        **_removed(Case.personal_data), anonymised_at=now, version=F("version") + 1
    )
    log = [
        AuditEntry(
            actor=None,
            actor_label=ACTOR_LABEL,
            action=AuditEntry.Action.ANONYMISED,
            object_type="case",
            object_id=case.pk,
            case_id=case.pk,
            new_value=(
                "Personal data and citizens' words removed: retention of "
                f"{case.service_type.retention_days} days after closure ended"
            ),
        )
        for case in cases
    ]
    citizen_ids = _citizens_no_longer_needed({case.citizen_id for case in cases} - {None})
    if citizen_ids:
        Citizen.objects.filter(pk__in=citizen_ids).update(
            **_removed(Citizen.personal_data), anonymised_at=now
        )
        _blank_audit_values(
            AuditEntry.objects.filter(
                _audited(Citizen, Citizen.personal_data), object_id__in=citizen_ids
            )
        )
        log += [
            AuditEntry(
                actor=None,
                actor_label=ACTOR_LABEL,
                action=AuditEntry.Action.ANONYMISED,
                object_type="citizen",
                object_id=pk,
                new_value=(
                    "Name, phone, email, address and postcode removed: the retention period "
                    "of every one of their cases ended"
                ),
            )
            for pk in citizen_ids
        ]
    AuditEntry.objects.bulk_create(log)
    return Disposal(cases=len(cases), citizens=len(citizen_ids))


def _citizens_no_longer_needed(candidates: set[int]) -> list[int]:
    """Of these citizens, those not yet anonymised none of whose cases still holds data: another
    case, open or within its retention period, still needs their details."""
    if not candidates:
        return []
    still_needed = Case.objects.filter(citizen=OuterRef("pk"), anonymised_at__isnull=True)
    # Locking the citizens makes a case being opened for one of them at this moment wait.
    return sorted(
        Citizen.objects.select_for_update()
        .filter(pk__in=candidates, anonymised_at__isnull=True)
        .exclude(Exists(still_needed))
        .values_list("pk", flat=True)
    )
