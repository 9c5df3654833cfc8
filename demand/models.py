"""Demand: every contact a citizen makes, in their own words, classified value or failure."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from cases.models import Case, ServiceType
from lib.personal import PersonalData


class FailureCategory(models.Model):
    """Why a contact is failure demand, e.g. 'progress chasing'. Admins may add more."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)

    personal_data = PersonalData(not_personal=("name", "slug", "description"))

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "failure categories"

    def __str__(self) -> str:
        return self.name


class DemandType(models.Model):
    """What citizens ask a service for, in their terms: 'report a missed collection'.
    Configured by admins per service type; retired, never deleted."""

    service_type = models.ForeignKey(
        ServiceType, on_delete=models.PROTECT, related_name="demand_types"
    )
    name = models.CharField(max_length=200, help_text="In the citizens' own terms.")
    is_active = models.BooleanField(default=True)

    personal_data = PersonalData(not_personal=("name",))

    class Meta:
        ordering = ["service_type__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["service_type", "name"], name="demand_type_unique_per_service"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Contact(models.Model):
    class Channel(models.TextChoices):
        PHONE = "phone", "Phone"
        FACE_TO_FACE = "face_to_face", "Face to face"
        EMAIL = "email", "Email"
        WEB = "web", "Web form"
        LETTER = "letter", "Letter"
        SOCIAL = "social", "Social media"

    class Demand(models.TextChoices):
        VALUE = "value", "Value demand"
        FAILURE = "failure", "Failure demand"

    # Indexed by contact_case_received_idx, which leads with it.
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="contacts", db_index=False
    )
    # The case's service, copied here when the contact is logged (a case's service never
    # changes): demand is counted by service from the contacts' own index, without joining
    # every case (bench/RESULTS.md: the overview's 13 weeks of a million contacts).
    service_type = models.ForeignKey(
        ServiceType, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    received_at = models.DateTimeField(help_text="When the citizen got in touch.")
    recorded_at = models.DateTimeField(auto_now_add=True)
    channel = models.CharField(max_length=20, choices=Channel.choices, default=Channel.PHONE)
    citizen_words = models.TextField("What the citizen said, in their words")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="recorded_contacts"
    )
    demand = models.CharField(max_length=10, choices=Demand.choices)
    # What a value-demand contact asked for, from its service's demand types.
    demand_type = models.ForeignKey(
        DemandType, on_delete=models.PROTECT, null=True, blank=True, related_name="contacts"
    )
    failure_category = models.ForeignKey(
        FailureCategory, on_delete=models.PROTECT, null=True, blank=True, related_name="contacts"
    )
    prevention_note = models.TextField("Could it have been prevented, and how?", blank=True)
    is_one_stop = models.BooleanField(
        default=False, help_text="The need was met in this contact: opened and closed at once."
    )
    # One per rendered form, so a double-submitted form records one contact, not two.
    submission_token = models.UUIDField(unique=True, null=True, blank=True, editable=False)

    # Not a column: set by the logging services when a form sent again finds the contact its
    # first sending saved (demand.services._idempotent).
    logged_earlier = False

    # The prevention note is staff's, but it is about this citizen's need: it goes with the words.
    personal_data = PersonalData(
        replaced=("citizen_words",),
        erased=("prevention_note",),
        not_personal=("channel", "demand"),
        belongs_to="case",
    )

    class Meta:
        ordering = ["-received_at", "-pk"]
        permissions = [
            ("reclassify_contact", "Can change a contact's classification after review"),
            ("study_demand", "Can study demand: overview, charts and export"),
        ]
        constraints = [
            models.CheckConstraint(
                name="contact_failure_has_category",
                condition=Q(demand="value", failure_category__isnull=True)
                | Q(demand="failure", failure_category__isnull=False),
            ),
            models.CheckConstraint(name="contact_words_not_empty", condition=~Q(citizen_words="")),
            models.CheckConstraint(
                name="contact_demand_type_only_for_value",
                condition=Q(demand="value") | Q(demand_type__isnull=True),
            ),
        ]
        indexes = [
            # A case's contacts in time order (case page, "my cases" last contact).
            models.Index(fields=["case", "received_at"], name="contact_case_received_idx"),
            # The demand overview's GROUP BY queries (demand.selectors.demand_overview) over a
            # period: an index-only scan instead of one heap visit per contact (bench/RESULTS.md:
            # 401 ms -> 24 ms for 13 weeks of a million-contact council). PostgreSQL only; other
            # databases get a plain index on received_at.
            models.Index(
                fields=["received_at"],
                include=[
                    "demand",
                    "channel",
                    "service_type",
                    "case",
                    "demand_type",
                    "failure_category",
                ],
                name="contact_received_service_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_demand_display()} contact on {self.case.reference}"

    @property
    def is_failure(self) -> bool:
        return self.demand == self.Demand.FAILURE
