"""Logging contacts: the front office's main journey."""

import uuid
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import Truncator

from accounts import roles
from cases import audit
from cases import services as case_services
from cases.models import Case, Citizen, ServiceType
from demand.models import Contact, DemandType, FailureCategory


@dataclass(frozen=True)
class ContactDetails:
    """What the citizen told us in one contact, as the person taking it recorded it."""

    citizen_words: str
    channel: str
    received_at: datetime
    demand: str
    failure_category: FailureCategory | None = None
    prevention_note: str = ""
    demand_type: DemandType | None = None

    def validate(self, *, service_type: ServiceType) -> None:
        errors: dict[str, str] = {}
        if not self.citizen_words.strip():
            errors["citizen_words"] = "Enter what the citizen said, in their words."
        if self.channel not in Contact.Channel.values:
            errors["channel"] = "Choose how the citizen got in touch."
        if self.received_at > timezone.now():
            errors["received_at"] = "The time the contact was received cannot be in the future."
        if self.demand not in Contact.Demand.values:
            errors["demand"] = "Choose value demand or failure demand."
        elif self.demand == Contact.Demand.FAILURE and self.failure_category is None:
            errors["failure_category"] = "Choose the kind of failure demand."
        elif self.demand == Contact.Demand.VALUE:
            if self.demand_type is not None and self.demand_type.service_type_id != service_type.pk:
                errors["demand_type"] = (
                    f"Choose what they asked for from the list for {service_type}."
                )
            elif (
                self.demand_type is None
                and service_type.demand_types.filter(is_active=True).exists()
            ):
                errors["demand_type"] = "Choose what the citizen asked for."
        if errors:
            raise ValidationError(errors)


def _create_contact(
    *,
    case: Case,
    by: AbstractBaseUser,
    details: ContactDetails,
    is_one_stop: bool,
    submission_token: uuid.UUID | None,
    opened_case: bool = False,
) -> Contact:
    is_failure = details.demand == Contact.Demand.FAILURE
    contact = Contact.objects.create(
        case=case,
        service_type_id=case.service_type_id,
        received_at=details.received_at,
        channel=details.channel,
        citizen_words=details.citizen_words,
        recorded_by=by,
        demand=details.demand,
        demand_type=None if is_failure else details.demand_type,
        failure_category=details.failure_category if is_failure else None,
        prevention_note=details.prevention_note if is_failure else "",
        is_one_stop=is_one_stop,
        submission_token=submission_token,
    )
    audit.record_creation(contact, by=by)
    if is_failure and not opened_case:  # a new case was opened dirty or clean already
        case_services.case_note_failure_demand(case=case)
    case_services.case_note_contact(
        case=case,
        contact_id=contact.pk,
        by=by,
        received_at=details.received_at,
        summary=Truncator(details.citizen_words).chars(200),
        opened_it=opened_case,
    )
    return contact


TOKEN_USED = "token_used"
CASE_CLOSED = "closed"


def contact_for_token(submission_token: uuid.UUID | None) -> Contact | None:
    """The contact a form's submission token saved, if it saved one."""
    if submission_token is None:
        return None
    return Contact.objects.filter(submission_token=submission_token).select_related("case").first()


def _idempotent(log):
    """Run a logging service so that a form submitted twice records its contact once: the
    second submission gets the first one's contact back, marked `logged_earlier`. The unique
    submission token decides (no lookup first: a repeat is rare, so it pays for its rolled-back
    work, not every contact). A token that saved a different contact (other words, another
    case: a saved form brought back and changed) is refused, so nothing is claimed as logged
    that was not."""

    def wrapper(*, submission_token: uuid.UUID | None = None, **kwargs) -> Contact:
        try:
            return log(submission_token=submission_token, **kwargs)
        except (IntegrityError, ValidationError):
            # Refused (a unique token recorded already; a case the first submission closed or
            # reopened): if the first submission went in, this one may be that contact.
            existing = contact_for_token(submission_token)
            if existing is None:
                raise
        if _is_the_same_contact(existing, **kwargs):
            existing.logged_earlier = True
            return existing
        raise ValidationError(
            f"This form was already used to log a contact on {existing.case.reference}, so "
            "nothing was saved now. Check what is below, then press the button again to log "
            "it as a contact of its own.",
            code=TOKEN_USED,
        )

    wrapper.__name__ = log.__name__
    wrapper.__doc__ = log.__doc__
    return wrapper


def _is_the_same_contact(
    contact: Contact, *, details: ContactDetails, case: Case | None = None, **kwargs
) -> bool:
    if case is not None and contact.case_id != case.pk:
        return False
    service = kwargs.get("service_type")
    if service is not None and contact.service_type_id != service.pk:
        return False
    return contact.citizen_words == details.citizen_words


