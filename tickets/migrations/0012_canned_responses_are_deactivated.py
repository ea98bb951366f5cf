from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("tickets", "0011_merge_20261205_0740")]

    operations = [
        migrations.AddField(
            model_name="cannedresponse",
            name="is_active",
            field=models.BooleanField(default=True, verbose_name="active"),
        ),
    ]
