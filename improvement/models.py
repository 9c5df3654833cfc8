"""The improvement register (Check → Plan → Do, docs/method.md §8): the system conditions that
cause failure demand, with their evidence; the system changes the team made to the work,
addressing those conditions; and whether each change worked (analysis reads that)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from cases.models import ServiceType, TimelineEntry
from demand.models import Contact, DemandType, FailureCategory
from lib.personal import PersonalData

# Withdrawn means by someone, at a time, for a reason; not withdrawn means none. (A system
# condition and a system change are withdrawn the same way.)
WITHDRAWN_WHOLE = Q(withdrawn_at__isnull=True, withdrawn_by__isnull=True, withdrawal_reason="") | (
    Q(withdrawn_at__isnull=False, withdrawn_by__isnull=False) & ~Q(withdrawal_reason="")
)


class Withdrawable(models.Model):
    """Recorded by someone; corrected (each correction counts a version, so an edit over someone
    else's is refused) and withdrawn, never deleted: a withdrawn entry stays in the register
    with who withdrew it, when and why."""

    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    # Counts corrections and the withdrawal, so an edit over someone else's is refused.
    version = models.PositiveIntegerField(default=1)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    withdrawal_reason = models.TextField(blank=True)

    class Meta:
        abstract = True

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @property
    def scope(self) -> str:
        """Which service it is about, as the register says it."""
        return self.service_type.name if self.service_type else "All services"


class SystemCondition(Withdrawable):
    """Something in the design or management of the work that causes failure demand or waste
    ("repair letters don't say when the trade will come"), with its evidence: the kinds of
    failure demand and the requests it shows in, the contacts marked as evidence of it, and the
    kinds of waste step it causes (docs/method.md §8)."""

    class Kind(models.TextChoices):
        POLICY = "policy", "Policy"
        PROCEDURE = "procedure", "Procedure"
        IT = "it", "IT system"
        MEASURES = "measures", "Measures and targets"
        ROLES = "roles", "Roles and structure"
        INFORMATION = "information", "Information to citizens"

    title = models.CharField(max_length=200, help_text="In plain words.")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # Null: the condition is council-wide.
    service_type = models.ForeignKey(
        ServiceType,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="system_conditions",
    )
    description = models.TextField(blank=True)
    # Its failure demand: contacts of these kinds (of its service, if it has one) ...
    failure_categories = models.ManyToManyField(FailureCategory, blank=True, related_name="+")
    # ... about cases asking for these, if any are named (no demand type: about anything).
    demand_types = models.ManyToManyField(DemandType, blank=True, related_name="+")
    # The kinds of waste step it causes (TimelineEntry.StepKind, never value work).
    waste_step_kinds = models.JSONField(default=list, blank=True)
    # Audited by their labels, with the linked rows (improvement.services), not as a raw list.
    not_audited = ("waste_step_kinds",)

    # The team's own words about the council's work: nothing about a citizen.
    personal_data = PersonalData(
        not_personal=("title", "kind", "description", "waste_step_kinds", "withdrawal_reason")
    )

    class Meta:
        ordering = ["title", "pk"]
        constraints = [
            models.CheckConstraint(
                name="system_condition_withdrawn_whole", condition=WITHDRAWN_WHOLE
            ),
            models.CheckConstraint(name="system_condition_has_title", condition=~Q(title="")),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("analysis:condition", kwargs={"pk": self.pk})

    @property
    def waste_step_labels(self) -> list[str]:
        labels = dict(TimelineEntry.StepKind.choices)
        return [labels.get(kind, kind) for kind in self.waste_step_kinds]


class ConditionEvidence(models.Model):
    """A contact someone marked as evidence of a system condition ("this is evidence of …").
    A mark made by mistake is removed, never deleted: who removed it and when stay here, and
    both the mark and its removal are in the audit trail."""

    # Indexed by condition_evidence_once, which leads with it.
    condition = models.ForeignKey(
        SystemCondition, on_delete=models.PROTECT, related_name="evidence", db_index=False
    )
    # Indexed by evidence_contact_idx.
    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="+", db_index=False)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    marked_at = models.DateTimeField(auto_now_add=True)
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    # A link between two rows, with no text of its own: the words stay on the contact.
    personal_data = PersonalData()

    class Meta:
        ordering = ["-marked_at", "-pk"]
        verbose_name_plural = "condition evidence"
        constraints = [
            # A contact is evidence of a condition once (a removed mark may be made again). Its
            # index also finds a condition's evidence (its page, its chart).
            models.UniqueConstraint(
                fields=["condition", "contact"],
                condition=Q(removed_at__isnull=True),
                name="condition_evidence_once",
            ),
            models.CheckConstraint(
                name="condition_evidence_removed_whole",
                condition=Q(removed_at__isnull=True, removed_by__isnull=True)
                | Q(removed_at__isnull=False, removed_by__isnull=False),
            ),
        ]
        indexes = [
            # The conditions a contact is evidence of (the mark-as-evidence page).
            models.Index(fields=["contact"], name="evidence_contact_idx"),
        ]

    def __str__(self) -> str:
        return f"Contact {self.contact_id} is evidence of {self.condition_id}"

    @property
    def case_id(self) -> int:
        """The case the marked contact is on: its History shows the mark."""
        return self.contact.case_id


class SystemChange(Withdrawable):
    """A dated note that the way the work is done changed (a new form, a new team design),
    addressing system conditions, with what the team expects to see, in words. Charts start a
    new phase there (docs/method.md §5), and "did it work?" reads the measures either side of
    it (§8). A change recorded by mistake is corrected or withdrawn, never deleted: a withdrawn
    change stays in the register, with who withdrew it, when and why, and starts no phase."""

    class Status(models.TextChoices):
        TRYING = "trying", "Trying it"
        ADOPTED = "adopted", "Adopted"
        ABANDONED = "abandoned", "Abandoned"

    changed_on = models.DateField(help_text="The first day the work was done the new way.")
    # Null: the change applies to every service.
    service_type = models.ForeignKey(
        ServiceType,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="system_changes",
        help_text="Leave empty for a change to every service.",
    )
    description = models.TextField()
    # What the work is for, from the citizen's point of view.
    purpose = models.TextField(blank=True)
    # How it was changed: who did what, how the new way was tried.
    method = models.TextField(blank=True)
    # What the team expects to see, in words: never a number to hit.
    expectation = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.TRYING)
    conditions = models.ManyToManyField(SystemCondition, blank=True, related_name="changes")

    # What the team changed in its own work, and why a note of it was withdrawn: nothing about
    # a citizen.
    personal_data = PersonalData(
        not_personal=(
            "description",
            "purpose",
            "method",
            "expectation",
            "status",
            "withdrawal_reason",
        )
    )

    class Meta:
        ordering = ["changed_on", "pk"]
        constraints = [
            models.CheckConstraint(name="system_change_withdrawn_whole", condition=WITHDRAWN_WHOLE)
        ]

    def __str__(self) -> str:
        scope = self.service_type or "all services"
        return f"{self.changed_on:%d %B %Y}, {scope}: {self.description[:60]}"

    def get_absolute_url(self) -> str:
        return reverse("improvement:change", kwargs={"pk": self.pk})
