"""Team leaders read a case's History; administrators search the whole audit trail."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    view_audit = Permission.objects.get(content_type__app_label="cases", codename="view_auditentry")
    for role in ("Team leader", "Administrator"):
        Group.objects.get_or_create(name=role)[0].permissions.add(view_audit)


class Migration(migrations.Migration):
    dependencies = [("cases", "0005_audit_trail")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
