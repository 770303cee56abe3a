"""Trigram indexes for case search (cases.selectors.case_search), on PostgreSQL only: each word's lookups
(reference, summary, people's names and email, the postcode without its space) are answered from an index,
so search stays quick at a million cases. Other databases keep the plain search."""

from django.db import migrations

INDEXES = [
    ("case_reference_trgm", "cases_case", "UPPER((reference)::text)"),
    ("case_summary_trgm", "cases_case", "UPPER((summary)::text)"),
    ("person_first_name_trgm", "cases_person", "UPPER((first_name)::text)"),
    ("person_last_name_trgm", "cases_person", "UPPER((last_name)::text)"),
    ("person_email_trgm", "cases_person", "UPPER((email)::text)"),
    ("address_postcode_trgm", "cases_address", "REPLACE(UPPER((postcode)::text), ' ', '')"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, expression in INDEXES:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (({expression}) gin_trgm_ops)")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _, _ in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("cases", "0002_case_type_description_length")]
    operations = [migrations.RunPython(create, drop)]
