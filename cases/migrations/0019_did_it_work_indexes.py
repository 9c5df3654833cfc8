"""Indexes for "did it work?" (analysis/did_it_work.py): a service's new cases by week, and
each case's hand-offs, counted from indexes alone."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0018_citizen_update"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                fields=["service_type", "opened_at"], name="case_service_opened_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="timelineentry",
            index=models.Index(
                condition=models.Q(
                    ("kind", "handoff"),
                    models.Q(("kind", "step"), ("step_kind", "handoff")),
                    _connector="OR",
                ),
                fields=["case"],
                name="timeline_handoff_idx",
            ),
        ),
    ]
