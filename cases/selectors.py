"""Reads that need thought. Lists and detail pages share one access rule: visible_cases()."""

from collections.abc import Sequence

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet
from django.http import Http404

from cases import roles
from cases.models import AuditEntry, Case, SystemChange, TimelineEntry, parse_reference

RECENTLY_CLOSED_LIMIT = 20


def _contact_model():
    # Reached through the ORM relation: cases never imports the demand app.
    return Case._meta.get_field("contacts").related_model


def visible_cases(user: AbstractBaseUser) -> QuerySet[Case]:
    """The cases a user may see. Every list and every detail page starts here."""
    if not user.is_authenticated or not user.has_perm(roles.VIEW_CASES):
        return Case.objects.none()
    return Case.objects.select_related("service_type", "citizen", "owner")


def get_visible_case(user: AbstractBaseUser, reference: str) -> Case:
    pk = parse_reference(reference)
    if pk is None:
        raise Http404("No case with that reference.")
    try:
        return visible_cases(user).get(pk=pk)
    except Case.DoesNotExist as missing:
        raise Http404("No case with that reference.") from missing


def with_contact_summary(cases: QuerySet[Case]) -> QuerySet[Case]:
    """Number of contacts, the latest one, and whether any was failure demand (a dirty case)."""
    contact = _contact_model()
    failures = contact.objects.filter(case=OuterRef("pk"), demand=contact.Demand.FAILURE)
    return cases.annotate(
        contact_count=Count("contacts"),
        last_contact_at=Max("contacts__received_at"),
        is_dirty=Exists(failures),
    )


def my_open_cases(user: AbstractBaseUser) -> QuerySet[Case]:
    return with_contact_summary(
        visible_cases(user).filter(owner=user, status=Case.Status.OPEN)
    ).order_by("opened_at", "pk")


def my_recently_closed_cases(user: AbstractBaseUser) -> QuerySet[Case]:
    return with_contact_summary(
        visible_cases(user).filter(owner=user, status=Case.Status.CLOSED)
    ).order_by("-closed_at", "-pk")[:RECENTLY_CLOSED_LIMIT]


def case_timeline(case: Case) -> list[TimelineEntry]:
    """The case's timeline, newest first, each contact entry carrying its contact."""
    entries = list(case.timeline.select_related("actor", "from_owner", "to_owner"))
    contacts = {
        contact.pk: contact
        for contact in case.contacts.select_related(
            "failure_category", "demand_type", "recorded_by"
        )
    }
    for entry in entries:
        entry.contact = contacts.get(entry.contact_id)
    return entries


def open_cases_of_citizen(citizen_id: int, *, service_type_id: int | None = None) -> list[Case]:
    """A citizen's open cases, those of the given service first, so a repeat or chasing contact
    lands on the case it is about."""
    cases = list(
        with_contact_summary(
            Case.objects.select_related("service_type", "owner").filter(
                citizen_id=citizen_id, status=Case.Status.OPEN
            )
        ).order_by("opened_at")
    )
    return sorted(cases, key=lambda case: case.service_type_id != service_type_id)


def system_changes_for(service_type_ids: Sequence[int] = ()) -> list[SystemChange]:
    """System changes that start a new phase on a chart of these services: those of the
    services, and those that apply to every service. A chart of all services splits only at
    changes to all services: one service's redesign is not a change to the whole system."""
    changes = SystemChange.objects.select_related("service_type").order_by("changed_on", "pk")
    return list(
        changes.filter(Q(service_type__isnull=True) | Q(service_type_id__in=service_type_ids))
    )


def case_history(case: Case) -> QuerySet[AuditEntry]:
    """The audit trail of a case, its contacts and its citizen, newest first."""
    about = Q(case_id=case.pk)
    if case.citizen_id:
        about |= Q(object_type="citizen", object_id=case.citizen_id)
    return AuditEntry.objects.filter(about).select_related("actor").order_by("-occurred_at", "-pk")
