"""A system change recorded by mistake can be corrected (its version counts corrections, so an
edit over someone else's is refused) or withdrawn: who withdrew it, when and why. Existing
changes start at version 1, not withdrawn."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0016_citizen_name_upper_idx"),
        ("improvement", "0001_system_change_from_cases"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="systemchange",
            name="version",
            field=models.PositiveIntegerField(default=1),
        ),
        migrations.AddField(
            model_name="systemchange",
            name="withdrawal_reason",
            field=models.TextField(blank=True),
        ),
        migrations.AddField(
            model_name="systemchange",
            name="withdrawn_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="systemchange",
            name="withdrawn_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddConstraint(
            model_name="systemchange",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("withdrawal_reason", ""),
                        ("withdrawn_at__isnull", True),
                        ("withdrawn_by__isnull", True),
                    ),
                    models.Q(
                        ("withdrawn_at__isnull", False),
                        ("withdrawn_by__isnull", False),
                        models.Q(("withdrawal_reason", ""), _negated=True),
                    ),
                    _connector="OR",
                ),
                name="system_change_withdrawn_whole",
            ),
        ),
    ]
