"""Tickets are incidents, complaints and enquiries: simple service requests and change
requests are records of the orders app. Every ticket of the retired kinds stays, with its
number, its conversation and its clocks, as an enquiry, and gets a timeline line saying what
it was; going back reads those lines and removes them."""

from django.db import migrations, models
from django.utils import timezone

from servicedesk.tenancy import tenant_context

RETIRED = {
    "service_request": "This ticket was a service request. Service requests are now simple service "
    "requests from the catalogue (SSR-…), so it stays here as an enquiry.",
    "change_request": "This ticket was a change request. Changes are now change requests (CR-…), so it "
    "stays here as an enquiry.",
}


def _per_tenant(apps, work):
    # Row-level security holds the migrating role too: each tenant's rows are reached inside it.
    for tenant_id in apps.get_model("servicedesk", "Tenant").objects.values_list("pk", flat=True):
        with tenant_context(tenant_id):
            work(tenant_id)


def retire_kinds(apps, schema_editor):
    Ticket = apps.get_model("tickets", "Ticket")
    TicketEvent = apps.get_model("tickets", "TicketEvent")
    now = timezone.now()

    def work(tenant_id):
        for kind, reason in RETIRED.items():
            tickets = Ticket.objects.filter(tenant_id=tenant_id, kind=kind)
            TicketEvent.objects.bulk_create(
                TicketEvent(
                    tenant_id=tenant_id, ticket_id=pk, kind="field_changed", at=now, field="kind",
                    from_value=kind, to_value="enquiry", reason=reason,
                )
                for pk in tickets.values_list("pk", flat=True)
            )  # fmt: skip
            tickets.update(kind="enquiry")

    _per_tenant(apps, work)


def restore_kinds(apps, schema_editor):
    Ticket = apps.get_model("tickets", "Ticket")
    TicketEvent = apps.get_model("tickets", "TicketEvent")

    def work(tenant_id):
        for kind, reason in RETIRED.items():
            lines = TicketEvent.objects.filter(
                tenant_id=tenant_id, kind="field_changed", field="kind", from_value=kind, reason=reason
            )
            Ticket.objects.filter(tenant_id=tenant_id, pk__in=lines.values("ticket_id")).update(kind=kind)
            lines.delete()

    _per_tenant(apps, work)


class Migration(migrations.Migration):
    dependencies = [("tickets", "0004_problems")]

    operations = [
        migrations.RunPython(retire_kinds, restore_kinds),
        migrations.AlterField(
            model_name="ticket",
            name="kind",
            field=models.CharField(
                choices=[("incident", "Incident"), ("complaint", "Complaint"), ("enquiry", "General enquiry")],
                max_length=20,
                verbose_name="kind",
            ),
        ),
    ]
