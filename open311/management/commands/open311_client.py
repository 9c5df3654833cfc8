"""Register an Open311 client application and print its new key, or revoke a client's key:

python manage.py open311_client add "FixMyStreet"      # the key is the last line printed
python manage.py open311_client revoke "FixMyStreet"
python manage.py open311_client list
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from open311 import services
from open311.models import Client

# Who the audit trail says did it: whoever ran the command on the server.
COMMAND = "manage.py open311_client"


class Command(BaseCommand):
    help = "Register an Open311 client (printing its key, once), revoke one, or list them."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["add", "revoke", "list"])
        parser.add_argument("name", nargs="?", default="")

    def handle(self, *args, action: str, name: str, **options):
        if action == "list":
            for client in Client.objects.all():
                state = "active" if client.is_active else f"revoked {client.revoked_at:%Y-%m-%d}"
                self.stdout.write(f"{client.name}\t{client.key_prefix}…\t{state}")
            return
        if not name.strip():
            raise CommandError(f"Name the client: open311_client {action} NAME")
        if action == "add":
            try:
                client, key = services.client_add(name=name, actor_label=COMMAND)
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from error
            self.stdout.write(
                f"Registered {client.name}. Its API key is shown this once: give it to the "
                "client's administrator, who sets it as the api_key of their Open311 endpoint."
            )
            self.stdout.write(key)
            return
        client = Client.objects.filter(name__iexact=name.strip()).first()
        if client is None:
            raise CommandError(f"No Open311 client is called {name!r}.")
        services.client_revoke(client=client, actor_label=COMMAND)
        self.stdout.write(f"Revoked the key of {client.name}: its requests are refused from now.")
