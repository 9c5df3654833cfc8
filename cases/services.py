"""Every write to a case goes through here: the rule is checked and the timeline recorded in the
same transaction as the change."""

from datetime import date, datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts import roles
from cases import audit
from cases.models import (
    Case,
    Citizen,
    CitizenUpdate,
    ServiceType,
    TimelineEntry,
    normalise_phone,
    promise_words,
)

STALE_FORM_MESSAGE = (
    "Someone else changed this case since you opened this form, so nothing was saved. "
    "Your text is kept below: check the case's timeline, then submit again."
)


def user_can_change_case(*, user: AbstractBaseUser, case: Case) -> bool:
    """Only the owner, or a team leader, may change a case. Anyone may log a contact on it."""
    return case.owner_id == user.pk or user.has_perm(roles.CHANGE_ANY_CASE)


def _lock_for_change(*, case: Case, by: AbstractBaseUser, expected_version: int | None) -> Case:
    """Re-read the case under a row lock, and refuse a change made from an out-of-date form."""
    locked = Case.objects.select_for_update().get(pk=case.pk)
    if not user_can_change_case(user=by, case=locked):
        raise PermissionDenied("Only the case owner or a team leader can change this case.")
    if expected_version is not None and expected_version != locked.version:
        raise ValidationError(STALE_FORM_MESSAGE, code="stale")
    return locked


def _refuse_future(when: datetime, what: str) -> None:
    if when > timezone.now():
        raise ValidationError(f"{what} cannot be in the future.", code="future")


def _save_change(case: Case, *fields: str, by: AbstractBaseUser) -> None:
    """Save the changed fields, bump the version, and audit each field's old and new value."""
    attnames = [Case._meta.get_field(name).attname for name in fields]
    before = Case.objects.filter(pk=case.pk).values(*attnames).get() if attnames else {}
    case.version += 1
    case.save(update_fields=[*fields, "version"])
    audit.record_changes(case, before, by=by)


def citizen_create(
    *,
    by: AbstractBaseUser | None = None,
    name: str = "",
    phone: str = "",
    email: str = "",
    address: str = "",
    postcode: str = "",
) -> Citizen:
    citizen = Citizen(name=name, phone=phone, email=email, address=address, postcode=postcode)
    citizen.full_clean()
    citizen.save()
    audit.record_creation(citizen, by=by)
    return citizen


@transaction.atomic(savepoint=False)  # inside a contact's logging: no savepoint needed
def case_open(
    *,
    service_type: ServiceType,
    citizen: Citizen | None,
    owner: AbstractBaseUser,
    opened_at: datetime,
    what_matters: str = "",
    is_dirty: bool = False,
) -> Case:
    """Open a case for a first contact (dirty if that contact is failure demand). The caller
    records that contact on the timeline."""
    if not service_type.is_active:
        raise ValidationError("That service type is retired; choose another.", code="inactive")
    _refuse_future(opened_at, "The time the contact was received")
    case = Case.objects.create(
        service_type=service_type,
        citizen=citizen,
        owner=owner,
        opened_at=opened_at,
        what_matters=what_matters,
        is_dirty=is_dirty,
    )
    audit.record_creation(case, by=owner)
    return case


@transaction.atomic(savepoint=False)  # inside a contact's logging: no savepoint needed
def case_note_contact(
    *,
    case: Case,
    contact_id: int,
    by: AbstractBaseUser,
    received_at: datetime,
    summary: str,
    opened_it: bool = False,
) -> TimelineEntry:
    """Put a logged contact on the case's timeline. A contact received before the case's first
    one (a letter logged late) becomes the first, so the citizen's clock starts there. The
    contact that opened the case (`opened_it`) needs no lock: nobody else can see the case yet,
    and its clock already starts at that contact."""
    if not opened_it:
        locked = Case.objects.select_for_update().get(pk=case.pk)
        fields = []
        if received_at < locked.opened_at:
            locked.opened_at = received_at
            fields.append("opened_at")
        _save_change(locked, *fields, by=by)
        case.refresh_from_db()
    return TimelineEntry.objects.create(
        case=case,
        kind=TimelineEntry.Kind.CONTACT,
        contact_id=contact_id,
        description=summary,
        actor=by,
        occurred_at=received_at,
    )


@transaction.atomic
def case_record_step(
    *,
    case: Case,
    by: AbstractBaseUser,
    step_kind: str,
    description: str,
    occurred_at: datetime | None = None,
    expected_version: int | None = None,
) -> TimelineEntry:
    locked = _lock_for_change(case=case, by=by, expected_version=expected_version)
    occurred_at = occurred_at or timezone.now()
    _refuse_future(occurred_at, "The time of the step")
    if occurred_at < locked.opened_at:
        raise ValidationError(
            "A step cannot come before the case's first contact "
            f"({timezone.localtime(locked.opened_at):%d %B %Y at %H:%M}).",
            code="before_first_contact",
        )
    if step_kind not in TimelineEntry.StepKind.values:
        raise ValidationError("Choose what kind of step this was.", code="step_kind")
    if not description.strip():
        raise ValidationError("Describe the step.", code="required")
    _save_change(locked, by=by)
    return TimelineEntry.objects.create(
        case=locked,
        kind=TimelineEntry.Kind.STEP,
        step_kind=step_kind,
        description=description,
        actor=by,
        occurred_at=occurred_at,
    )


