"""Areas as a list: local authorities by their GSS codes, seeded with the 22 Welsh principal
areas; each property's free-text area becomes a choice from the list.

The existing texts are matched (trimmed, ignoring case and accents) on an area's English or
Welsh name. A text that matches none stops the migration, naming it: an area is never invented.
"""

import unicodedata

import django.core.validators
import django.db.models.deletion
from django.db import migrations, models

import placements.models

GSS_CODE_PATTERN = r"^(E0[6-9]|W06|S12|N09)[0-9]{6}$"

# The 22 principal areas of Wales (ONS codes; Welsh names as the Welsh Government writes them).
WELSH_PRINCIPAL_AREAS = [
    ("W06000001", "Isle of Anglesey", "Ynys Môn"),
    ("W06000002", "Gwynedd", "Gwynedd"),
    ("W06000003", "Conwy", "Conwy"),
    ("W06000004", "Denbighshire", "Sir Ddinbych"),
    ("W06000005", "Flintshire", "Sir y Fflint"),
    ("W06000006", "Wrexham", "Wrecsam"),
    ("W06000008", "Ceredigion", "Ceredigion"),
    ("W06000009", "Pembrokeshire", "Sir Benfro"),
    ("W06000010", "Carmarthenshire", "Sir Gaerfyrddin"),
    ("W06000011", "Swansea", "Abertawe"),
    ("W06000012", "Neath Port Talbot", "Castell-nedd Port Talbot"),
    ("W06000013", "Bridgend", "Pen-y-bont ar Ogwr"),
    ("W06000014", "Vale of Glamorgan", "Bro Morgannwg"),
    ("W06000015", "Cardiff", "Caerdydd"),
    ("W06000016", "Rhondda Cynon Taf", "Rhondda Cynon Taf"),
    ("W06000018", "Caerphilly", "Caerffili"),
    ("W06000019", "Blaenau Gwent", "Blaenau Gwent"),
    ("W06000020", "Torfaen", "Tor-faen"),
    ("W06000021", "Monmouthshire", "Sir Fynwy"),
    ("W06000022", "Newport", "Casnewydd"),
    ("W06000023", "Powys", "Powys"),
    ("W06000024", "Merthyr Tydfil", "Merthyr Tudful"),
]


def folded(text):
    """ "  Ynys môn " → "ynys mon": trimmed, one space between words, no case, no accents."""
    decomposed = unicodedata.normalize("NFKD", " ".join(text.split()).casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def seed(apps, schema_editor):
    LocalAuthority = apps.get_model("placements", "LocalAuthority")
    LocalAuthority.objects.bulk_create(
        [LocalAuthority(code=code, name=name, name_cy=name_cy) for code, name, name_cy in WELSH_PRINCIPAL_AREAS],
        ignore_conflicts=True,
    )


def match_areas(apps, schema_editor):
    LocalAuthority = apps.get_model("placements", "LocalAuthority")
    Property = apps.get_model("placements", "Property")
    by_name = {}
    for area in LocalAuthority.objects.all():
        for name in (area.name, area.name_cy, area.code):
            if name:
                by_name[folded(name)] = area.code
    texts = set(Property.objects.values_list("local_authority", flat=True).distinct())
    unmatched = sorted(text for text in texts if folded(text) not in by_name)
    if unmatched:
        raise RuntimeError(
            "These properties' areas match no local authority on the list: "
            + ", ".join(repr(text) for text in unmatched)
            + ". Correct each in placements_property.local_authority to the area's English or Welsh "
            "name or its GSS code (an area outside Wales: its GSS code, added to WELSH_PRINCIPAL_AREAS' "
            "list in this migration only if the code is checked against the ONS's), and migrate again."
        )
    for text in texts:
        Property.objects.filter(local_authority=text).update(area_id=by_name[folded(text)])


def back_to_text(apps, schema_editor):
    Property = apps.get_model("placements", "Property")
    for prop in Property.objects.select_related("area"):
        Property.objects.filter(pk=prop.pk).update(local_authority=prop.area.name)


class Migration(migrations.Migration):
    dependencies = [
        ("placements", "0010_transfers"),
    ]

    operations = [
        migrations.CreateModel(
            name="LocalAuthority",
            fields=[
                (
                    "code",
                    models.CharField(
                        error_messages={"unique": "An area with this GSS code is already on the list"},
                        help_text="The official code from the ONS, for example W06000008 for Ceredigion.",
                        max_length=9,
                        primary_key=True,
                        serialize=False,
                        validators=[
                            django.core.validators.RegexValidator(
                                GSS_CODE_PATTERN,
                                code="invalid_gss_code",
                                message="Enter the area's 9-character GSS code: E06, E07, E08, E09, W06, "
                                "S12 or N09 and 6 digits, like W06000008",
                            )
                        ],
                        verbose_name="GSS code",
                    ),
                ),
                (
                    "name",
                    models.CharField(
                        error_messages={"unique": "An area with this name is already on the list"},
                        max_length=100,
                        unique=True,
                        verbose_name="name in English",
                    ),
                ),
                ("name_cy", models.CharField(blank=True, max_length=100, verbose_name="name in Welsh")),
                (
                    "in_use",
                    models.BooleanField(
                        default=True,
                        help_text="Offered when a property or an application names its area.",
                        verbose_name="in use",
                    ),
                ),
            ],
            options={
                "verbose_name": "local authority area",
                "verbose_name_plural": "local authority areas",
                "ordering": ["name"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("code__regex", GSS_CODE_PATTERN)), name="localauthority_code_is_gss"
                    )
                ],
            },
        ),
        migrations.RunPython(seed, migrations.RunPython.noop),
        migrations.AddField(
            model_name="property",
            name="area",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="placements.localauthority",
            ),
        ),
        migrations.RunPython(match_areas, back_to_text),
        migrations.RemoveField(model_name="property", name="local_authority"),
        migrations.RenameField(model_name="property", old_name="area", new_name="local_authority"),
        migrations.AlterField(
            model_name="property",
            name="local_authority",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="properties",
                to="placements.localauthority",
                verbose_name="area (local authority)",
            ),
        ),
        migrations.AlterField(
            model_name="property",
            name="name",
            field=models.CharField(
                error_messages={"unique": "There is already a property with this name"},
                max_length=120,
                unique=True,
                verbose_name="name",
            ),
        ),
        migrations.AlterField(
            model_name="property",
            name="postcode",
            field=models.CharField(
                max_length=10, validators=[placements.models.validate_uk_postcode], verbose_name="postcode"
            ),
        ),
    ]
