from django.db import models


class FloorRow(models.Model):
    """One row per floor POST: the least a request that writes can do."""

    created_at = models.DateTimeField(auto_now_add=True)
    text = models.TextField()

    def __str__(self) -> str:
        return f"Floor row {self.pk}"
