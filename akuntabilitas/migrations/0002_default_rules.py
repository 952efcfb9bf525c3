"""Default rules as data (the admin changes them): a region is "berisiko" below 50 % complete
with fewer than 30 days left, or below 80 % with fewer than 14; reminders 7 and 1 day before
each provincial deadline."""

from decimal import Decimal

from django.db import migrations

RISK = [(Decimal("50"), 30), (Decimal("80"), 14)]
REMINDERS = [7, 1]


def load(apps, schema_editor):
    RiskRule = apps.get_model("akuntabilitas", "RiskRule")
    ReminderThreshold = apps.get_model("akuntabilitas", "ReminderThreshold")
    for completeness, days in RISK:
        RiskRule.objects.get_or_create(
            program="", days_left=days, defaults={"min_completeness": completeness}
        )
    for days in REMINDERS:
        ReminderThreshold.objects.get_or_create(days_before=days)


def unload(apps, schema_editor):
    apps.get_model("akuntabilitas", "RiskRule").objects.filter(
        program="", days_left__in=[d for _c, d in RISK]
    ).delete()
    apps.get_model("akuntabilitas", "ReminderThreshold").objects.filter(
        days_before__in=REMINDERS
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("akuntabilitas", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
