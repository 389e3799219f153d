from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("moveon", "0004_remove_moveonaction_moveonaction_homelessness_names_authority_and_more"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="moveonaction",
            index=models.Index(
                fields=["owner_agency", "updated_at", "id"], name="moveonaction_owner_changed_idx"
            ),
        ),
    ]
