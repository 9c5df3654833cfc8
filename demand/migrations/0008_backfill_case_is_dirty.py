"""A case is dirty when any of its contacts is failure demand: set the new Case.is_dirty from
the contacts already recorded (here, in demand, because it reads the contacts' table)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0014_case_is_dirty"),
        ("demand", "0007_contact_service_type"),
    ]

    operations = [
        migrations.RunSQL(
            "UPDATE cases_case SET is_dirty = TRUE WHERE id IN "
            "(SELECT case_id FROM demand_contact WHERE demand = 'failure')",
            migrations.RunSQL.noop,
        )
    ]
