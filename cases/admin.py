from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from cases.models import AuditEntry, Case, Citizen, ServiceType, SystemChange, TimelineEntry


class NoDeleteAdmin(admin.ModelAdmin):
    """Configuration that cases refer to is retired (is_active), never deleted."""

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ServiceType)
class ServiceTypeAdmin(NoDeleteAdmin):
    list_display = ["name", "slug", "retention_days", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}


class ReadOnlyAdmin(NoDeleteAdmin):
    """Cases and their timelines change only through the app's services, which record who did
    what; the admin shows them but cannot edit or delete them."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = [
        "reference",
        "service_type",
        "citizen",
        "owner",
        "status",
        "opened_at",
        "anonymised_at",
    ]
    list_filter = ["status", "service_type", ("anonymised_at", admin.EmptyFieldListFilter)]
    search_fields = ["citizen__name", "citizen__postcode", "citizen__phone"]
    date_hierarchy = "opened_at"
    list_select_related = ["service_type", "citizen", "owner"]


@admin.register(TimelineEntry)
class TimelineEntryAdmin(ReadOnlyAdmin):
    list_display = ["case", "kind", "step_kind", "actor", "occurred_at"]
    list_filter = ["kind", "step_kind"]
    list_select_related = ["case", "actor"]


@admin.register(Citizen)
class CitizenAdmin(ReadOnlyAdmin):
    list_display = ["name", "phone", "email", "postcode"]
    search_fields = ["name", "phone", "email", "postcode"]


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


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    """The whole audit trail, searchable; nobody can add, change or delete an entry."""

    list_display = [
        "occurred_at",
        "actor",
        "actor_label",
        "action",
        "object_type",
        "object_id",
        "field",
        "old_value",
        "new_value",
    ]
    list_filter = ["action", "object_type"]
    search_fields = [
        "=object_id",
        "=case_id",
        "field",
        "old_value",
        "new_value",
        "actor__username",
        "actor_label",
    ]
    date_hierarchy = "occurred_at"
    list_select_related = ["actor"]


admin.site.unregister(get_user_model())


@admin.register(get_user_model())
class StaffAdmin(UserAdmin):
    """Staff and their roles. People who leave are made inactive, never deleted: their name
    stays on the cases and contacts they handled."""

    list_display = ["username", "first_name", "last_name", "roles", "is_active", "last_login"]
    list_filter = ["groups", "is_active", "is_staff"]
    search_fields = ["username", "first_name", "last_name", "email"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="Roles")
    def roles(self, user) -> str:
        return ", ".join(group.name for group in user.groups.all())

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")
