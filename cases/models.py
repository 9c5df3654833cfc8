"""Cases: one need of one citizen, from first contact until the need is met, with one owner."""

import re
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.urls import reverse

from lib.periods import day_in_words
from lib.personal import PersonalData

REFERENCE_PREFIX = "CF-"
REFERENCE_PATTERN = re.compile(r"(?:CF)?[-\s]?0*(\d{1,12})", re.IGNORECASE)


def format_reference(pk: int) -> str:
    return f"{REFERENCE_PREFIX}{pk:06d}"


def parse_reference(text: str) -> int | None:
    """'CF-000123', 'cf123' or '123' -> 123; anything else -> None."""
    # fullmatch on stripped text: no backtracking over a long run of spaces.
    match = REFERENCE_PATTERN.fullmatch((text or "").strip())
    return int(match.group(1)) if match else None


def case_urls(case_ids: Iterable[int]) -> list[str]:
    """Each case's page, as Case.get_absolute_url gives it, for many cases at once (a chart of
    every closure): reverse() is asked once, at about 85 µs a call, and each reference put in."""
    sentinel = format_reference(0)
    head, tail = reverse("demand:case", kwargs={"reference": sentinel}).split(sentinel)
    return [f"{head}{format_reference(pk)}{tail}" for pk in case_ids]


# Six years after closure, the usual period for a council's case records.
DEFAULT_RETENTION_DAYS = 2190
MAX_RETENTION_DAYS = 36525  # a hundred years: longer is a typing mistake


