"""Messages to citizens: queued with the update they carry (in the same transaction, so an update
is never saved without its message, nor a message queued for an update that was not saved),
tried by the background worker, tried again after each of MESSAGE_RETRY_DELAYS, and every
outcome, sent or not, on the case's timeline. Opting out is read again before every try."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django_tasks import task

from cases import audit
from cases.models import Case, Citizen, CitizenUpdate, TimelineEntry
from cases.services import user_can_change_case
from messaging import senders, wording
from messaging.models import Message, MessageTemplate
from messaging.selectors import INTERRUPTED_AFTER, progress_url, template_for
from messaging.services import progress_link_get_or_make


def way_to_send(citizen: Citizen | None) -> tuple[str, str]:
    """(channel, address) the citizen agreed to be sent updates by, or ("", why not)."""
    if citizen is None:
        return "", "The citizen gave no details, so nothing can be sent to them."
    if citizen.anonymised_at:
        return "", "The citizen's details were removed."
    if citizen.updates_by == Citizen.UpdatesBy.NONE:
        return "", f"{citizen} asked not to be sent updates."
    if citizen.updates_by == Citizen.UpdatesBy.NOT_ASKED:
        return "", (
            f"{citizen} has not been asked how they want updates. Ask them, and record it under "
            "“How they hear from us”."
        )
    address = citizen.updates_address()
    if not address:
        return "", f"We hold no address for {citizen} to send updates to."
    if senders.via_for(citizen.updates_by) is None:
        return "", (
            f"{citizen} asked for {citizen.get_updates_by_display().lower()}, which CouncilFlow "
            "is not set up to send (GOV.UK Notify's API key): ask an administrator."
        )
    return citizen.updates_by, address


def _wording(update: CitizenUpdate, channel: str, link_url: str, code: str) -> tuple[str, str]:
    case = update.case
    kind = MessageTemplate.Kind.CLOSURE if update.is_closing else MessageTemplate.Kind.UPDATE
    template = template_for(service_type=case.service_type, kind=kind, channel=channel)
    subject, body = (
        (template.subject, template.body) if template else wording.DEFAULTS[(kind, channel)]
    )
    values = {
        "reference": case.reference,
        "service": case.service_type.name,
        "status": update.get_status_display(),
        "update": update.entry.description,
        "progress_link": link_url,
        "progress_code": code,
        "council": settings.COUNCIL_NAME,
    }
    return wording.fill(subject, values)[:200], wording.fill(body, values)


@transaction.atomic
def message_queue(*, update: CitizenUpdate, by: AbstractBaseUser) -> Message:
    """Queue the update for the citizen, by the way they agreed to, for the worker to send.
    Raises ValidationError (saying why) when it cannot be sent to them."""
    case = Case.objects.select_related("citizen", "service_type").get(pk=update.case_id)
    channel, address = way_to_send(case.citizen)
    if not channel:
        raise ValidationError(address, code="cannot_send")
    existing = Message.objects.filter(update=update, channel=channel).first()
    if existing is not None:  # the same form sent twice: sent once
        return existing
    link = progress_link_get_or_make(case=case, by=by)
    subject, body = _wording(update, channel, progress_url(link), link.shown_code)
    message = Message.objects.create(
        case=case,
        update=update,
        channel=channel,
        via=senders.via_for(channel),
        to=address,
        subject=subject,
        body=body,
        queued_at=timezone.now(),
        queued_by=by,
    )
    _enqueue(message)
    return message


@task()
def deliver(message_id: int) -> str:
    """The background worker's task (Django's tasks framework, database backend, `manage.py
    db_worker`): one try at a message. It holds only the message's id; everything else is read
    fresh when it runs. Returns what became of it."""
    return message_try(message_id=message_id)


def _enqueue(message: Message, *, after: timedelta | None = None) -> None:
    """A task row in the same transaction as the message: both are saved, or neither."""
    if after:
        deliver.using(run_after=timezone.now() + after).enqueue(message.pk)
    else:
        deliver.enqueue(message.pk)


def message_try(*, message_id: int) -> str:
    """One try, by the worker. The message is claimed by moving it from queued to sending in one
    UPDATE (committed before anything is sent): a second worker, or this task run twice, finds
    nothing to claim and sends nothing."""
    now = timezone.now()
    claimed = Message.objects.filter(pk=message_id, status=Message.Status.QUEUED).update(
        status=Message.Status.SENDING, tries=F("tries") + 1, tried_at=now, next_try_at=None
    )
    if not claimed:
        return "skipped"
    message = Message.objects.select_related("case__citizen", "queued_by").get(pk=message_id)
    citizen = message.case.citizen
    if citizen is None or citizen.updates_by != message.channel or citizen.anonymised_at:
        _finish(message, Message.Status.CANCELLED, "They had stopped updates by this way.")
        return "cancelled"
    try:
        provider_id = senders.send(message)
    except senders.TryLater as error:
        delays = settings.MESSAGE_RETRY_DELAYS
        if message.tries <= len(delays):
            _try_again(message, str(error), after=timedelta(seconds=delays[message.tries - 1]))
            return "queued"
        _finish(message, Message.Status.FAILED, str(error))
        return "failed"
    except senders.GiveUp as error:
        _finish(message, Message.Status.FAILED, str(error))
        return "failed"
    _finish(message, Message.Status.SENT, "", provider_id=provider_id)
    return "sent"


@transaction.atomic
def _try_again(message: Message, reason: str, *, after: timedelta) -> None:
    Message.objects.filter(pk=message.pk).update(
        status=Message.Status.QUEUED,
        last_error=reason,
        next_try_at=timezone.now() + after,
    )
    _enqueue(message, after=after)


def _outcome_words(message: Message, status: str, reason: str) -> str:
    way = message.get_channel_display().lower()
    if status == Message.Status.SENT:
        return f"{message.get_channel_display()} sent to {message.to}."
    if status == Message.Status.CANCELLED:
        return f"The {way} to {message.to} was not sent: the citizen had stopped updates by {way}."
    tries = "once" if message.tries == 1 else f"{message.tries} times"
    return (
        f"The {way} to {message.to} could not be sent (tried {tries}): {reason} "
        "It is kept: send it again from this case."
    )


@transaction.atomic
def _finish(message: Message, status: str, reason: str, *, provider_id: str = "") -> None:
    """Record how the message ended, on it and on the case's timeline, together."""
    now = timezone.now()
    kind = (
        TimelineEntry.Kind.MESSAGE_SENT
        if status == Message.Status.SENT
        else TimelineEntry.Kind.MESSAGE_FAILED
    )
    entry = TimelineEntry.objects.create(
        case_id=message.case_id,
        kind=kind,
        description=_outcome_words(message, status, reason),
        actor=message.queued_by,
        occurred_at=now,
    )
    Message.objects.filter(pk=message.pk).update(
        status=status,
        last_error=reason,
        sent_at=now if status == Message.Status.SENT else None,
        provider_id=provider_id,
        outcome=entry,
    )


