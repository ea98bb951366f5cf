"""How long before its next due instant each ticket is warned (next_due_at - next_warn_at),
and the index whose last entry bounds the "breaching soon" queue's range. Existing tickets
get it from their due instants, tenant by tenant."""

from django.conf import settings
from django.db import migrations, models
from django.db.models import DurationField, ExpressionWrapper, F

from servicedesk.tenancy import tenant_context


def fill_warn_leads(apps, schema_editor):
    Ticket = apps.get_model("tickets", "Ticket")
    # Row-level security holds the migrating role too: each tenant's rows are reached inside it.
    for tenant_id in apps.get_model("servicedesk", "Tenant").objects.values_list("pk", flat=True):
        with tenant_context(tenant_id):
            Ticket.objects.filter(tenant_id=tenant_id, next_due_at__isnull=False, next_warn_at__isnull=False).update(
                next_warn_lead=ExpressionWrapper(F("next_due_at") - F("next_warn_at"), output_field=DurationField())
            )


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0003_list_indexes"),
        ("servicedesk", "0008_merge_20261205_0740"),
        ("tickets", "0012_ticketevent_merged_kind"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="ticket",
            name="next_warn_lead",
            field=models.DurationField(blank=True, editable=False, null=True),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(
                condition=models.Q(("status__in", ["new", "acknowledged", "in_progress", "waiting_for_customer"])),
                fields=["tenant", "next_warn_lead"],
                name="ticket_open_warn_lead_idx",
            ),
        ),
        migrations.RunPython(fill_warn_leads, migrations.RunPython.noop, elidable=True),
    ]
