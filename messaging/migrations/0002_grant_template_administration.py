"""Administrators edit the words of messages to citizens and read the messages sent and the
background worker's tasks."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GRANTS = {
    "messaging": [
        "add_messagetemplate",
        "change_messagetemplate",
        "view_messagetemplate",
        "view_message",
    ],
    "django_tasks_database": ["view_dbtaskresult"],
}


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    administrators = Group.objects.get_or_create(name="Administrator")[0]
    for app_label, codenames in GRANTS.items():
        administrators.permissions.add(
            *Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("messaging", "0001_initial"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
