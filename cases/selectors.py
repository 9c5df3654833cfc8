"""Reads that need thought. Lists and detail pages share one access rule: visible_cases()."""

from collections.abc import Sequence
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core.paginator import Page, Paginator
from django.db.models import Count, Max, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from cases import roles
from cases.models import AuditEntry, Case, Citizen, SystemChange, TimelineEntry, parse_reference

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
    """Number of contacts and the latest one (whether any was failure demand is the case's own
    is_dirty)."""
    return cases.annotate(
        contact_count=Count("contacts"), last_contact_at=Max("contacts__received_at")
    )


IDS_FETCHED_AT_ONCE = 1000  # a list up to this long is counted and paged from its ids in memory


def page_with_contact_summary(cases: QuerySet[Case], number, per_page: int) -> Page:
    """One page of cases with their contact summary. Most lists (a search, one person's open
    work) are short: all their ids come back in one query, counted and paged in memory. A
    longer list is counted and paged by the database. Either way the contact summary is worked
    out for the page's cases only: counting it for every match joined all their contacts."""
    ids = cases.values_list("pk", flat=True)
    fetched = list(ids[: IDS_FETCHED_AT_ONCE + 1])
    if len(fetched) <= IDS_FETCHED_AT_ONCE:
        page = Paginator(fetched, per_page).get_page(number)
    else:
        page = Paginator(ids, per_page).get_page(number)
        start = (page.number - 1) * per_page
        if start + per_page <= len(fetched):  # a page among the ids already fetched
            page.object_list = fetched[start : start + per_page]
    shown = list(page.object_list)
    summarised = {case.pk: case for case in with_contact_summary(cases.filter(pk__in=shown))}
    page.object_list = [summarised[pk] for pk in shown]
    return page


def my_open_cases(user: AbstractBaseUser) -> QuerySet[Case]:
    return with_contact_summary(
        visible_cases(user).filter(owner=user, status=Case.Status.OPEN)
    ).order_by("opened_at", "pk")


def my_recently_closed_cases(user: AbstractBaseUser) -> QuerySet[Case]:
    # Pick the latest few first, then count their contacts: not the contacts of every case
    # the user ever closed (bench/RESULTS.md).
    latest = (
        Case.objects.filter(owner=user, status=Case.Status.CLOSED)
        .order_by("-closed_at", "-pk")
        .values("pk")[:RECENTLY_CLOSED_LIMIT]
    )
    return with_contact_summary(visible_cases(user).filter(pk__in=latest)).order_by(
        "-closed_at", "-pk"
    )


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


def _moment(value: datetime | None) -> str | None:
    return timezone.localtime(value).isoformat() if value else None


def _person(user: AbstractBaseUser | None) -> str | None:
    return (user.get_full_name() or user.username) if user else None


def citizen_record(citizen: Citizen, *, generated_by: AbstractBaseUser) -> dict:
    """Everything held about one citizen (a subject access request), as plain JSON-ready data:
    their details; each case with its contacts, in their words, and its timeline; and the audit
    trail of all of these. A fixed handful of queries, however many cases."""
    contacts = _contact_model().objects.select_related(
        "demand_type", "failure_category", "recorded_by"
    )
    cases = list(
        citizen.cases.select_related("service_type", "owner")
        .prefetch_related(
            Prefetch("contacts", queryset=contacts.order_by("received_at", "pk")),
            Prefetch(
                "timeline",
                queryset=TimelineEntry.objects.select_related(
                    "actor", "from_owner", "to_owner"
                ).order_by("occurred_at", "pk"),
            ),
        )
        .order_by("opened_at", "pk")
    )
    references = {case.pk: case.reference for case in cases}
    trail = (
        AuditEntry.objects.filter(
            Q(case_id__in=list(references)) | Q(object_type="citizen", object_id=citizen.pk)
        )
        .select_related("actor")
        .order_by("occurred_at", "pk")
    )
    return {
        "about": "Everything CouncilFlow holds about one citizen (a subject access request).",
        "generated_at": _moment(timezone.now()),
        "generated_by": _person(generated_by),
        "citizen": {
            "id": citizen.pk,
            "name": citizen.name,
            "phone": citizen.phone,
            "email": citizen.email,
            "address": citizen.address,
            "postcode": citizen.postcode,
            "first_recorded_at": _moment(citizen.created_at),
            "anonymised_at": _moment(citizen.anonymised_at),
        },
        "cases": [_case_record(case) for case in cases],
        "audit_trail": [
            {
                "occurred_at": _moment(entry.occurred_at),
                "by": _person(entry.actor) or entry.actor_label or "The system",
                "action": entry.get_action_display(),
                "object_type": entry.object_type,
                "object_id": entry.object_id,
                "case_reference": references.get(entry.case_id),
                "field": entry.field,
                "old_value": entry.old_value,
                "new_value": entry.new_value,
            }
            for entry in trail
        ],
    }


def _case_record(case: Case) -> dict:
    return {
        "reference": case.reference,
        "service": case.service_type.name,
        "status": case.get_status_display(),
        "opened_at": _moment(case.opened_at),
        "closed_at": _moment(case.closed_at),
        "owner": _person(case.owner),
        "what_matters": case.what_matters,
        "resolution": case.resolution,
        "anonymised_at": _moment(case.anonymised_at),
        "contacts": [
            {
                "received_at": _moment(contact.received_at),
                "channel": contact.get_channel_display(),
                "citizen_words": contact.citizen_words,
                "demand": contact.get_demand_display(),
                "demand_type": contact.demand_type.name if contact.demand_type else None,
                "failure_category": (
                    contact.failure_category.name if contact.failure_category else None
                ),
                "prevention_note": contact.prevention_note,
                "is_one_stop": contact.is_one_stop,
                "logged_by": _person(contact.recorded_by),
            }
            for contact in case.contacts.all()
        ],
        "timeline": [
            {
                "occurred_at": _moment(entry.occurred_at),
                "kind": entry.get_kind_display(),
                "step_kind": entry.get_step_kind_display() if entry.step_kind else None,
                "description": entry.description,
                "by": _person(entry.actor),
                "from_owner": _person(entry.from_owner),
                "to_owner": _person(entry.to_owner),
            }
            for entry in case.timeline.all()
        ],
    }
