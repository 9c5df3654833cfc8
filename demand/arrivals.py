"""Reports and updates that citizens send online: kept as they arrived until someone in the
front office takes them, which logs each as a contact through the same services as a phone call
(demand.services), classified by the person taking it."""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from cases import services as case_services
from cases.models import Case, Citizen, ServiceType
from demand import services
from demand.models import ArrivedContact, Contact, DemandType, FailureCategory


@dataclass(frozen=True)
class Arrival:
    """What a citizen sent online, as their application passed it on. Text is kept whole."""

    source: str
    service_type: ServiceType
    received_at: datetime
    citizen_words: str
    asked_for: DemandType | None = None
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    phone: str = ""
    address: str = ""
    postcode: str = ""
    latitude: str = ""
    longitude: str = ""
    easting: str = ""
    northing: str = ""
    uprn: str = ""
    address_id: str = ""
    photo_urls: tuple[str, ...] = ()
    status_given: str = ""
    details: str = ""


def _fields(arrival: Arrival) -> dict:
    fields = {name: getattr(arrival, name) for name in Arrival.__dataclass_fields__}
    fields["photo_urls"] = "\n".join(arrival.photo_urls)
    return fields


def arrival_receive_report(*, arrival: Arrival) -> ArrivedContact:
    """A new report: it waits to be taken. The caller's transaction makes it all or nothing."""
    if not arrival.citizen_words.strip():
        raise ValidationError("The report has no words.", code="required")
    return ArrivedContact.objects.create(kind=ArrivedContact.Kind.REPORT, **_fields(arrival))


def arrival_receive_update(*, report: ArrivedContact, arrival: Arrival) -> ArrivedContact:
    """A citizen's update on a report they sent: a new contact about the same need, waiting to
    be taken and classified (often a chase). It belongs to the report's case once that exists."""
    if not arrival.citizen_words.strip():
        raise ValidationError("The update has no words.", code="required")
    return ArrivedContact.objects.create(
        kind=ArrivedContact.Kind.UPDATE, report=report, case=report.case, **_fields(arrival)
    )


def waiting() -> QuerySet[ArrivedContact]:
    """The "Arrived online" list: everything not yet taken, oldest first (the citizen has been
    waiting longest)."""
    return (
        ArrivedContact.objects.filter(contact__isnull=True)
        .select_related("service_type", "report__case", "case", "asked_for")
        .order_by("arrived_at", "pk")
    )


def case_for_update(arrival: ArrivedContact) -> Case | None:
    """The case an update belongs on: its report's, once the report has been taken."""
    if arrival.kind != ArrivedContact.Kind.UPDATE:
        return None
    return arrival.case or (arrival.report.case if arrival.report_id else None)


@transaction.atomic
def arrival_take(
    *,
    arrival: ArrivedContact,
    by: AbstractBaseUser,
    demand: str,
    demand_type: DemandType | None = None,
    failure_category: FailureCategory | None = None,
    prevention_note: str = "",
    citizen: Citizen | None = None,
    new_citizen: dict[str, str] | None = None,
    attach_to: Case | None = None,
    what_matters: str = "",
) -> Contact:
    """Take what arrived: classify it and log it as a contact in the citizen's words, received
    when they sent it. A report opens a case owned by whoever takes it, or goes on the open case
    chosen; an update goes on its report's case (reopening it if it was closed). Only one person
    can take it: a second is told who did."""
    locked = ArrivedContact.objects.select_for_update().get(pk=arrival.pk)
    if locked.contact_id is not None:
        taken = ArrivedContact.objects.select_related("taken_by", "case").get(pk=locked.pk)
        who = taken.taken_by.get_full_name() or taken.taken_by.username
        raise ValidationError(
            f"{who} took this at {timezone.localtime(taken.taken_at):%H:%M on %d %B %Y}: it is "
            f"on {taken.case.reference}. Nothing was saved now.",
            code="taken",
        )
    details = services.ContactDetails(
        citizen_words=locked.citizen_words,
        channel=Contact.Channel.ONLINE,
        received_at=locked.received_at,
        demand=demand,
        failure_category=failure_category,
        prevention_note=prevention_note,
        demand_type=demand_type,
    )
    case = case_for_update(locked) if locked.kind == ArrivedContact.Kind.UPDATE else attach_to
    if locked.kind == ArrivedContact.Kind.UPDATE and case is None:
        raise ValidationError(
            "Take the report this update is about first: the update goes on its case.",
            code="report_waiting",
        )
    if case is None:
        contact = services.contact_log_new_case(
            by=by,
            service_type=locked.service_type,
            citizen=citizen,
            new_citizen=None if citizen else new_citizen,
            details=details,
            what_matters=what_matters,
        )
    elif Case.objects.get(pk=case.pk).is_open:
        contact = services.contact_log_on_case(by=by, case=case, details=details)
    else:
        try:
            contact = services.contact_reopen_case(by=by, case=case, details=details)
        except PermissionDenied as refused:
            raise ValidationError(
                f"{case.reference} is closed, and only its owner or a team leader can reopen it "
                "with this update. Ask them to take it.",
                code="closed",
            ) from refused
    locked.contact = contact
    locked.case = contact.case
    locked.taken_by = by
    locked.taken_at = timezone.now()
    locked.save(update_fields=["contact", "case", "taken_by", "taken_at"])
    # Updates that arrived while their report waited belong on this case too.
    if locked.kind == ArrivedContact.Kind.REPORT:
        ArrivedContact.objects.filter(report=locked, case__isnull=True).update(case=contact.case)
    return contact


def open_cases_for_arrival(arrival: ArrivedContact, citizens: list[Citizen]) -> list[Case]:
    """Open cases a report might be about: those of the citizens who look like its sender."""
    if not citizens:
        return []
    return list(
        Case.objects.filter(citizen__in=citizens, status=Case.Status.OPEN)
        .select_related("service_type", "citizen")
        .order_by("-opened_at")[:20]
    )


def user_may_take(user: AbstractBaseUser, arrival: ArrivedContact) -> bool:
    """Anyone who logs contacts may take a report; an update on a closed case reopens it, which
    only its owner or a team leader may do (the page says so instead of failing)."""
    case = case_for_update(arrival)
    if case is None or case.is_open:
        return True
    return case_services.user_can_change_case(user=user, case=case)
