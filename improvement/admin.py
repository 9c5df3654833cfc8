from django.contrib import admin

from cases.admin import NoDeleteAdmin
from improvement.models import SystemChange


@admin.register(SystemChange)
class SystemChangeAdmin(NoDeleteAdmin):
    """Dated notes that the work was redesigned: each starts a new phase on the charts."""

    list_display = ["changed_on", "service_type", "description", "recorded_by"]
    list_filter = ["service_type"]
    search_fields = ["description"]
    date_hierarchy = "changed_on"
    exclude = ["recorded_by"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.recorded_by = request.user
        super().save_model(request, obj, form, change)
