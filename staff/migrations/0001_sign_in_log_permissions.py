"""Administrators read the sign-in log, failed sign-ins and lock-outs (django-axes' records)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

SIGN_IN_RECORDS = ["view_accesslog", "view_accessfailurelog", "view_accessattempt"]


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    administrator = Group.objects.get_or_create(name="Administrator")[0]
    for codename in SIGN_IN_RECORDS:
        administrator.permissions.add(
            Permission.objects.get(content_type__app_label="axes", codename=codename)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("axes", "0010_accessattemptexpiration"),
        ("demand", "0002_roles_and_failure_categories"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
