from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("orders", "0003_list_indexes")]

    operations = [
        migrations.AddField(
            model_name="supplier", name="is_active", field=models.BooleanField(default=True, verbose_name="active")
        ),
    ]
