"""The improvement register: what the team changed in the way the work is done (system changes),
and next, the system conditions that cause failure demand (docs/method.md §8)."""

from django.conf import settings
from django.db import models

from cases.models import ServiceType
from lib.personal import PersonalData


class SystemChange(models.Model):
    """A dated note that the way the work is done changed (a new form, a new team design).
    Charts start a new phase there (docs/method.md §5)."""

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

    # What the team changed in its own work: nothing about a citizen.
    personal_data = PersonalData(not_personal=("description",))

    class Meta:
        ordering = ["changed_on", "pk"]

    def __str__(self) -> str:
        scope = self.service_type or "all services"
        return f"{self.changed_on:%d %B %Y}, {scope}: {self.description[:60]}"
