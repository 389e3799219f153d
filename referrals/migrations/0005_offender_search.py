"""Index-backed search of people by name, alias, PNC ID and CRN (`referrals.selectors.offender_list`).

The trigram indexes need the pg_trgm extension, which every environment has (the embedded server,
CI's PostgreSQL and docker-compose's: docs/adr/004-embedded-postgresql.md), so they always exist.
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


def forwards(apps, schema_editor):
    schema_editor.execute(ALIASES_FUNCTION)
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
