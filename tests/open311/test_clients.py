"""Clients and their keys: registered by an administrator (in the admin or by the command),
the key shown once and stored hashed, revocable."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from open311 import keys
from open311.models import Client
from tests.open311.conftest import API

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
    client.force_login(administrator)

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
    client.force_login(administrator)
    pk = Client.objects.get().pk

    assert client.get(reverse("admin:open311_client_delete", args=[pk])).status_code == 403
