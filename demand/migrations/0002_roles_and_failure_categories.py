"""Create the three roles with their permissions, and the failure-demand categories of
docs/method.md §2. Lists are copied here on purpose: a migration must not change when app code
does."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

FRONT_OFFICE_PERMISSIONS = [
    ("cases", "view_case"),
    ("cases", "add_case"),
    ("cases", "view_citizen"),
    ("cases", "add_citizen"),
    ("cases", "view_servicetype"),
    ("cases", "view_timelineentry"),
    ("cases", "add_timelineentry"),
    ("demand", "view_contact"),
    ("demand", "add_contact"),
    ("demand", "view_failurecategory"),
]
TEAM_LEADER_PERMISSIONS = [*FRONT_OFFICE_PERMISSIONS, ("cases", "change_any_case")]
ADMINISTRATOR_PERMISSIONS = [
    ("cases", "view_case"),
    ("cases", "view_citizen"),
    ("cases", "view_timelineentry"),
    ("cases", "view_servicetype"),
    ("cases", "add_servicetype"),
    ("cases", "change_servicetype"),
    ("demand", "view_contact"),
    ("demand", "view_failurecategory"),
    ("demand", "add_failurecategory"),
    ("demand", "change_failurecategory"),
    ("auth", "view_user"),
    ("auth", "add_user"),
    ("auth", "change_user"),
    ("auth", "view_group"),
]
ROLES = {
    "Front office": FRONT_OFFICE_PERMISSIONS,
    "Team leader": TEAM_LEADER_PERMISSIONS,
    "Administrator": ADMINISTRATOR_PERMISSIONS,
}

FAILURE_CATEGORIES = [
    ("progress-chasing", "Progress chasing", "“Where is my…”: the citizen chases progress."),
    ("not-done", "Not done", "Something promised did not happen."),
    ("not-done-right", "Not done right", "Wrong item, repeat visit, a job to do again."),
    ("didnt-understand", "Didn't understand", "An unclear letter, form or web page."),
    ("repeat-contact", "Repeat contact", "The same demand again."),
    ("passed-around", "Passed around", "Wrong place, transferred, sent elsewhere."),
    ("complaint", "Complaint", "A complaint arising from any of these."),
]


def create_roles_and_categories(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codes in ROLES.items():
        group, _ = Group.objects.get_or_create(name=role)
        for app_label, codename in codes:
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
    FailureCategory = apps.get_model("demand", "FailureCategory")
    for slug, name, description in FAILURE_CATEGORIES:
        FailureCategory.objects.get_or_create(
            slug=slug, defaults={"name": name, "description": description}
        )


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("cases", "0001_initial"),
        ("demand", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_roles_and_categories, migrations.RunPython.noop)]
