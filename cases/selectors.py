"""Reads that need thought. Lists and detail pages share one access rule: visible_cases()."""

from datetime import timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.core.paginator import Page, Paginator
from django.db.models import Count, Max, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts import roles
from cases.models import (
    AuditEntry,
    Case,
    Citizen,
    ServiceType,
    TimelineEntry,
    normalise_phone,
    normalise_postcode,
    parse_reference,
)

RECENTLY_CLOSED_LIMIT = 20


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


CONTACT_ENTRIES = Q(timeline__kind=TimelineEntry.Kind.CONTACT)


def with_contact_summary(cases: QuerySet[Case]) -> QuerySet[Case]:
    """Number of contacts and when the latest was received, read from the contact entries on
    each case's timeline (whether any was failure demand is the case's own is_dirty)."""
    return cases.annotate(
        contact_count=Count("timeline", filter=CONTACT_ENTRIES),
        last_contact_at=Max("timeline__occurred_at", filter=CONTACT_ENTRIES),
    )


IDS_FETCHED_AT_ONCE = 1000  # a list up to this long is counted and paged from its ids in memory


def page_with_contact_summary(cases: QuerySet[Case], number, per_page: int) -> Page:
    """One page of cases with their contact summary. Most lists (a search, one person's open
    work) are short: all their ids come back in one query, counted and paged in memory. A
    longer list is counted and paged by the database. Either way the contact summary is worked
    out for the page's cases only: counting it for every match joined all their timelines.
    Measured at a million contacts, paging every list by the database (a COUNT, then the page)
    makes a search by name ~13 ms slower (median 64 -> 77 ms; bench/RESULTS.md)."""
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


def case_history(case: Case) -> QuerySet[AuditEntry]:
    """The audit trail of a case, its contacts and its citizen, newest first."""
    about = Q(case_id=case.pk)
    if case.citizen_id:
        about |= Q(object_type="citizen", object_id=case.citizen_id)
    return AuditEntry.objects.filter(about).select_related("actor").order_by("-occurred_at", "-pk")


DUPLICATES_SHOWN = 5


def possible_duplicates(
    *, name: str, phone: str = "", email: str = "", postcode: str = ""
) -> list[Citizen]:
    """Citizens who may be the person about to be added as new: the same name (however it is
    capitalised or spaced), and a phone, email or postcode that matches, or none to compare.
    A different phone and nothing else in common is a different person of the same name."""
    name = " ".join(name.split())
    if not name:
        return []
    typed = {
        "phone": normalise_phone(phone),
        "email": email.strip().lower(),
        "postcode": normalise_postcode(postcode),
    }
    same_name = (
        Citizen.objects.filter(name__iexact=name, anonymised_at__isnull=True)
        .annotate(open_case_count=Count("cases", filter=Q(cases__status=Case.Status.OPEN)))
        .order_by("-pk")[:50]
    )
    matches = []
    for citizen in same_name:
        held = {
            "phone": citizen.phone,
            "email": citizen.email.lower(),
            "postcode": citizen.postcode,
        }
        compared = [part for part in typed if typed[part] and held[part]]
        if not compared or any(typed[part] == held[part] for part in compared):
            matches.append(citizen)
    return matches[:DUPLICATES_SHOWN]


def cases_past_retention_count(*, service_type: ServiceType, days: int) -> int:
    """How many of a service's closed cases a retention period of `days` would anonymise at the
    next run (records/retention.py's rule: closed more than that long ago, not yet anonymised)."""
    try:
        cutoff = timezone.now() - timedelta(days=days)
    except OverflowError:  # a period reaching before year 1: nothing is past it
        return 0
    return Case.objects.filter(
        service_type=service_type,
        status=Case.Status.CLOSED,
        closed_at__lt=cutoff,
        anonymised_at__isnull=True,
    ).count()
