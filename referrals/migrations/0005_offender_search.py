"""Index-backed search of people by name, alias, PNC ID and CRN (`referrals.selectors.offender_list`).

The trigram indexes need the pg_trgm extension, which the embedded server (pgserver) lacks: there
they are not created and the same search runs row by row, with the same results.
"""

from django.db import migrations

ALIASES_FUNCTION = """
CREATE OR REPLACE FUNCTION offender_aliases_text(aliases varchar[]) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT array_to_string(aliases, ' ') $$
"""
# array_to_string is only STABLE in general (an element type's text form may depend on settings);
# for varchar elements it is not, so the function may be declared IMMUTABLE and indexed.

TRIGRAM_INDEXES = {
    "offender_first_name_trgm_idx": 'upper("first_name") gin_trgm_ops',
    "offender_last_name_trgm_idx": 'upper("last_name") gin_trgm_ops',
    "offender_aliases_trgm_idx": 'upper(offender_aliases_text("aliases")) gin_trgm_ops',
}


def _has_trigrams(schema_editor) -> bool:
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")
        return cursor.fetchone() is not None


def forwards(apps, schema_editor):
    schema_editor.execute(ALIASES_FUNCTION)
    if not _has_trigrams(schema_editor):
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, expression in TRIGRAM_INDEXES.items():
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "referrals_offender" USING gin ({expression})'
        )


def backwards(apps, schema_editor):
    for name in TRIGRAM_INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')
    schema_editor.execute("DROP FUNCTION IF EXISTS offender_aliases_text(varchar[])")


class Migration(migrations.Migration):
    dependencies = [("referrals", "0004_offender_retention")]

    operations = [migrations.RunPython(forwards, backwards)]
