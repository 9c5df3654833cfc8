from django import forms
from django.contrib import admin
from django.db import models

from cases import audit, selectors
from cases.models import AuditEntry, Case, Citizen, ServiceType, TimelineEntry


class AuditedAdmin(admin.ModelAdmin):
    """Every change made through the admin goes into the audit trail, in the admin's own
    transaction: who, when, each field's old and new value, many-to-many fields included, and
    anything deleted. Every ModelAdmin registered in CouncilFlow must be one of these (or
    NoDeleteAdmin or ReadOnlyAdmin, which are): cases/checks.py fails `manage.py check`, and so
    the tests, when one is not. An admin action that changes rows must audit them itself."""

    def save_model(self, request, obj, form, change) -> None:
        before = audit.snapshot(type(obj)._default_manager.get(pk=obj.pk)) if change else None
        super().save_model(request, obj, form, change)
        if before is None:
            audit.record_creation(obj, by=request.user)
        else:
            audit.record_changes(obj, before, by=request.user)

    def save_related(self, request, form, formsets, change) -> None:
        obj = form.instance
        names = [field.name for field in obj._meta.many_to_many if field.name in form.fields]
        before = {name: _names(getattr(obj, name).all()) for name in names} if change else {}
        super().save_related(request, form, formsets, change)
        for name in names:
            audit.record_value_change(
                obj,
                field=name,
                old=before.get(name, ""),
                new=_names(getattr(obj, name).all()),
                by=request.user,
                action=AuditEntry.Action.CHANGED if change else AuditEntry.Action.CREATED,
            )

    def delete_model(self, request, obj) -> None:
        _record_deletion(obj, by=request.user)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset) -> None:
        for obj in queryset:
            _record_deletion(obj, by=request.user)
        super().delete_queryset(request, queryset)


def _names(objects) -> str:
    return ", ".join(sorted(str(obj) for obj in objects))


def _record_deletion(obj: models.Model, *, by) -> None:
    audit.record_event(action=AuditEntry.Action.DELETED, by=by, obj=obj, description=str(obj))


class NoDeleteAdmin(AuditedAdmin):
    """Configuration that cases refer to is retired (is_active), never deleted; every change
    to it is audited."""

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


# A retention period shorter than this is asked about before it is saved: the next nightly run
# would anonymise every closed case older than it.
RETENTION_CONFIRM_BELOW_DAYS = 30


class ServiceTypeForm(forms.ModelForm):
    confirm_short_retention = forms.BooleanField(
        required=False,
        label="Yes, anonymise those cases at the next retention run",
        help_text=(f"Needed for a retention period under {RETENTION_CONFIRM_BELOW_DAYS} days."),
    )

    class Meta:
        model = ServiceType
        fields = ["name", "slug", "description", "is_active", "retention_days"]

    def clean(self):
        cleaned = super().clean()
        days = cleaned.get("retention_days")
        changed = self.instance.pk is None or "retention_days" in self.changed_data
        if (
            days is not None
            and days < RETENTION_CONFIRM_BELOW_DAYS
            and changed
            and not cleaned.get("confirm_short_retention")
        ):
            due = (
                selectors.cases_past_retention_count(service_type=self.instance, days=days)
                if self.instance.pk
                else 0
            )
            cases = "case" if due == 1 else "cases"
            self.add_error(
                "confirm_short_retention",
                f"A retention period of {days} days is short. The next retention run will "
                f"anonymise {due} closed {cases} of this service (closed more than {days} days "
                "ago): the citizens' words and details go for good. Tick the box to confirm, "
                "or choose a longer period.",
            )
        return cleaned


@admin.register(ServiceType)
class ServiceTypeAdmin(NoDeleteAdmin):
    form = ServiceTypeForm
    list_display = ["name", "slug", "retention_days", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}
    fields = [
        "name",
        "slug",
        "description",
        "is_active",
        "retention_days",
        "confirm_short_retention",
    ]


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
    """The whole audit trail, case and configuration changes alike, searchable and filtered by
    action, kind of object and who; nobody can add, change or delete an entry."""

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
    list_filter = ["action", "object_type", ("actor", admin.RelatedOnlyFieldListFilter)]
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
