"""Indexes for "did it work?" (analysis/did_it_work.py): the id in the covering index on
received_at, so a condition's linked failure demand (contacts of its kinds, or marked as its
evidence) is counted from the index alone; and each week's one-stop contacts of a service."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("demand", "0009_arrived_contact"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="contact",
            name="contact_received_service_idx",
        ),
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
                    "id",
                ),
                name="contact_received_service_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="contact",
            index=models.Index(
                condition=models.Q(("is_one_stop", True)),
                fields=["received_at"],
                include=("service_type",),
                name="contact_one_stop_idx",
            ),
        ),
    ]
