"""Administrators register client applications and issue, reissue or revoke their keys. A key
is shown once, in the message after it is issued; only its digest is kept."""

from django.contrib import admin, messages

from cases import audit
from cases.admin import NoDeleteAdmin
from open311 import services
from open311.models import Client


@admin.register(Client)
class ClientAdmin(NoDeleteAdmin):
    """Client applications: added (with a key), renamed, given a new key or revoked, each in the
    audit trail; never deleted (their requests refer to them: revoke the key instead)."""

    list_display = ["name", "key_prefix", "is_active", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["is_active"]
    search_fields = ["name"]
    fields = ["name", "key_prefix", "is_active", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["key_prefix", "is_active", "created_at", "last_used_at", "revoked_at"]
    actions = ["issue_new_key", "revoke_key"]

    def save_model(self, request, obj, form, change):
        if change:
            before = audit.snapshot(Client.objects.get(pk=obj.pk), ("name",))
            obj.save(update_fields=["name"])
            audit.record_changes(obj, before, by=request.user)
            return
        client, key = services.client_add(name=obj.name, by=request.user)
        obj.pk, obj.key_prefix, obj.key_hash = client.pk, client.key_prefix, client.key_hash
        obj._state.adding = False
        self._show_key(request, client, key)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.base_fields["name"].help_text = (
            "The application's name, e.g. FixMyStreet: its reports arrive as “Online report "
            "from” this name. Saving a new client issues its API key, shown once."
        )
        return form

    def _show_key(self, request, client: Client, key: str) -> None:
        messages.warning(
            request,
            f"The API key of {client.name}, shown this once (copy it now): {key}",
        )

    @admin.action(description="Issue a new key (the old one stops working)")
    def issue_new_key(self, request, queryset):
        for client in queryset:
            key = services.client_new_key(client=client, by=request.user)
            self._show_key(request, client, key)

    @admin.action(description="Revoke the key (refuse its requests)")
    def revoke_key(self, request, queryset):
        for client in queryset:
            services.client_revoke(client=client, by=request.user)
        self.message_user(request, f"Revoked {queryset.count()} client key(s).")
