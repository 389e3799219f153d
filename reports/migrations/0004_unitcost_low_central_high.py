"""Unit costs get a low, a central and a high figure: the amount becomes the central one, and
the low and high start equal to it (a scheme manager widens them on the assumptions page)."""

from decimal import Decimal

from django.db import migrations, models
from django.db.models import F


def low_and_high_from_central(apps, schema_editor):
    apps.get_model("reports", "UnitCost").objects.update(low=F("central"), high=F("central"))


class Migration(migrations.Migration):
    dependencies = [("reports", "0003_reportexport_offender_ids")]

    operations = [
        migrations.RemoveConstraint(model_name="unitcost", name="unitcost_amount_not_negative"),
        migrations.RenameField(model_name="unitcost", old_name="amount", new_name="central"),
        migrations.AlterField(
            model_name="unitcost",
            name="central",
            field=models.DecimalField(decimal_places=2, max_digits=12, verbose_name="central (£)"),
        ),
        migrations.AddField(
            model_name="unitcost",
            name="low",
            field=models.DecimalField(
                decimal_places=2, default=Decimal("0"), max_digits=12, verbose_name="low (£)"
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="unitcost",
            name="high",
            field=models.DecimalField(
                decimal_places=2, default=Decimal("0"), max_digits=12, verbose_name="high (£)"
            ),
            preserve_default=False,
        ),
        migrations.RunPython(low_and_high_from_central, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="unitcost",
            constraint=models.CheckConstraint(
                condition=models.Q(("low__gte", 0)), name="unitcost_low_not_negative"
            ),
        ),
        migrations.AddConstraint(
            model_name="unitcost",
            constraint=models.CheckConstraint(
                condition=models.Q(("low__lte", models.F("central")), ("central__lte", models.F("high"))),
                name="unitcost_low_central_high_in_order",
            ),
        ),
    ]
