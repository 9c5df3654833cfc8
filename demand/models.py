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
        # A report or update sent online through an Open311 client (FixMyStreet, the council's
        # own web form): it arrives by itself, and its ArrivedContact names the application.
        ONLINE = "online", "Online report"

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
            # With the id, the failure demand linked to a system condition (its kinds of failure
            # demand, or contacts marked as its evidence: improvement.selectors.
            # linked_failure_demand) is counted from this index alone too (bench/RESULTS.md).
            models.Index(
                fields=["received_at"],
                include=[
                    "demand",
                    "channel",
                    "service_type",
                    "case",
                    "demand_type",
                    "failure_category",
                    "id",
                ],
                name="contact_received_service_idx",
            ),
            # "Did it work?": each week's one-stop contacts (each one opened and closed its
            # case), of a service (analysis.did_it_work.one_stop_rate).
            models.Index(
                fields=["received_at"],
                include=["service_type"],
                condition=Q(is_one_stop=True),
                name="contact_one_stop_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_demand_display()} contact on {self.case.reference}"

    @property
    def is_failure(self) -> bool:
        return self.demand == self.Demand.FAILURE


class ArrivedContact(models.Model):
    """A report or an update that a citizen sent online (through FixMyStreet or the council's
    web form, over Open311), kept exactly as it arrived, in their words, with where it is and
    links to their photos. It waits in the front office's "Arrived online" list until someone
    takes it: taking it classifies it and logs it as a contact (channel: online report) on a new
    case they own, or on the citizen's open case. Its `contact` is then that contact."""

    class Kind(models.TextChoices):
        REPORT = "report", "Report"
        UPDATE = "update", "Update on a report"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    # The application it came through, as its administrators named it ("FixMyStreet").
    source = models.CharField(max_length=100)
    service_type = models.ForeignKey(ServiceType, on_delete=models.PROTECT, related_name="+")
    # When the citizen sent it (the citizen's clock starts here), and when it reached us.
    received_at = models.DateTimeField()
    arrived_at = models.DateTimeField(auto_now_add=True)
    citizen_words = models.TextField()
    # What the citizen said they were asking for, from the service's demand types.
    asked_for = models.ForeignKey(
        DemandType, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Who they said they are: any of it may be missing.
    first_name = models.CharField(max_length=200, blank=True)
    last_name = models.CharField(max_length=200, blank=True)
    email = models.CharField(max_length=254, blank=True)
    phone = models.CharField(max_length=100, blank=True)
    # Where: as the client gave it. Coordinates are kept as the decimal text that was sent.
    address = models.TextField(blank=True)
    postcode = models.CharField(max_length=20, blank=True)
    latitude = models.CharField(max_length=20, blank=True)
    longitude = models.CharField(max_length=20, blank=True)
    easting = models.CharField(max_length=20, blank=True)
    northing = models.CharField(max_length=20, blank=True)
    uprn = models.CharField(max_length=20, blank=True)
    address_id = models.CharField(max_length=200, blank=True)
    # Links to the citizen's photos, one a line.
    photo_urls = models.TextField(blank=True)
    # An update's status as the citizen set it ("closed": they say it is fixed).
    status_given = models.CharField(max_length=40, blank=True)
    # Everything else the client sent (its attributes, the citizen's account id...), as JSON
    # text, so that nothing they sent is lost.
    details = models.TextField(blank=True)
    # The report an update is about.
    report = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="updates"
    )
    # The case it is on: set when it is taken (for an update, once its report has been taken).
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, null=True, blank=True, related_name="arrivals"
    )
    contact = models.OneToOneField(
        Contact, on_delete=models.PROTECT, null=True, blank=True, related_name="arrival"
    )
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    taken_at = models.DateTimeField(null=True, blank=True)

    personal_data = PersonalData(
        replaced=("citizen_words", "details"),
        erased=(
            "first_name",
            "last_name",
            "email",
            "phone",
            "address",
            "postcode",
            "latitude",
            "longitude",
            "easting",
            "northing",
            "uprn",
            "address_id",
            "photo_urls",
        ),
        not_personal=("kind", "source", "status_given"),
        belongs_to="case",
    )

    class Meta:
        ordering = ["arrived_at", "pk"]
        constraints = [
            models.CheckConstraint(
                name="arrival_taken_all_or_nothing",
                condition=Q(contact__isnull=True, taken_by__isnull=True, taken_at__isnull=True)
                | Q(contact__isnull=False, taken_by__isnull=False, taken_at__isnull=False),
            ),
            models.CheckConstraint(name="arrival_words_not_empty", condition=~Q(citizen_words="")),
            models.CheckConstraint(
                name="arrival_update_has_report",
                condition=Q(kind="report", report__isnull=True)
                | Q(kind="update", report__isnull=False),
            ),
        ]
        indexes = [
            # The "Arrived online" list: what is waiting, oldest first.
            models.Index(
                fields=["arrived_at"], condition=Q(contact__isnull=True), name="arrival_waiting_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} from {self.source} ({self.pk})"

    @property
    def citizen_name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part.strip())

    @property
    def photo_list(self) -> list[str]:
        return [url for url in self.photo_urls.splitlines() if url.strip()]

    @property
    def is_waiting(self) -> bool:
        return self.contact_id is None
