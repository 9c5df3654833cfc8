"""Team leaders answer subject access requests: they download everything held about a citizen.
The role is copied here on purpose, as in demand's 0002."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Team leader")
    group.permissions.add(
        Permission.objects.get(content_type__app_label="cases", codename="export_citizen_data")
    )


class Migration(migrations.Migration):
    dependencies = [("cases", "0007_retention")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