@transaction.atomic
def case_hand_off(
    *,
    case: Case,
    by: AbstractBaseUser,
    to: AbstractBaseUser,
    reason: str,
    expected_version: int | None = None,
) -> Case:
    """Pass ownership to a named person. The only way the owner of a case ever changes."""
    locked = _lock_for_change(case=case, by=by, expected_version=expected_version)
    if not locked.is_open:
        raise ValidationError("A closed case cannot be handed off. Reopen it first.")
    if to.pk == locked.owner_id:
        raise ValidationError("That person already owns this case.", code="same_owner")
    if not to.is_active:
        raise ValidationError("That person's account is not active.", code="inactive")
    if not reason.strip():
        raise ValidationError("Give the reason for the hand-off.", code="required")
    previous_owner = locked.owner
    locked.owner = to
    _save_change(locked, "owner", by=by)
    TimelineEntry.objects.create(
        case=locked,
        kind=TimelineEntry.Kind.HANDOFF,
        step_kind=TimelineEntry.StepKind.HANDOFF,
        description=reason,
        from_owner=previous_owner,
        to_owner=to,
        actor=by,
        occurred_at=timezone.now(),
    )
    return locked


@transaction.atomic
def case_close(
    *,
    case: Case,
    by: AbstractBaseUser,
    resolution: str,
    closed_at: datetime | None = None,
    expected_version: int | None = None,
    outcome: str = CitizenUpdate.Status.CLOSED,
) -> Case:
    """Close the case: the need is met. The resolution is published to the citizen as an
    update with the outcome (fixed, not the council's responsibility...)."""
    locked = _lock_for_change(case=case, by=by, expected_version=expected_version)
    if not locked.is_open:
        raise ValidationError("This case is already closed.", code="closed")
    if not resolution.strip():
        raise ValidationError("Say how the citizen's need was met.", code="required")
    if outcome not in CitizenUpdate.CLOSED_STATUSES:
        raise ValidationError("Choose how the case ended for the citizen.", code="outcome")
    closed_at = closed_at or timezone.now()
    _refuse_future(closed_at, "The time the case was closed")
    if closed_at < locked.opened_at:
        raise ValidationError(
            "A case cannot be closed before its first contact was received "
            f"({timezone.localtime(locked.opened_at):%d %B %Y at %H:%M}).",
            code="before_first_contact",
        )
    locked.status = Case.Status.CLOSED
    locked.closed_at = closed_at
    locked.resolution = resolution
    # Nothing more happens next: the need is met.
    locked.next_step, locked.next_step_on = "", None
    _save_change(locked, "status", "closed_at", "resolution", "next_step", "next_step_on", by=by)
    entry = TimelineEntry.objects.create(
        case=locked,
        kind=TimelineEntry.Kind.CLOSED,
        description=resolution,
        actor=by,
        occurred_at=closed_at,
    )
    CitizenUpdate.objects.create(
        case=locked, entry=entry, status=outcome, published_at=timezone.now()
    )
    return locked


@transaction.atomic
def case_update_citizen(
    *,
    case: Case,
    by: AbstractBaseUser,
    status: str,
    description: str = "",
    next_step: str = "",
    next_step_on: date | None = None,
    expected_version: int | None = None,
) -> CitizenUpdate:
    """Tell the citizen how things stand, in words written for them, and on an open case what
    happens next and when: a promise to the citizen, which the case then shows until the next
    one (or closure). Recorded on the case's timeline and published at once (the progress page
    and Open311 clients read it). Open cases take the statuses of work in hand; a closed case
    keeps its outcome statuses, for a word after closure."""
    locked = _lock_for_change(case=case, by=by, expected_version=expected_version)
    allowed = CitizenUpdate.OPEN_STATUSES if locked.is_open else CitizenUpdate.CLOSED_STATUSES
    if status not in allowed:
        raise ValidationError(
            "Choose how things stand from the list"
            + ("." if locked.is_open else ": the case is closed (reopen it to reopen the work)."),
            code="status",
        )
    next_step = next_step.strip()
    if next_step and not locked.is_open:
        raise ValidationError(
            "A closed case has nothing next: reopen it first.", code="closed_next_step"
        )
    if next_step_on and not next_step:
        raise ValidationError("Say what will happen on that day.", code="next_step_required")
    if next_step and next_step_on is None:
        raise ValidationError("Say when it will happen.", code="next_step_on_required")
    if next_step_on and next_step_on < timezone.localdate():
        raise ValidationError(
            "When it will happen cannot be in the past.", code="next_step_on_past"
        )
    if not description.strip() and not next_step:
        raise ValidationError("Write the update for the citizen.", code="required")
    fields = []
    if next_step:
        locked.next_step, locked.next_step_on = next_step, next_step_on
        fields = ["next_step", "next_step_on"]
    _save_change(locked, *fields, by=by)
    now = timezone.now()
    words = "\n\n".join(
        part for part in (description.strip(), promise_words(next_step, next_step_on)) if part
    )
    entry = TimelineEntry.objects.create(
        case=locked,
        kind=TimelineEntry.Kind.CITIZEN_UPDATE,
        description=words,
        actor=by,
        occurred_at=now,
    )
    return CitizenUpdate.objects.create(
        case=locked,
        entry=entry,
        status=status,
        next_step=next_step,
        next_step_on=next_step_on,
        published_at=now,
    )


