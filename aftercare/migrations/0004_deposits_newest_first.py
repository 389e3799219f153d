from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("aftercare", "0003_constraint_messages"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="deposit",
            index=models.Index(fields=["-paid_on", "-id"], name="deposit_newest_idx"),
        ),
    ]
