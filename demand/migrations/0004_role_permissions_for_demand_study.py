"""Team leaders study demand: they reclassify contacts and record system changes. Admins keep
the demand types. Lists copied here on purpose, as in 0002."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GRANTS = {
    "Team leader": [
        ("demand", "reclassify_contact"),
        ("demand", "study_demand"),
        ("demand", "view_demandtype"),
        ("cases", "view_systemchange"),
        ("cases", "add_systemchange"),
    ],
    "Front office": [("demand", "view_demandtype")],
    "Administrator": [
        ("demand", "view_demandtype"),
        ("demand", "add_demandtype"),
        ("demand", "change_demandtype"),
        ("cases", "view_systemchange"),
        ("cases", "add_systemchange"),
        ("cases", "change_systemchange"),
    ],
}


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codes in GRANTS.items():
        group, _ = Group.objects.get_or_create(name=role)
        for app_label, codename in codes:
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0002_system_changes_and_reclassification"),
        ("demand", "0003_demand_types_and_reclassification"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
