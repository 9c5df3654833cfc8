from django import forms
from django.contrib import admin

from cases.admin import NoDeleteAdmin, ReadOnlyAdmin
from improvement import services
from improvement.models import ConditionEvidence, SystemChange, SystemCondition


class SystemChangeAdminForm(forms.ModelForm):
    """Adding a change in the admin follows the register's rules (no date ahead of today,
    words required)."""

    class Meta:
        model = SystemChange
        fields = ["changed_on", "service_type", "description"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("changed_on") and "description" in cleaned:
            services.system_change_check(
                changed_on=cleaned["changed_on"], description=cleaned["description"]
            )
        return cleaned


@admin.register(SystemChange)
class SystemChangeAdmin(NoDeleteAdmin):
    """Dated notes that the work was redesigned: each starts a new phase on the charts. Added
    here or on the register; corrected and withdrawn only on the register
    (/improvement/changes/), which audits each correction, so here a recorded change is
    read-only."""

    form = SystemChangeAdminForm
    list_display = ["changed_on", "service_type", "description", "recorded_by", "withdrawn_at"]
    list_filter = ["service_type", ("withdrawn_at", admin.EmptyFieldListFilter)]
    search_fields = ["description", "withdrawal_reason"]
    date_hierarchy = "changed_on"

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return ["recorded_by", "recorded_at", "withdrawn_at", "withdrawn_by", "withdrawal_reason"]

    def has_change_permission(self, request, obj=None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        """Recorded (and audited) by the register's own service."""
        recorded = services.system_change_record(by=request.user, **form.cleaned_data)
        obj.pk, obj.recorded_by, obj.recorded_at = (
            recorded.pk,
            recorded.recorded_by,
            recorded.recorded_at,
        )


@admin.register(SystemCondition)
class SystemConditionAdmin(ReadOnlyAdmin):
    """What in the work causes failure demand, as team leaders recorded it on the register
    (/improvement/conditions/), which audits every change: read-only here."""

    list_display = ["title", "kind", "service_type", "recorded_by", "recorded_at", "withdrawn_at"]
    list_filter = ["kind", "service_type", ("withdrawn_at", admin.EmptyFieldListFilter)]
    search_fields = ["title", "description", "withdrawal_reason"]


@admin.register(ConditionEvidence)
class ConditionEvidenceAdmin(ReadOnlyAdmin):
    """Contacts marked as evidence of a system condition: marked and taken back on the
    register, read-only here."""

    list_display = ["condition", "contact", "marked_by", "marked_at", "removed_at"]
    list_filter = [("removed_at", admin.EmptyFieldListFilter)]
    list_select_related = ["condition", "contact__case", "marked_by"]
    raw_id_fields = ["contact"]
