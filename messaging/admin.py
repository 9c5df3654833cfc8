"""Administrators edit the words of messages to citizens, per service; messages and the
background worker's tasks are shown read-only. Every admin here is audited (councilflow.E001)."""

from django import forms
from django.contrib import admin
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult

from cases.admin import NoDeleteAdmin, ReadOnlyAdmin
from messaging.models import Message, MessageTemplate
from messaging.wording import DEFAULTS, PLACEHOLDERS

PLACEHOLDER_HELP = "Placeholders, filled when a message is queued: " + "; ".join(
    f"(({name})) {meaning}" for name, meaning in PLACEHOLDERS.items()
)


class MessageTemplateForm(forms.ModelForm):
    class Meta:
        model = MessageTemplate
        fields = ["service_type", "kind", "channel", "subject", "body", "is_active"]
        help_texts = {"body": PLACEHOLDER_HELP}


@admin.register(MessageTemplate)
class MessageTemplateAdmin(NoDeleteAdmin):
    """The words of each kind of message, per service and channel; a new one starts from the
    built-in words. Retired (is_active), never deleted."""

    form = MessageTemplateForm
    list_display = ["__str__", "service_type", "kind", "channel", "is_active"]
    list_filter = ["kind", "channel", "is_active", "service_type"]
    search_fields = ["subject", "body", "service_type__name"]

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        kind = initial.get("kind", MessageTemplate.Kind.UPDATE)
        channel = initial.get("channel", "email")
        subject, body = DEFAULTS.get((kind, channel), ("", ""))
        return {"kind": kind, "channel": channel, "subject": subject, "body": body, **initial}


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    """Every message to a citizen, its words as sent, how many tries and how it ended."""

    list_display = ["case", "channel", "via", "status", "tries", "queued_at", "sent_at"]
    list_filter = ["status", "channel", "via"]
    search_fields = ["=case__id", "to"]
    date_hierarchy = "queued_at"
    list_select_related = ["case__service_type"]


# The background worker's tasks, from django-tasks-db: shown, never changed or deleted here
# (its own admin is replaced by an audited, read-only one).
admin.site.unregister(DBTaskResult)


@admin.register(DBTaskResult)
class TaskResultAdmin(ReadOnlyAdmin, DBTaskResultAdmin):
    pass
