from django.contrib import admin

from cases.models import AuditEntry, Case, Citizen, ServiceType, TimelineEntry


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
