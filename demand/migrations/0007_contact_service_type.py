"""Each contact carries its case's service (a copy: a case's service never changes), so demand
is counted by service from the contacts' own index instead of joining every case."""

import django.db.models.deletion
from django.db import migrations, models


def copy_service_from_case(apps, schema_editor):
    # One statement, on any database; for a million contacts, a few seconds.
    schema_editor.execute(
        "UPDATE demand_contact SET service_type_id = "
        "(SELECT service_type_id FROM cases_case WHERE cases_case.id = demand_contact.case_id)"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0011_drop_indexes_led_by_composites"),
        ("demand", "0006_drop_indexes_led_by_composites"),
    ]

    operations = [
        migrations.AddField(
            model_name="contact",
            name="service_type",
            field=models.ForeignKey(
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="cases.servicetype",
            ),
        ),
        migrations.RunPython(copy_service_from_case, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="contact",
            name="service_type",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="cases.servicetype",
            ),
        ),
        migrations.RemoveIndex(model_name="contact", name="contact_received_cover_idx"),
        migrations.AddIndex(
            model_name="contact",
            index=models.Index(
                fields=["received_at"],
                include=(
                    "demand",
                    "channel",
                    "service_type",
                    "case",
                    "demand_type",
                    "failure_category",
                ),
                name="contact_received_service_idx",
            ),
        ),
    ]
