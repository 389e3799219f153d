"""The move-on actions' history follows the action: its local housing authority becomes one of
the list of areas, each recorded text matched as the action's own were (moveon 0002); a text
that matches no area stops the migration, naming it."""

import importlib

import django.db.models.deletion
from django.db import migrations, models

_moveon = importlib.import_module("moveon.migrations.0002_local_authority_from_the_list")


def match_authorities(apps, schema_editor):
    LocalAuthority = apps.get_model("placements", "LocalAuthority")
    History = apps.get_model("audit", "MoveOnActionHistory")
    by_name = {}
    for area in LocalAuthority.objects.all():
        for name in (area.name, area.name_cy, area.code):
            if name:
                by_name[_moveon.folded(name)] = area.code
    texts = set(History.objects.exclude(local_authority="").values_list("local_authority", flat=True))
    found = {
        text: by_name.get(_moveon.folded(text)) or by_name.get(_moveon.area_part(text)) for text in texts
    }
    unmatched = sorted(text for text, code in found.items() if code is None)
    if unmatched:
        raise RuntimeError(
            "The history of move-on actions names local housing authorities that match no area on "
            "the list: " + ", ".join(repr(text) for text in unmatched) + ". Correct each in "
            "audit_moveonactionhistory.local_authority to the area's name or GSS code, and migrate again."
        )
    for text, code in found.items():
        History.objects.filter(local_authority=text).update(authority_id=code)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0018_places_history"),
        ("moveon", "0002_local_authority_from_the_list"),
        ("placements", "0011_local_authorities"),
    ]

    operations = [
        migrations.AddField(
            model_name="moveonactionhistory",
            name="authority",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                related_query_name="+",
                to="placements.localauthority",
            ),
        ),
        migrations.RunPython(match_authorities, migrations.RunPython.noop),
        migrations.RemoveField(model_name="moveonactionhistory", name="local_authority"),
        migrations.RenameField(model_name="moveonactionhistory", old_name="authority", new_name="local_authority"),
        migrations.AlterField(
            model_name="moveonactionhistory",
            name="local_authority",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                related_query_name="+",
                to="placements.localauthority",
                verbose_name="local housing authority",
            ),
        ),
    ]
