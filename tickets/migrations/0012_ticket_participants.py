"""The users of a ticket's account who took part in its mail (To/Cc) hear of the desk's replies."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

from servicedesk.db.rls import EnableTenantRowLevelSecurity


class Migration(migrations.Migration):
    dependencies = [
        ("servicedesk", "0008_merge_20261205_0740"),
        ("tickets", "0011_merge_20261205_0740"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="TicketParticipant",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("added_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "tenant",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="servicedesk.tenant",
                        verbose_name="tenant",
                    ),
                ),
                (
                    "ticket",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="tickets.ticket",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(fields=("tenant", "ticket", "user"), name="ticket_participant_once")
                ],
            },
        ),
        EnableTenantRowLevelSecurity("TicketParticipant"),
    ]
