"""Who may do what with the improvement register: team leaders record and correct system
conditions; the front office and team leaders read the register (they are the people who see
the demand) and mark contacts as evidence; team leaders may also remove someone else's mark.
Administrators read it in the admin. Lists copied here on purpose, as in demand's 0002."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GRANTS = {
    "Front office": [
        ("improvement", "view_systemcondition"),
        ("improvement", "view_systemchange"),
        ("improvement", "add_conditionevidence"),
    ],
    "Team leader": [
        ("improvement", "view_systemcondition"),
        ("improvement", "add_systemcondition"),
        ("improvement", "change_systemcondition"),
        ("improvement", "view_systemchange"),
        ("improvement", "add_conditionevidence"),
        ("improvement", "change_conditionevidence"),
    ],
    "Administrator": [
        ("improvement", "view_systemcondition"),
        ("improvement", "view_conditionevidence"),
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
    dependencies = [("improvement", "0003_system_conditions_and_evidence")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