@transaction.atomic
def message_send_again(*, message: Message, by: AbstractBaseUser) -> Message:
    """A message that was not sent (or whose try was interrupted) queued again, with the same
    words, by the owner or a team leader: new tries, a new outcome on the timeline."""
    locked = Message.objects.select_for_update().select_related("case").get(pk=message.pk)
    if not user_can_change_case(user=by, case=locked.case):
        raise PermissionDenied("Only the case owner or a team leader can send it again.")
    if not (locked.status == Message.Status.FAILED or is_interrupted(locked)):
        raise ValidationError("This message is not waiting to be sent again.", code="not_failed")
    channel, why_not = way_to_send(locked.case.citizen)
    if channel != locked.channel:
        raise ValidationError(why_not or "They now want updates another way.", code="way")
    before = audit.snapshot(locked, ("status", "tries"))
    locked.status, locked.tries, locked.next_try_at = Message.Status.QUEUED, 0, None
    locked.outcome = None
    locked.save(update_fields=["status", "tries", "next_try_at", "outcome"])
    audit.record_changes(locked, before, by=by)
    _enqueue(locked)
    return locked


def is_interrupted(message: Message, now=None) -> bool:
    """A try that started long ago and never finished: its worker stopped mid-try."""
    now = now or timezone.now()
    return (
        message.status == Message.Status.SENDING
        and message.tried_at is not None
        and now - message.tried_at > INTERRUPTED_AFTER
    )