@_idempotent
@transaction.atomic
@audit.batched()
def contact_log_new_case(
    *,
    by: AbstractBaseUser,
    service_type: ServiceType,
    citizen: Citizen | None,
    details: ContactDetails,
    new_citizen: dict[str, str] | None = None,
    what_matters: str = "",
    resolution: str = "",
    submission_token: uuid.UUID | None = None,
) -> Contact:
    """A first contact about a need: open a case owned by whoever took the contact. With a
    resolution, the need was met there and then: a one-stop case, opened and closed at once.
    Without a known citizen, any details given in new_citizen record a new one; none at all is
    an anonymous contact."""
    details.validate(service_type=service_type)
    if citizen is None and new_citizen and any(value.strip() for value in new_citizen.values()):
        citizen = case_services.citizen_create(by=by, **new_citizen)
    case = case_services.case_open(
        service_type=service_type,
        citizen=citizen,
        owner=by,
        opened_at=details.received_at,
        what_matters=what_matters,
        is_dirty=details.demand == Contact.Demand.FAILURE,
    )
    is_one_stop = bool(resolution.strip())
    contact = _create_contact(
        case=case,
        by=by,
        details=details,
        is_one_stop=is_one_stop,
        submission_token=submission_token,
        opened_case=True,
    )
    if is_one_stop:
        case_services.case_close(
            case=case,
            by=by,
            resolution=resolution,
            closed_at=max(details.received_at, timezone.now()),
        )
    return contact


@_idempotent
@transaction.atomic
@audit.batched()
def contact_log_on_case(
    *,
    by: AbstractBaseUser,
    case: Case,
    details: ContactDetails,
    resolution: str = "",
    submission_token: uuid.UUID | None = None,
) -> Contact:
    """Another contact about an existing case (a repeat, a chase, more information). Anyone may
    log it; resolving the case with it is a change only its owner or a team leader may make."""
    details.validate(service_type=case.service_type)
    case = Case.objects.select_for_update().get(pk=case.pk)
    if not case.is_open:
        raise ValidationError(
            f"{case.reference} is closed. Reopen it with this contact if the need is not met.",
            code=CASE_CLOSED,
        )
    if resolution.strip() and not case_services.user_can_change_case(user=by, case=case):
        raise ValidationError(
            "Only the case owner or a team leader can close this case. Log the contact without "
            "a resolution and the owner will see it."
        )
    contact = _create_contact(
        case=case, by=by, details=details, is_one_stop=False, submission_token=submission_token
    )
    if resolution.strip():
        case_services.case_close(case=case, by=by, resolution=resolution)
    return contact


@_idempotent
@transaction.atomic
@audit.batched()
def contact_reopen_case(
    *,
    by: AbstractBaseUser,
    case: Case,
    details: ContactDetails,
    expected_version: int | None = None,
    submission_token: uuid.UUID | None = None,
) -> Contact:
    """Reopen a closed case, only ever with the new contact that says why. The clock's start
    stays at the first contact; the end will move to the next closure."""
    details.validate(service_type=case.service_type)
    case_services.case_reopen(
        case=case,
        by=by,
        reason="",  # the contact logged with it, right beside it, says why in their words
        reopened_at=timezone.now(),
        expected_version=expected_version,
    )
    return _create_contact(
        case=case, by=by, details=details, is_one_stop=False, submission_token=submission_token
    )


def _classification(contact: Contact) -> str:
    if contact.demand == Contact.Demand.FAILURE:
        return f"failure demand ({contact.failure_category})"
    return f"value demand ({contact.demand_type})" if contact.demand_type else "value demand"


@transaction.atomic
def contact_reclassify(
    *,
    contact: Contact,
    by: AbstractBaseUser,
    demand: str,
    failure_category: FailureCategory | None = None,
    demand_type: DemandType | None = None,
    prevention_note: str | None = None,
) -> Contact:
    """A team leader's review changes how a contact is classified. The citizen's words are never
    changed; the case's timeline records who changed what, when, old → new."""
    if not by.has_perm(roles.RECLASSIFY_CONTACT):
        raise PermissionDenied("Only a team leader can reclassify a contact.")
    contact = (
        Contact.objects.select_for_update(of=("self",))
        .select_related("case__service_type", "failure_category", "demand_type")
        .get(pk=contact.pk)
    )
    details = ContactDetails(
        citizen_words=contact.citizen_words,
        channel=contact.channel,
        received_at=contact.received_at,
        demand=demand,
        failure_category=failure_category,
        demand_type=demand_type,
    )
    details.validate(service_type=contact.case.service_type)
    before, note_before = _classification(contact), contact.prevention_note
    fields_before = audit.snapshot(
        contact, ["demand", "failure_category", "demand_type", "prevention_note"]
    )
    is_failure = demand == Contact.Demand.FAILURE
    contact.demand = demand
    contact.failure_category = failure_category if is_failure else None
    contact.demand_type = None if is_failure else demand_type
    if prevention_note is not None:
        contact.prevention_note = prevention_note if is_failure else ""
    after = _classification(contact)
    if before == after and contact.prevention_note == note_before:
        raise ValidationError("That is how the contact is already classified.", code="unchanged")
    description = f"{before} → {after}" if before != after else "prevention note changed"
    contact.save(update_fields=["demand", "failure_category", "demand_type", "prevention_note"])
    audit.record_changes(contact, fields_before, by=by)
    # Whether the case is dirty now, read with the case locked, so that a failure-demand
    # contact being logged on it meanwhile is not missed.
    case = Case.objects.select_for_update().get(pk=contact.case_id)
    is_dirty = Contact.objects.filter(case=case, demand=Contact.Demand.FAILURE).exists()
    case_services.case_note_reclassification(
        case=case, contact_id=contact.pk, by=by, description=description, is_dirty=is_dirty
    )
    return contact