class ServiceType(models.Model):
    """A service the council provides, e.g. 'Missed bin collection'. Managed by admins."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True)
    is_active = models.BooleanField(
        default=True, help_text="Retired service types stay on old cases but are not offered."
    )
    retention_days = models.PositiveIntegerField(
        "Retention period (days)",
        default=DEFAULT_RETENTION_DAYS,
        validators=[MaxValueValidator(MAX_RETENTION_DAYS)],
        help_text=(
            "How long after a case is closed its citizen's personal data and words are kept. "
            "The apply_retention command then removes them, keeping dates, service and "
            "classification for the statistics. 2190 days is six years."
        ),
    )

    personal_data = PersonalData(not_personal=("name", "slug", "description"))

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


def normalise_postcode(postcode: str) -> str:
    """'sw1a1aa ' -> 'SW1A 1AA'; text that is not a UK postcode is kept, upper-cased."""
    compact = re.sub(r"\s+", "", postcode or "").upper()
    if 5 <= len(compact) <= 7:
        return f"{compact[:-3]} {compact[-3:]}"
    return (postcode or "").strip().upper()


def normalise_phone(phone: str) -> str:
    """'01234 567-890' -> '01234567890', so a number is found however it was typed."""
    return re.sub(r"[\s().-]", "", phone or "")


class Citizen(models.Model):
    """A person who contacts the council. Any detail may be unknown."""

    class UpdatesBy(models.TextChoices):
        """How the citizen agreed to be sent updates on their cases: their choice and consent,
        recorded as they gave it (who recorded it, and when, is in the audit trail)."""

        NOT_ASKED = "", "Not asked yet"
        EMAIL = "email", "By email"
        TEXT = "text", "By text message"
        NONE = "none", "No updates: they asked not to be sent any"

    name = models.CharField(max_length=200, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(max_length=254, blank=True)
    address = models.TextField(blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    # Updates are sent only by the way the citizen chose, with their consent; "none" is an
    # opt-out, honoured from the moment it is saved (the worker reads it again before sending).
    updates_by = models.CharField(
        "How they want to be sent updates",
        max_length=10,
        choices=UpdatesBy.choices,
        default=UpdatesBy.NOT_ASKED,
        blank=True,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # When apply_retention removed these details: every one of their cases was past retention.
    anonymised_at = models.DateTimeField(null=True, blank=True)

    personal_data = PersonalData(
        erased=("name", "phone", "email", "address", "postcode", "updates_by")
    )

    class Meta:
        ordering = ["name", "pk"]
        permissions = [
            ("export_citizen_data", "Can download everything held about a citizen"),
        ]
        indexes = [
            # Find the citizen while they are on the phone: by phone number and by postcode.
            models.Index(fields=["phone"], name="citizen_phone_idx"),
            models.Index(fields=["postcode"], name="citizen_postcode_idx"),
            # "Is this one of these people?" before a second record is made: the same name,
            # whatever its case (cases.selectors.possible_duplicates).
            models.Index(Upper("name"), name="citizen_name_upper_idx"),
        ]

    def __str__(self) -> str:
        if self.anonymised_at:
            return "Details removed (retention period ended)"
        return self.name or "Name not given"

    def save(self, *args, **kwargs):
        self.postcode = normalise_postcode(self.postcode)
        self.phone = normalise_phone(self.phone)
        super().save(*args, **kwargs)

    def updates_address(self) -> str:
        """Where their updates go, by the way they chose: "" when they chose none (or no way
        they chose has an address)."""
        if self.updates_by == self.UpdatesBy.EMAIL:
            return self.email
        if self.updates_by == self.UpdatesBy.TEXT:
            return self.phone
        return ""

    @property
    def summary(self) -> str:
        return ", ".join(
            part for part in [self.name, self.phone, self.email, self.postcode] if part
        )


class Case(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    # No index of its own for service_type or owner: case_service_closed_idx and
    # case_owner_status_idx lead with them (one index fewer to write per case).
    service_type = models.ForeignKey(
        ServiceType, on_delete=models.PROTECT, related_name="cases", db_index=False
    )
    # Null when the citizen chose not to give any details (an anonymous contact).
    citizen = models.ForeignKey(
        Citizen, on_delete=models.PROTECT, related_name="cases", null=True, blank=True
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="owned_cases",
        db_index=False,
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    what_matters = models.TextField(
        "What matters to the citizen", blank=True, help_text="In the citizen's words."
    )
    resolution = models.TextField(blank=True)
    # What happens next for the citizen, and when: a promise to them, shown to them and on the
    # case, never a due date for staff (nothing counts, charts or flags it). Cleared on closing.
    next_step = models.TextField("What happens next", blank=True)
    next_step_on = models.DateField("When", null=True, blank=True)
    # The citizen's clock: the first contact's received_at. It never moves on reopening.
    opened_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    # Bumped on every change, so a form opened before someone else's change is refused.
    version = models.PositiveIntegerField(default=1)
    # A dirty case: some contact about it was failure demand. Kept in step with the contacts as
    # they are logged and reclassified (demand.services), so that charts and lists count clean
    # and dirty cases without looking at every contact (bench/RESULTS.md).
    is_dirty = models.BooleanField(default=False, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # When apply_retention removed the personal data and citizens' words, its service's
    # retention period after closure having ended. Such a case is never reopened.
    anonymised_at = models.DateTimeField(null=True, blank=True)

    personal_data = PersonalData(
        replaced=("what_matters", "resolution", "next_step"),
        identifies=("citizen",),
        not_personal=("status",),
    )

    class Meta:
        ordering = ["-opened_at"]
        permissions = [
            ("change_any_case", "Can change any case, not only their own (team leader)"),
            ("study_capability", "Can study capability and flow (team leader)"),
        ]
        constraints = [
            models.CheckConstraint(
                name="case_closed_has_closed_at",
                condition=(Q(status="open", closed_at__isnull=True))
                | Q(status="closed", closed_at__isnull=False),
            ),
            models.CheckConstraint(
                name="case_closed_after_opened",
                condition=Q(closed_at__isnull=True) | Q(closed_at__gte=models.F("opened_at")),
            ),
            models.CheckConstraint(
                name="case_next_step_has_words",
                condition=Q(next_step_on__isnull=True) | ~Q(next_step=""),
            ),
        ]
        indexes = [
            # "My cases": a user's open cases, oldest first.
            models.Index(fields=["owner", "status", "opened_at"], name="case_owner_status_idx"),
            # "My cases": a user's most recently closed cases.
            models.Index(fields=["owner", "status", "closed_at"], name="case_owner_closed_idx"),
            # Capability: closed cases of a service in closed_at order.
            models.Index(fields=["service_type", "closed_at"], name="case_service_closed_idx"),
            # "Find a case": the newest cases first, before any search (read backwards).
            models.Index(fields=["opened_at", "id"], name="case_opened_idx"),
            # "Did it work?": a service's new cases a week (analysis.did_it_work.one_stop_rate),
            # counted from this index alone (bench/RESULTS.md).
            models.Index(fields=["service_type", "opened_at"], name="case_service_opened_idx"),
            # Work in progress: open cases by age, service and owner, counted from this index
            # alone (PostgreSQL; elsewhere a plain partial index on opened_at).
            models.Index(
                fields=["opened_at"],
                include=["id", "service_type", "owner"],
                condition=Q(status="open"),
                name="case_open_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.service_type}"

    def get_absolute_url(self) -> str:
        # The case page shows each contact in the citizen's words: demand serves it.
        return reverse("demand:case", kwargs={"reference": self.reference})

    @property
    def reference(self) -> str:
        return format_reference(self.pk) if self.pk else "(new case)"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    def clean(self):
        if self.closed_at and self.opened_at and self.closed_at < self.opened_at:
            raise ValidationError(
                {"closed_at": "A case cannot be closed before its first contact was received."}
            )


class TimelineEntry(models.Model):
    """One event in a case's life. Append-only: entries are never edited or deleted."""

    class Kind(models.TextChoices):
        CONTACT = "contact", "Contact logged"
        STEP = "step", "Step recorded"
        HANDOFF = "handoff", "Handed off"
        CLOSED = "closed", "Closed"
        REOPENED = "reopened", "Reopened"
        RECLASSIFIED = "reclassified", "Contact reclassified"
        CITIZEN_UPDATE = "citizen_update", "Update for the citizen"
        MESSAGE_SENT = "message_sent", "Message sent to the citizen"
        MESSAGE_FAILED = "message_failed", "Message to the citizen not sent"

    class StepKind(models.TextChoices):
        VALUE = "value", "Value work"
        HANDOFF = "handoff", "Hand-off"
        WAIT = "wait", "Wait"
        REWORK = "rework", "Rework"
        CHECK = "check", "Check (authorisation or inspection)"
        CHASE = "chase", "Chase (we chased someone)"

    # Indexed by timeline_case_idx, which leads with it.
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="timeline", db_index=False
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    step_kind = models.CharField(max_length=20, choices=StepKind.choices, blank=True)
    description = models.TextField(blank=True)
    # The contact this entry records, when kind is CONTACT. A plain id, not a foreign key:
    # contacts live in the demand app, which depends on cases and never the other way round.
    contact_id = models.BigIntegerField(null=True, blank=True)
    from_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    to_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # When it happened (a letter may be logged days after it arrived) ...
    occurred_at = models.DateTimeField()
    # ... and when it was written down here.
    recorded_at = models.DateTimeField(auto_now_add=True)

    # A description is the citizen's words (a contact's), or written about their need.
    personal_data = PersonalData(
        replaced=("description",), not_personal=("kind", "step_kind"), belongs_to="case"
    )

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        verbose_name_plural = "timeline entries"
        constraints = [
            models.CheckConstraint(
                name="timeline_step_has_kind",
                condition=~Q(kind="step") | ~Q(step_kind=""),
            ),
            models.CheckConstraint(
                name="timeline_handoff_has_owners",
                condition=~Q(kind="handoff") | Q(from_owner__isnull=False, to_owner__isnull=False),
            ),
        ]
        indexes = [
            models.Index(fields=["case", "occurred_at"], name="timeline_case_idx"),
            # A case's hand-offs, counted for many cases at once ("did it work?": analysis.
            # did_it_work.HANDOFFS_OF_CASE): a small index of the few entries that are one.
            models.Index(
                fields=["case"],
                condition=Q(kind="handoff") | Q(kind="step", step_kind="handoff"),
                name="timeline_handoff_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.case_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValidationError("Timeline entries are append-only and cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("Timeline entries are append-only and cannot be deleted.")


class CitizenUpdate(models.Model):
    """What the council told the citizen about their case, and how things stand: an update the
    owner (or a team leader) wrote, or the resolution when the case closed. Its words are its
    timeline entry's description (the case's own record of it). Published to the citizen as soon
    as it is saved: Open311 clients such as FixMyStreet read it (open311/), and any other way of
    telling citizens reads the same rows. The statuses are the ones Open311 clients understand."""

    class Status(models.TextChoices):
        OPEN = "open", "Open: we have it and will act on it"
        INVESTIGATING = "investigating", "We are looking into it"
        IN_PROGRESS = "in_progress", "Work is under way"
        ACTION_SCHEDULED = "action_scheduled", "Work is booked"
        FIXED = "fixed", "Fixed: the need is met"
        CLOSED = "closed", "Closed"
        NOT_COUNCILS_RESPONSIBILITY = (
            "not_councils_responsibility",
            "Not the council's responsibility",
        )
        NO_FURTHER_ACTION = "no_further_action", "No further action"
        DUPLICATE = "duplicate", "A duplicate of another report"
        INTERNAL_REFERRAL = "internal_referral", "Passed to another part of the council"

    # The statuses of an open case, and the outcomes a closed one can have.
    OPEN_STATUSES = (
        Status.OPEN,
        Status.INVESTIGATING,
        Status.IN_PROGRESS,
        Status.ACTION_SCHEDULED,
    )
    CLOSED_STATUSES = (
        Status.FIXED,
        Status.CLOSED,
        Status.NOT_COUNCILS_RESPONSIBILITY,
        Status.NO_FURTHER_ACTION,
        Status.DUPLICATE,
        Status.INTERNAL_REFERRAL,
    )

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="citizen_updates")
    entry = models.OneToOneField(
        TimelineEntry, on_delete=models.PROTECT, related_name="citizen_update"
    )
    status = models.CharField(max_length=30, choices=Status.choices)
    # What happens next and when, as the citizen was told it with this update (the case keeps
    # the latest promise; this is what this update said).
    next_step = models.TextField(blank=True)
    next_step_on = models.DateField(null=True, blank=True)
    # When the citizen could first read it: always the moment it was saved, even for a closure
    # recorded later than it happened, so that a client polling for what is new since its last
    # look never misses it.
    published_at = models.DateTimeField()

    personal_data = PersonalData(
        replaced=("next_step",), not_personal=("status",), belongs_to="case"
    )

    class Meta:
        ordering = ["-published_at", "-pk"]
        indexes = [
            # Open311's servicerequestupdates: the updates published in a window of time.
            models.Index(fields=["published_at"], name="citizen_update_published_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_status_display()} on {self.case_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValidationError("Updates for citizens are published and cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("Updates for citizens are published and cannot be deleted.")

    @property
    def is_closing(self) -> bool:
        return self.status in self.CLOSED_STATUSES


def promise_words(next_step: str, next_step_on) -> str:
    """What happens next and when, as the citizen reads it in an update: "What happens next: A
    joiner will come to fix the window. When: Tuesday 8 December 2026." """
    if not next_step.strip():
        return ""
    words = f"What happens next: {next_step.strip()}"
    if next_step_on:
        words += f"\nWhen: {day_in_words(next_step_on)}"
    return words


# The kinds of step that are waste (docs/method.md §2): every kind but value work.
WASTE_STEP_KINDS = [
    kind for kind in TimelineEntry.StepKind.values if kind != TimelineEntry.StepKind.VALUE
]


class AuditEntry(models.Model):
    """Who changed which field of a case, contact or citizen, or of the configuration (services,
    demand types, roles, staff...), when, from what to what; and who downloaded or disposed of
    personal data, or unlocked a colleague's sign-in. Written in the same transaction as the
    change. Append-only: never edited or deleted, here or in the admin."""

    class Action(models.TextChoices):
        CREATED = "created", "Created"
        CHANGED = "changed", "Changed"
        DELETED = "deleted", "Deleted"
        ANONYMISED = "anonymised", "Anonymised (retention)"
        DOWNLOADED = "downloaded", "Downloaded (subject access request)"
        # Sign-in and its safeguards, on a member of staff.
        UNLOCKED = "unlocked", "Sign-in unlocked"
        PASSWORD_CHANGED = "password_changed", "Password changed"
        PASSWORD_RESET = "password_reset", "Password reset by email"
        PASSWORD_SET = "password_set", "Password set by an administrator"
        TWO_FACTOR_ADDED = "two_factor_added", "Two-factor sign-in set up"
        TWO_FACTOR_RESET = "two_factor_reset", "Two-factor sign-in reset"
        RECOVERY_CODES = "recovery_codes", "New recovery codes made"

    occurred_at = models.DateTimeField(auto_now_add=True)
    # Null for the system itself (e.g. the retention command), named in actor_label.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=20, choices=Action.choices)
    object_type = models.CharField(max_length=20)  # the model's name: "case", "servicetype"...
    object_id = models.BigIntegerField()
    # The case a change belongs to, so a case's History shows its contacts' changes too.
    case_id = models.BigIntegerField(null=True, blank=True)
    field = models.CharField(max_length=100, blank=True)
    old_value = models.TextField(blank=True)
    new_value = models.TextField(blank=True)

    personal_data = PersonalData(
        copies=("old_value", "new_value"),
        not_personal=("actor_label", "action", "object_type", "field"),
    )

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        verbose_name_plural = "audit entries"
        indexes = [
            # A case's History page.
            models.Index(fields=["case_id", "occurred_at"], name="audit_case_idx"),
            # An admin searching the trail of one object.
            models.Index(fields=["object_type", "object_id"], name="audit_object_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.object_type} {self.object_id} {self.field}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValidationError("Audit entries cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("Audit entries cannot be deleted.")
