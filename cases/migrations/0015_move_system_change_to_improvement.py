"""SystemChange moves to the improvement app (improvement/migrations/0001). Only Django's record
of the models changes here: the table and its rows stay, and improvement takes them over."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("cases", "0014_case_is_dirty")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="SystemChange")],
            database_operations=[],
        )
    ]
