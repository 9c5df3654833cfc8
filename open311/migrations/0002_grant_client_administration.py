"""Administrators register Open311 client applications and issue or revoke their keys."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CODENAMES = ["add_client", "change_client", "view_client"]


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(
        content_type__app_label="open311", codename__in=CODENAMES
    )
    Group.objects.get_or_create(name="Administrator")[0].permissions.add(*permissions)


class Migration(migrations.Migration):
    dependencies = [("open311", "0001_initial")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
