"""Indexes for "find a case" by a citizen's name, phone, postcode and email on PostgreSQL:
contains/starts-with searches that ordinary B-tree indexes cannot serve (bench/RESULTS.md).
PostgreSQL only (trigram indexes need pg_trgm, a trusted extension from PostgreSQL 13); on
SQLite this migration does nothing."""

from django.db import migrations

INDEXES = {
    "citizen_name_trgm_idx": "USING gin (upper(name) gin_trgm_ops)",
    "citizen_phone_trgm_idx": "USING gin (phone gin_trgm_ops)",
    "citizen_postcode_pattern_idx": "(postcode text_pattern_ops)",
    "citizen_email_upper_idx": "(upper(email))",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, how in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON cases_citizen {how}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("cases", "0009_my_recently_closed_index")]

    operations = [migrations.RunPython(create, drop)]
