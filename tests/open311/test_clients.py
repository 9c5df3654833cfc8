"""Clients and their keys: registered by an administrator (in the admin or by the command),
the key shown once and stored hashed, revocable."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from open311 import keys
from open311.models import Client
from tests.open311.conftest import API
from tests.sign_in import sign_in

pytestmark = pytest.mark.django_db


def test_the_command_prints_the_new_key_on_its_last_line(capsys, client):
    call_command("open311_client", "add", "FixMyStreet")

    key = capsys.readouterr().out.strip().splitlines()[-1]
    stored = Client.objects.get(name="FixMyStreet")
    assert key.startswith("cf311_") and len(key) > 40
    assert stored.key_hash == keys.digest(key) and key not in stored.key_hash
    assert stored.key_prefix == key[:12]
    assert client.get(f"{API}servicerequestupdates.xml", {"api_key": key}).status_code == 200


def test_the_command_revokes_a_key(capsys, client):
    call_command("open311_client", "add", "Web form")
    key = capsys.readouterr().out.strip().splitlines()[-1]

    call_command("open311_client", "revoke", "web form")

    assert client.get(f"{API}servicerequestupdates.xml", {"api_key": key}).status_code == 403
    assert not Client.objects.get().is_active


def test_the_command_refuses_a_second_client_of_the_same_name_and_an_unknown_one():
    call_command("open311_client", "add", "FixMyStreet")
    with pytest.raises(CommandError, match="registered already"):
        call_command("open311_client", "add", "fixmystreet")
    with pytest.raises(CommandError, match="No Open311 client"):
        call_command("open311_client", "revoke", "Nobody")


def test_an_administrator_adds_a_client_and_sees_its_key_once(client, administrator):
    sign_in(client, administrator)

    response = client.post(
        reverse("admin:open311_client_add"), {"name": "Council web form"}, follow=True
    )

    stored = Client.objects.get()
    shown = [str(m) for m in response.context["messages"]]
    (message,) = [m for m in shown if "shown this once" in m]
    key = message.rsplit(" ", 1)[-1]
    assert keys.digest(key) == stored.key_hash
    page = client.get(reverse("admin:open311_client_change", args=[stored.pk])).content.decode()
    assert key not in page


def test_clients_are_never_deleted_in_the_admin(client, administrator):
    call_command("open311_client", "add", "FixMyStreet")
    sign_in(client, administrator)
    pk = Client.objects.get().pk

    assert client.get(reverse("admin:open311_client_delete", args=[pk])).status_code == 403


def test_every_change_to_a_client_and_its_key_is_in_the_audit_trail(client, administrator):
    from cases.models import AuditEntry

    call_command("open311_client", "add", "FixMyStreet")
    fms = Client.objects.get()
    call_command("open311_client", "revoke", "FixMyStreet")
    entries = AuditEntry.objects.filter(object_type="client", object_id=fms.pk)
    created = {e.field: e.new_value for e in entries.filter(action="created")}
    assert created["name"] == "FixMyStreet" and created["key_prefix"] == fms.key_prefix
    assert "key_hash" not in created  # the digest stays out of the trail
    revoked = entries.get(action="changed", field="is_active")
    assert (revoked.old_value, revoked.new_value) == ("True", "False")
    assert {e.actor_label for e in entries} == {"manage.py open311_client"}
