"""A move-on action's local housing authority becomes one of the list of areas
(placements.LocalAuthority) instead of free text.

Each text is matched, trimmed and ignoring case and accents, on an area's English or Welsh name or
its GSS code, once the words that name the council rather than the area are set aside ("Ceredigion
County Council", "Cyngor Sir Ceredigion", "City and County of Swansea"). A text that matches no area
stops the migration, naming it: no area is invented.
"""

import re
import unicodedata

import django.db.models.deletion
from django.db import migrations, models

HOMELESSNESS_KINDS = ["wales_s62", "wales_s66", "wales_s73", "wales_s75", "england_duty_to_refer"]

# The words around an area's name in its council's (longest first, so "county borough council"
# goes before "council").
COUNCIL_WORDS = re.compile(
    r"^(cyngor (sir|bwrdeistref sirol|dinas a sir|dinas)( y| a)? |city and county of |city of |the )"
    r"|( (county borough|county|city|borough|metropolitan borough|district))? council$"
)


def folded(text):
    decomposed = unicodedata.normalize("NFKD", " ".join(text.split()).casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def area_part(text):
    text = folded(text)
    previous = None
    while previous != text:
        previous, text = text, COUNCIL_WORDS.sub("", text).strip()
    return text


def match_authorities(apps, schema_editor):
    LocalAuthority = apps.get_model("placements", "LocalAuthority")
    MoveOnAction = apps.get_model("moveon", "MoveOnAction")
    by_name = {}
    for area in LocalAuthority.objects.all():
        for name in (area.name, area.name_cy, area.code):
            if name:
                by_name[folded(name)] = area.code
    texts = set(MoveOnAction.objects.exclude(local_authority="").values_list("local_authority", flat=True))
    found = {text: by_name.get(folded(text)) or by_name.get(area_part(text)) for text in texts}
    unmatched = sorted(text for text, code in found.items() if code is None)
    if unmatched:
        raise RuntimeError(
            "These move-on actions' local housing authorities match no area on the list: "
            + ", ".join(repr(text) for text in unmatched)
            + ". Correct each in moveon_moveonaction.local_authority to the area's English or Welsh "
            "name or its GSS code (an area outside the list: add it to placements_localauthority, "
            "with its GSS code checked against the ONS's, in a migration before this one), and "
            "migrate again."
        )
    for text, code in found.items():
        MoveOnAction.objects.filter(local_authority=text).update(authority_id=code)


def back_to_text(apps, schema_editor):
    MoveOnAction = apps.get_model("moveon", "MoveOnAction")
    for action in MoveOnAction.objects.filter(authority__isnull=False).select_related("authority"):
        MoveOnAction.objects.filter(pk=action.pk).update(local_authority=action.authority.name)


class Migration(migrations.Migration):
    dependencies = [
        ("moveon", "0001_move_on_plans_and_actions"),
        ("placements", "0011_local_authorities"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="moveonaction", name="moveonaction_homelessness_names_authority"),
        migrations.AddField(
            model_name="moveonaction",
            name="authority",
            field=models.ForeignKey(
                null=True,
                blank=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="placements.localauthority",
            ),
        ),
        migrations.RunPython(match_authorities, back_to_text),
        migrations.RemoveField(model_name="moveonaction", name="local_authority"),
        migrations.RenameField(model_name="moveonaction", old_name="authority", new_name="local_authority"),
        migrations.AlterField(
            model_name="moveonaction",
            name="local_authority",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="placements.localauthority",
                verbose_name="local housing authority",
            ),
        ),
        migrations.AddConstraint(
            model_name="moveonaction",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("kind__in", HOMELESSNESS_KINDS), _negated=True),
                    ("local_authority__isnull", False),
                    _connector="OR",
                ),
                name="moveonaction_homelessness_names_authority",
            ),
        ),
    ]
