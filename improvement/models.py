"""The improvement register: what the team changed in the way the work is done (system changes),
and next, the system conditions that cause failure demand (docs/method.md §8)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from cases.models import ServiceType
from lib.personal import PersonalData


class SystemChange(models.Model):
    """A dated note that the way the work is done changed (a new form, a new team design).
    Charts start a new phase there (docs/method.md §5). A change recorded by mistake is
    corrected or withdrawn, never deleted: a withdrawn change stays in the register, with who
    withdrew it, when and why, and starts no phase."""

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

    # What the team changed in its own work, and why a note of it was withdrawn: nothing about
    # a citizen.
    personal_data = PersonalData(not_personal=("description", "withdrawal_reason"))

    class Meta:
        ordering = ["changed_on", "pk"]
        constraints = [
            # Withdrawn means by someone, at a time, for a reason; not withdrawn means none.
            models.CheckConstraint(
                name="system_change_withdrawn_whole",
                condition=(
                    Q(withdrawn_at__isnull=True, withdrawn_by__isnull=True, withdrawal_reason="")
                    | (
                        Q(withdrawn_at__isnull=False, withdrawn_by__isnull=False)
                        & ~Q(withdrawal_reason="")
                    )
                ),
            )
        ]

    def __str__(self) -> str:
        scope = self.service_type or "all services"
        return f"{self.changed_on:%d %B %Y}, {scope}: {self.description[:60]}"

    def get_absolute_url(self) -> str:
        return reverse("improvement:change", kwargs={"pk": self.pk})

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @property
    def scope(self) -> str:
        """Which service it changed, as the register says it."""
        return self.service_type.name if self.service_type else "All services"
