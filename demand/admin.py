from django.contrib import admin

from cases.admin import NoDeleteAdmin, ReadOnlyAdmin
from demand.models import Contact, DemandType, FailureCategory


@admin.register(FailureCategory)
class FailureCategoryAdmin(NoDeleteAdmin):
    list_display = ["name", "slug", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Contact)
class ContactAdmin(ReadOnlyAdmin):
    list_display = ["case", "received_at", "channel", "demand", "failure_category", "is_one_stop"]
    list_filter = ["demand", "channel", "failure_category", "is_one_stop"]
    search_fields = ["citizen_words"]
    date_hierarchy = "received_at"
    list_select_related = ["case", "failure_category"]


@admin.register(DemandType)
class DemandTypeAdmin(NoDeleteAdmin):
    list_display = ["name", "service_type", "is_active"]
    list_filter = ["service_type", "is_active"]
    search_fields = ["name"]
    list_select_related = ["service_type"]
