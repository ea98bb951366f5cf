"""Mail from the desk's staff that answers no open ticket is kept with an outcome of its own."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("mailroom", "0001_inbound_mail"),
    ]

    operations = [
        migrations.AlterField(
            model_name="inboundmessage",
            name="outcome",
            field=models.CharField(
                blank=True,
                choices=[
                    ("ticket", "New ticket"),
                    ("comment", "Reply on a ticket"),
                    ("automatic", "Automatic reply (ignored)"),
                    ("bounce", "Bounce (ignored)"),
                    ("mailing_list", "Mailing list (ignored)"),
                    ("own_mail", "The desk's own mail (ignored)"),
                    ("unknown_sender", "Unknown sender (ignored)"),
                    ("rate_limited", "Too many messages from this sender (ignored)"),
                    ("staff_not_a_reply", "Staff mail that answers no open ticket (ignored)"),
                ],
                max_length=20,
                verbose_name="outcome",
            ),
        ),
    ]