@transaction.atomic
def citizen_set_updates_by(
    *,
    citizen: Citizen,
    updates_by: str,
    by: AbstractBaseUser | None,
    email: str | None = None,
    phone: str | None = None,
    actor_label: str = "",
) -> Citizen:
    """Record how the citizen agreed to be sent updates (their consent), or that they want none,
    with the address they gave for it (`email`, `phone`: None keeps the one held). Audited (who
    recorded it, when, old and new), and honoured at once: the worker reads it again before
    each message. A way with no address held for them is refused."""
    locked = Citizen.objects.select_for_update().get(pk=citizen.pk)
    if updates_by not in Citizen.UpdatesBy.values:
        raise ValidationError("Choose how they want to be sent updates.", code="updates_by")
    if locked.anonymised_at:
        raise ValidationError("This citizen's details were removed.", code="anonymised")
    before = audit.snapshot(locked, ("updates_by", "email", "phone"))
    if email is not None:
        locked.email = email.strip()
    if phone is not None:
        locked.phone = normalise_phone(phone)
    if updates_by == Citizen.UpdatesBy.EMAIL and not locked.email:
        raise ValidationError(
            "We hold no email address for them: add it first, or choose another way.",
            code="no_email",
        )
    if updates_by == Citizen.UpdatesBy.TEXT and not locked.phone:
        raise ValidationError(
            "We hold no phone number for them: add it first, or choose another way.",
            code="no_phone",
        )
    locked.updates_by = updates_by
    locked.full_clean(exclude=[f.name for f in Citizen._meta.fields if f.name != "email"])
    locked.save(update_fields=["updates_by", "email", "phone"])
    audit.record_changes(locked, before, by=by, actor_label=actor_label)
    return locked


@transaction.atomic
def case_reopen(
    *,
    case: Case,
    by: AbstractBaseUser,
    reason: str,
    reopened_at: datetime,
    expected_version: int | None = None,
) -> Case:
    """Reopen a closed case. The citizen's clock keeps its start; its end moves to the next
    closure. Callers reopen only together with the new contact that says why."""
    locked = _lock_for_change(case=case, by=by, expected_version=expected_version)
    if locked.is_open:
        raise ValidationError("This case is already open.", code="open")
    if locked.anonymised_at:
        raise ValidationError(
            "This case's personal data were removed when its retention period ended, so it "
            "cannot be reopened. Log the contact as a new case.",
            code="anonymised",
        )
    locked.status = Case.Status.OPEN
    locked.closed_at = None
    _save_change(locked, "status", "closed_at", by=by)
    TimelineEntry.objects.create(
        case=locked,
        kind=TimelineEntry.Kind.REOPENED,
        description=reason,
        actor=by,
        occurred_at=reopened_at,
    )
    return locked


@transaction.atomic
def case_note_failure_demand(*, case: Case) -> None:
    """A failure-demand contact was logged on this existing case: it is dirty now. One UPDATE,
    only if it was clean; it waits for any reclassification of the case's contacts to finish
    and then sees the row as it left it. A copy kept for counting: not audited, no new version."""
    if Case.objects.filter(pk=case.pk, is_dirty=False).update(is_dirty=True):
        case.is_dirty = True


def case_note_reclassification(
    *, case: Case, contact_id: int, by: AbstractBaseUser, description: str, is_dirty: bool
) -> TimelineEntry:
    """Record on the timeline that a team leader changed a contact's classification, and
    whether the case is now dirty (demand.services works that out under the case's lock)."""
    locked = Case.objects.select_for_update().get(pk=case.pk)
    _save_change(locked, by=by)
    if is_dirty != locked.is_dirty:
        Case.objects.filter(pk=locked.pk).update(is_dirty=is_dirty)
    return TimelineEntry.objects.create(
        case=locked,
        kind=TimelineEntry.Kind.RECLASSIFIED,
        contact_id=contact_id,
        description=description,
        actor=by,
        occurred_at=timezone.now(),
    )
