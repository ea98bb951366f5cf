"""Each met SLA clock records its business time from start to met, pauses excluded, so the
reports average and rank it in SQL; the met index carries it (index-only scans). Clocks met
before this migration get theirs from their calendars here, once: on an always-open calendar by
one UPDATE per tenant (elapsed seconds less the pauses), on others by the calendar walk."""

from django.db import migrations, models

from servicedesk.tenancy import tenant_context

BATCH = 2_000


def fill_business_seconds(apps, schema_editor):
    from servicedesk import calendars  # noqa: PLC0415
    from servicedesk.models import BusinessCalendar  # noqa: PLC0415 - the pure calendar is the model's method

    Tenant = apps.get_model("servicedesk", "Tenant")
    SlaClock = apps.get_model("tickets", "SlaClock")
    connection = schema_editor.connection
    table = connection.ops.quote_name(SlaClock._meta.db_table)
    for tenant_id in Tenant.objects.values_list("pk", flat=True):
        with tenant_context(tenant_id):
            calendars_of_tenant = BusinessCalendar.objects.filter(tenant_id=tenant_id)
            built = {c.pk: c.as_calendar() for c in calendars_of_tenant}
            always_open = [c.pk for c in calendars_of_tenant if c.always_open]
            if always_open and connection.vendor == "postgresql":
                # A calendar that is always open counts every second: one statement for its clocks.
                with connection.cursor() as cursor:
                    cursor.execute(
                        f"UPDATE {table} SET business_seconds = GREATEST(0, "  # noqa: S608 - the model's table
                        "EXTRACT(EPOCH FROM met_at - started_at)::bigint - paused_seconds) "
                        "WHERE tenant_id = %s AND calendar_id = ANY(%s) AND met_at IS NOT NULL "
                        "AND business_seconds IS NULL",
                        [tenant_id, always_open],
                    )
            met = (
                SlaClock.objects.filter(tenant_id=tenant_id, met_at__isnull=False, business_seconds__isnull=True)
                .order_by("pk")
                .only("calendar_id", "started_at", "met_at", "paused_seconds")
            )
            batch = []
            for clock in met.iterator(chunk_size=BATCH):
                elapsed = calendars.business_time_between(built[clock.calendar_id], clock.started_at, clock.met_at)
                clock.business_seconds = max(0, int(elapsed.total_seconds()) - clock.paused_seconds)
                batch.append(clock)
                if len(batch) == BATCH:
                    SlaClock.objects.bulk_update(batch, ["business_seconds"])
                    batch = []
            SlaClock.objects.bulk_update(batch, ["business_seconds"])


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0012_ticket_product_area"),
    ]

    operations = [
        migrations.AddField(
            model_name="slaclock",
            name="business_seconds",
            field=models.PositiveBigIntegerField(blank=True, null=True),
        ),
        migrations.RunPython(fill_business_seconds, migrations.RunPython.noop, elidable=True),
        migrations.RemoveIndex(model_name="slaclock", name="slaclock_met_idx"),
        migrations.AddIndex(
            model_name="slaclock",
            index=models.Index(
                condition=models.Q(("met_at__isnull", False)),
                fields=["tenant", "met_at"],
                include=("state", "target", "ticket", "started_at", "business_seconds"),
                name="slaclock_met_idx",
            ),
        ),
    ]
