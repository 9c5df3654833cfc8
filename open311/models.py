"""Open311 clients (FixMyStreet, the council's web form) and what each has sent. The citizens'
reports and updates themselves are demand's ArrivedContacts; these rows say which client sent
which, under which of the client's own ids, so a retry finds what it sent before."""

import uuid

from django.db import models
from django.db.models import Q

from demand.models import ArrivedContact
from lib.personal import PersonalData


class Client(models.Model):
    """An application allowed to send citizens' reports. Its API key is stored hashed (shown
    once, when issued); revoking it refuses every later request made with it."""

    name = models.CharField(max_length=100, unique=True)
    # The key's first characters, so an administrator can tell keys apart without holding one.
    key_prefix = models.CharField(max_length=12)
    key_hash = models.CharField(max_length=64, unique=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # Noted at most once a minute.
    last_used_at = models.DateTimeField(null=True, blank=True)

    personal_data = PersonalData(not_personal=("name", "key_prefix", "key_hash"))
    # The key's digest stays out of the audit trail: its shown part says which key it was.
    not_audited = ("key_hash",)

    class Meta:
        ordering = ["name"]
        verbose_name = "Open311 client"

    def __str__(self) -> str:
        return self.name


class ServiceRequest(models.Model):
    """A report a client sent. Its id is the service_request_id the client is given."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="requests")
    arrival = models.OneToOneField(
        ArrivedContact, on_delete=models.PROTECT, related_name="service_request"
    )
    # The client's own id for the report (FixMyStreet's report number), when it sends one.
    external_id = models.CharField(max_length=100, blank=True)
    # A digest of everything the client sent: a retry of the same request sends the same.
    digest = models.CharField(max_length=64)
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    personal_data = PersonalData(not_personal=("external_id", "digest"))

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            # A report posted twice with the client's own id is one report.
            models.UniqueConstraint(
                fields=["client", "external_id"],
                condition=~Q(external_id=""),
                name="open311_request_once_per_external_id",
            )
        ]
        indexes = [
            # A retry without the client's own id, found by what it sent.
            models.Index(fields=["client", "digest"], name="open311_request_digest_idx"),
        ]

    def __str__(self) -> str:
        return f"Request {self.pk} from {self.client}"


class ReceivedUpdate(models.Model):
    """A citizen's update on one of a client's requests (a comment left on FixMyStreet)."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="updates")
    request = models.ForeignKey(
        ServiceRequest, on_delete=models.PROTECT, related_name="received_updates"
    )
    arrival = models.OneToOneField(
        ArrivedContact, on_delete=models.PROTECT, related_name="received_update"
    )
    # The client's own id for the update (FixMyStreet's comment number).
    external_id = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)

    personal_data = PersonalData(not_personal=("external_id",))

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "external_id"], name="open311_update_once_per_external_id"
            )
        ]

    def __str__(self) -> str:
        return f"Update {self.external_id} from {self.client}"
