"""Telling citizens how their case stands without their having to chase: the private code that
opens a case's progress page for them, and (messaging/) the messages sent to them."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from cases.models import Case
from lib.personal import PersonalData
from messaging import codes
from messaging.wording import unknown_placeholders


class ProgressLink(models.Model):
    """A case's progress page, for whoever has its reference and this code (the citizen: it is
    given to them over the phone and in every message). Revoked, never deleted: a new code
    replaces it, and the old one stops working at once. Emptied when the case's retention
    period ends, so that the page is gone too."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="progress_links")
    code = models.CharField(max_length=codes.LENGTH)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    # The code opens the citizen's words: emptied at the end of retention (the link dies).
    personal_data = PersonalData(erased=("code",), belongs_to="case")
    # The audit trail says a code was made or revoked, never the code itself.
    not_audited = ("code",)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            # One working code per case: the one staff read out is the one that works.
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(revoked_at__isnull=True),
                name="progress_link_one_live_per_case",
            ),
        ]

    def __str__(self) -> str:
        state = "revoked" if self.revoked_at else "working"
        return f"Progress code for case {self.case_id} ({state})"

    @property
    def shown_code(self) -> str:
        return codes.shown(self.code)


class Channel(models.TextChoices):
    """The ways a message reaches a citizen: the same codes as Citizen.UpdatesBy."""

    EMAIL = "email", "Email"
    TEXT = "text", "Text message"


class MessageTemplate(models.Model):
    """The words of a message to citizens, per service (or for every service without its own),
    per kind and channel, edited by administrators. ((placeholders)) are filled when a message
    is queued, from the update and the case only (messaging/wording.py): a message never holds
    more about the citizen than the update they are sent."""

    class Kind(models.TextChoices):
        UPDATE = "update", "An update: what happens next, how things stand"
        CLOSURE = "closure", "The case is closed: how the need was met"

    service_type = models.ForeignKey(
        "cases.ServiceType",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="message_templates",
        help_text="Empty: for every service that has no template of its own.",
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    subject = models.CharField(
        max_length=200, blank=True, help_text="Email only: the subject line."
    )
    body = models.TextField()
    is_active = models.BooleanField(
        default=True, help_text="Retired templates are kept but no longer used."
    )

    personal_data = PersonalData(not_personal=("kind", "channel", "subject", "body"))

    class Meta:
        ordering = ["service_type__name", "kind", "channel"]
        constraints = [
            # One template in use for each service, kind and channel, and one council-wide.
            models.UniqueConstraint(
                fields=["service_type", "kind", "channel"],
                condition=Q(is_active=True, service_type__isnull=False),
                name="message_template_one_per_service",
            ),
            models.UniqueConstraint(
                fields=["kind", "channel"],
                condition=Q(is_active=True, service_type__isnull=True),
                name="message_template_one_for_all",
            ),
        ]

    def __str__(self) -> str:
        service = self.service_type or "Every service"
        return f"{service}: {self.get_kind_display()} ({self.get_channel_display()})"

    def clean(self):
        errors = {}
        for field in ("subject", "body"):
            if unknown := unknown_placeholders(getattr(self, field)):
                errors[field] = (
                    "These are not placeholders CouncilFlow fills: "
                    + ", ".join(f"(({name}))" for name in unknown)
                    + ". Use only those listed below the box."
                )
        if self.channel == Channel.EMAIL and not self.subject.strip():
            errors["subject"] = "An email needs a subject."
        if errors:
            raise ValidationError(errors)


class Message(models.Model):
    """An update for the citizen, sent to them by the way they chose. Queued with the update,
    in the same transaction, and sent by a background worker (messaging/tasks.py): tried again
    after each of MESSAGE_RETRY_DELAYS, then shown as not sent on the case, kept to send again.
    Its words are fixed when it is queued, so what was sent is what staff saw. A message is
    claimed for each try by changing its status from queued to sending in one UPDATE, so
    however many workers run, no try sends it twice; one left "sending" by a worker that
    stopped mid-try is never tried again by itself (the mail server may have it), but shown,
    for a person to decide."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to be sent"
        SENDING = "sending", "Being sent"
        SENT = "sent", "Sent"
        FAILED = "failed", "Not sent"
        CANCELLED = "cancelled", "Not sent: they had stopped updates"

    class Via(models.TextChoices):
        SMTP = "smtp", "the council's mail server"
        NOTIFY = "notify", "GOV.UK Notify"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="messages")
    update = models.ForeignKey(
        "cases.CitizenUpdate", on_delete=models.PROTECT, related_name="messages"
    )
    channel = models.CharField(max_length=10, choices=Channel.choices)
    via = models.CharField(max_length=10, choices=Via.choices)
    to = models.CharField("Sent to", max_length=254)
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    tries = models.PositiveSmallIntegerField(default=0)
    queued_at = models.DateTimeField()
    queued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # When the latest try started, and when the next may start.
    tried_at = models.DateTimeField(null=True, blank=True)
    next_try_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # Why the latest try failed, as the mail server or Notify said it.
    last_error = models.TextField(blank=True)
    # GOV.UK Notify's id of the notification, to look it up there.
    provider_id = models.CharField(max_length=64, blank=True)
    # The timeline entry that recorded how it ended (sent, or not sent).
    outcome = models.OneToOneField(
        "cases.TimelineEntry",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="message",
    )

    personal_data = PersonalData(
        replaced=("subject", "body", "last_error"),
        erased=("to",),
        not_personal=("channel", "via", "status", "provider_id"),
        belongs_to="case",
    )

    class Meta:
        ordering = ["-queued_at", "-pk"]
        constraints = [
            # An update goes to the citizen once by each way: a form sent twice sends once.
            models.UniqueConstraint(fields=["update", "channel"], name="message_once_per_update"),
        ]
        indexes = [
            # The demand pages: the cases whose citizen was sent an update.
            models.Index(fields=["status", "case"], name="message_status_case_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} to the citizen of case {self.case_id}"

    @property
    def is_pending(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.SENDING)
