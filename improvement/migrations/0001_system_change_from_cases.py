"""SystemChange, moved here from the cases app with its table and rows.

1. Django's record of the model is created here on the existing table cases_systemchange (no
   database change), after cases/0015 removed it from the cases app's record.
2. Its content type is relabelled from cases to improvement, so the permissions granted to
   roles (view, add, change system changes) and the admin's log of changes carry over.
3. The table is renamed improvement_systemchange (a rename: no row is copied)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def relabel_content_type(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    moved = ContentType.objects.filter(app_label="cases", model="systemchange")
    if not ContentType.objects.filter(app_label="improvement", model="systemchange").exists():
        moved.update(app_label="improvement")


def restore_content_type(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    back = ContentType.objects.filter(app_label="improvement", model="systemchange")
    if not ContentType.objects.filter(app_label="cases", model="systemchange").exists():
        back.update(app_label="cases")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("cases", "0015_move_system_change_to_improvement"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="SystemChange",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "changed_on",
                            models.DateField(
                                help_text="The first day the work was done the new way."
                            ),
                        ),
                        ("description", models.TextField()),
                        ("recorded_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "recorded_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "service_type",
                            models.ForeignKey(
                                blank=True,
                                help_text="Leave empty for a change to every service.",
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="system_changes",
                                to="cases.servicetype",
                            ),
                        ),
                    ],
                    options={"ordering": ["changed_on", "pk"], "db_table": "cases_systemchange"},
                )
            ],
            database_operations=[],
        ),
        migrations.RunPython(relabel_content_type, restore_content_type),
        migrations.AlterModelTable(name="systemchange", table=None),
    ]
