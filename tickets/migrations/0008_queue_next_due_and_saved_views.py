"""The agents' queues: each ticket's next due and warning instants (kept by
tickets.services.sla), an index per queue in its default order, and the agents' saved views.
Existing tickets get their instants from their clocks, tenant by tenant."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models
from django.db.models import Min, OuterRef, Subquery

from servicedesk.db.rls import EnableTenantRowLevelSecurity
from servicedesk.tenancy import tenant_context


def fill_due_instants(apps, schema_editor):
    Ticket, SlaClock = apps.get_model("tickets", "Ticket"), apps.get_model("tickets", "SlaClock")
    # Row-level security holds the migrating role too: each tenant's rows are reached inside it.
    for tenant_id in apps.get_model("servicedesk", "Tenant").objects.values_list("pk", flat=True):
        with tenant_context(tenant_id):
            counting = SlaClock.objects.filter(
                tenant_id=tenant_id, met_at__isnull=True, state__in=["running", "breached"]
            )
            per_ticket = counting.filter(ticket_id=OuterRef("pk")).order_by().values("ticket_id")
            Ticket.objects.filter(tenant_id=tenant_id, pk__in=counting.values("ticket_id")).update(
                next_due_at=Subquery(per_ticket.annotate(m=Min("due_at")).values("m")[:1]),
                next_warn_at=Subquery(per_ticket.annotate(m=Min("warn_at")).values("m")[:1]),
            )


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0003_list_indexes"),
        ("servicedesk", "0004_tenant_breaching_soon_minutes"),
        ("tickets", "0007_tickets_leave_room_for_updates"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="SavedQueueView",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=80, verbose_name="name")),
                ("query", models.CharField(blank=True, max_length=1000)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
            ],
            options={
                "verbose_name": "saved queue view",
                "verbose_name_plural": "saved queue views",
                "ordering": ["name", "id"],
            },
        ),
        migrations.AddField(
            model_name="ticket",
            name="next_due_at",
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name="next due"),
        ),
        migrations.AddField(
            model_name="ticket",
            name="next_warn_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(
                condition=models.Q(("status__in", ["new", "acknowledged", "in_progress", "waiting_for_customer"])),
                fields=["tenant", "next_due_at", "id"],
                name="ticket_open_due_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(
                condition=models.Q(("status__in", ["new", "acknowledged", "in_progress", "waiting_for_customer"])),
                fields=["tenant", "assignee", "next_due_at", "id"],
                name="ticket_assignee_due_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(
                condition=models.Q(("status__in", ["new", "acknowledged", "in_progress", "waiting_for_customer"])),
                fields=["tenant", "team", "next_due_at", "id"],
                name="ticket_team_due_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(
                condition=models.Q(
                    ("status__in", ["new", "acknowledged", "in_progress", "waiting_for_customer"]),
                    ("assignee__isnull", True),
                ),
                fields=["tenant", "next_due_at", "id"],
                name="ticket_unassigned_due_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(
                condition=models.Q(
                    ("status__in", ["new", "acknowledged", "in_progress", "waiting_for_customer"]),
                    ("escalation_level__gt", 0),
                ),
                fields=["tenant", "next_due_at", "id"],
                name="ticket_escalated_due_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(
                condition=models.Q(("status", "waiting_for_customer")),
                fields=["tenant", "next_due_at", "id"],
                name="ticket_waiting_due_idx",
            ),
        ),
        migrations.AddField(
            model_name="savedqueueview",
            name="tenant",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="servicedesk.tenant",
                verbose_name="tenant",
            ),
        ),
        migrations.AddField(
            model_name="savedqueueview",
            name="user",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddConstraint(
            model_name="savedqueueview",
            constraint=models.UniqueConstraint(fields=("tenant", "user", "name"), name="saved_queue_view_unique_name"),
        ),
        EnableTenantRowLevelSecurity("SavedQueueView"),
        migrations.RunPython(fill_due_instants, migrations.RunPython.noop, elidable=True),
    ]
