"""The product area on the ticket (its service's when it was opened), so the reports and the
queue narrow by area without joining every ticket to its service. Existing tickets take their
service's area tenant by tenant, in ranges of ids with one UPDATE … FROM each (no row is loaded
into Python, and no long lock on a large table); the index is built after the fill."""

import django.db.models.deletion
from django.db import migrations, models

from servicedesk.tenancy import tenant_context

BATCH = 50_000


def fill_product_areas(apps, schema_editor):
    Tenant = apps.get_model("servicedesk", "Tenant")
    Ticket = apps.get_model("tickets", "Ticket")
    Service = apps.get_model("orders", "Service")
    tickets, services = Ticket._meta.db_table, Service._meta.db_table
    # Table names from the models, values as parameters.
    sql = " ".join(
        [
            f"UPDATE {tickets} SET product_area_id = s.product_area_id FROM {services} s",  # noqa: S608
            f"WHERE s.id = {tickets}.service_id AND s.product_area_id IS NOT NULL",
            f"AND {tickets}.tenant_id = %s AND {tickets}.id >= %s AND {tickets}.id < %s",
        ]
    )
    connection = schema_editor.connection
    # Row-level security holds the migrating role too: each tenant's rows are reached inside it.
    for tenant_id in Tenant.objects.values_list("pk", flat=True):
        with tenant_context(tenant_id):
            ids = Ticket.objects.filter(tenant_id=tenant_id).aggregate(low=models.Min("pk"), high=models.Max("pk"))
            if ids["low"] is None:
                continue
            with connection.cursor() as cursor:
                for low in range(ids["low"], ids["high"] + 1, BATCH):
                    cursor.execute(sql, [tenant_id, low, low + BATCH])


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0003_list_indexes"),
        ("servicedesk", "0008_merge_20261205_0740"),
        ("tickets", "0011_merge_20261205_0740"),
    ]

    operations = [
        migrations.AddField(
            model_name="ticket",
            name="product_area",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="servicedesk.productarea",
            ),
        ),
        migrations.RunPython(fill_product_areas, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(fields=["tenant", "product_area", "-created_at", "-id"], name="ticket_tenant_area_idx"),
        ),
    ]
