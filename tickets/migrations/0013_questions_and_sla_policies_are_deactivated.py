from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("tickets", "0012_canned_responses_are_deactivated")]

    operations = [
        migrations.AddField(
            model_name="questionnairefield",
            name="is_active",
            field=models.BooleanField(default=True, verbose_name="active"),
        ),
        migrations.AddField(
            model_name="slapolicy", name="is_active", field=models.BooleanField(default=True, verbose_name="active")
        ),
    ]
