"""The reports' indexes: SLA clocks met and breached in a period (carrying what the report
counts, for index-only scans), tickets resolved in a period, reopenings by time, escalation
events by time."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0003_list_indexes"),
        ("servicedesk", "0003_business_calendars"),
        ("tickets", "0007_tickets_leave_room_for_updates"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="slaclock",
            index=models.Index(
                condition=models.Q(("met_at__isnull", False)),
                fields=["tenant", "met_at"],
                include=["state", "target", "ticket", "started_at"],
                name="slaclock_met_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="slaclock",
            index=models.Index(
                condition=models.Q(("state", "breached")),
                fields=["tenant", "due_at"],
                include=["target", "ticket", "met_at"],
                name="slaclock_breached_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(
                condition=models.Q(("resolved_at__isnull", False)),
                fields=["tenant", "resolved_at"],
                name="ticket_tenant_resolved_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(
                condition=models.Q(("impact", "outage"), ("kind", "incident"), ("service__isnull", False)),
                fields=["tenant", "resolved_at"],
                include=["service", "problem_started_at", "created_at", "status", "account", "site"],
                name="ticket_outage_restored_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="ticketevent",
            index=models.Index(
                condition=models.Q(("from_value", "resolved"), ("kind", "transition")),
                fields=["tenant", "at"],
                include=["ticket", "to_value", "field"],
                name="ticketevent_reopen_idx",
            ),
        ),
    ]
