"""Names compared without accents or case (referrals/names.py): the SQL function `iom_fold`, the
indexes People search and the duplicate check use, and PNC IDs recorded in their full form.

`iom_fold` is a plain `translate` of the characters below (frozen here as the migration's own copy
of names.FOLD_FROM / FOLD_TO; tests/referrals/test_names.py checks the two still agree), so it is
IMMUTABLE whatever the database's locale and can be indexed. The trigram indexes on the folded
names replace migration 0005's on the upper-cased ones, which nothing searches any more.
"""

import re

from django.db import migrations
from django.utils import timezone

FOLD_FROM = "ABCDEFGHIJKLMNOPQRSTUVWXYZâäáàãåÂÄÁÀÃÅêëéèÊËÉÈîïíìÎÏÍÌôöóòõÔÖÓÒÕûüúùÛÜÚÙŵẅẃẁŴẄẂẀŷÿýỳŶŸÝỲçÇñÑ"
FOLD_TO = "abcdefghijklmnopqrstuvwxyzaaaaaaaaaaaaeeeeeeeeiiiiiiiioooooooooouuuuuuuuwwwwwwwwyyyyyyyyccnn"

FUNCTION = f"""
CREATE OR REPLACE FUNCTION iom_fold(value text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT translate(value, '{FOLD_FROM}', '{FOLD_TO}') $$
"""

OLD_INDEXES = {
    "offender_first_name_trgm_idx": 'upper("first_name") gin_trgm_ops',
    "offender_last_name_trgm_idx": 'upper("last_name") gin_trgm_ops',
    "offender_aliases_trgm_idx": 'upper(offender_aliases_text("aliases")) gin_trgm_ops',
}
NEW_INDEXES = {
    "offender_first_folded_trgm_idx": 'USING gin (iom_fold("first_name") gin_trgm_ops)',
    "offender_last_folded_trgm_idx": 'USING gin (iom_fold("last_name") gin_trgm_ops)',
    "offender_aliases_folded_trgm_idx": 'USING gin (iom_fold(offender_aliases_text("aliases")) gin_trgm_ops)',
    # The duplicate check: the same date of birth and last name.
    "offender_born_last_name_idx": '("date_of_birth", iom_fold("last_name"))',
}

SHORT_PNC = re.compile(r"^(\d{2})/(\d{1,7})([A-Z])$")


def forwards(apps, schema_editor):
    schema_editor.execute(FUNCTION)
    for name in OLD_INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')
    for name, definition in NEW_INDEXES.items():
        schema_editor.execute(f'CREATE INDEX IF NOT EXISTS "{name}" ON "referrals_offender" {definition}')
    full_pnc_ids(apps)


def full_pnc_ids(apps):
    """Short-form PNC IDs (08/3749382C) in their full form (2008/3749382C), as the services now
    record them; one whose full form another record already has is left as it is."""
    Offender = apps.get_model("referrals", "Offender")
    today = timezone.localdate()
    taken = {pnc.upper() for pnc in Offender.objects.exclude(pnc_id="").values_list("pnc_id", flat=True)}
    for offender in Offender.objects.filter(pnc_id__regex=SHORT_PNC.pattern):
        year, serial, check = SHORT_PNC.match(offender.pnc_id.upper()).groups()
        year_number = today.year // 100 * 100 + int(year)
        if year_number > today.year:
            year_number -= 100
        full = f"{year_number}/{int(serial):07d}{check}"
        if full not in taken:
            Offender.objects.filter(pk=offender.pk).update(pnc_id=full)
            taken.add(full)


def backwards(apps, schema_editor):
    for name in NEW_INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')
    for name, expression in OLD_INDEXES.items():
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "referrals_offender" USING gin ({expression})'
        )
    schema_editor.execute("DROP FUNCTION IF EXISTS iom_fold(text)")


class Migration(migrations.Migration):
    dependencies = [("referrals", "0011_offenderevent_release")]

    operations = [migrations.RunPython(forwards, backwards)]
