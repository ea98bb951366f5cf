"""Order and change-request timeline lines the desk writes itself carry their values as data
(``params``), read in the reader's language by the pages. Existing lines are converted: the
order kind of a "received" line (stored as its English words in ``reason``), the days of a
"dates computed" line (in an English or translated sentence in ``reason``), the deadline a
delivery date was confirmed after, and the cost and window of a quote. Going back empties
``params`` and writes the English sentences again."""

import datetime as dt
import re

from django.db import migrations, models

from servicedesk.tenancy import tenant_context

ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
QUOTE = re.compile(r"^(?P<cost>-?\d+(?:\.\d+)?) (?P<currency>[A-Z]{3}), (?P<start>\S+) – (?P<end>\S+)$")
LATE = re.compile(r"^Confirmed after the deadline of (\d{4}-\d{2}-\d{2})\.$")


def _per_tenant(apps, work):
    # Row-level security holds the migrating role too: each tenant's rows are reached inside it.
    for tenant_id in apps.get_model("servicedesk", "Tenant").objects.values_list("pk", flat=True):
        with tenant_context(tenant_id):
            work(tenant_id)


def _instant(value):
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed.astimezone(dt.UTC).isoformat()


def to_params(apps, schema_editor):
    OrderEvent = apps.get_model("orders", "OrderEvent")
    ChangeRequestEvent = apps.get_model("orders", "ChangeRequestEvent")

    def work(tenant_id):
        created = OrderEvent.objects.filter(tenant_id=tenant_id, kind="created").select_related("order")
        for event in created:
            event.params, event.reason = {"kind": event.order.kind}, ""
            event.save(update_fields=["params", "reason"])
        for event in OrderEvent.objects.filter(tenant_id=tenant_id, kind="dates", field="confirmation_due_on"):
            days = ISO_DAY.findall(event.reason)
            due = days[0] if days else (event.to_value or None)
            estimate = days[1] if len(days) > 1 else None
            event.params, event.reason = {"due": due, "estimate": estimate}, ""
            event.save(update_fields=["params", "reason"])
        for event in OrderEvent.objects.filter(tenant_id=tenant_id, kind="delivery_date"):
            late = LATE.match(event.reason.strip())
            event.params = {
                "day": event.to_value or None,
                "before": event.from_value or None,
                "late_after": late.group(1) if late else None,
            }
            if late:
                event.reason = ""
            event.save(update_fields=["params", "reason"])
        for event in ChangeRequestEvent.objects.filter(tenant_id=tenant_id, kind="quoted"):
            quote = QUOTE.match(event.to_value.strip())
            if quote is None:
                continue
            start, end = _instant(quote["start"]), _instant(quote["end"])
            if start and end:
                event.params = {"cost": quote["cost"], "currency": quote["currency"], "start": start, "end": end}
                event.save(update_fields=["params"])

    _per_tenant(apps, work)


def from_params(apps, schema_editor):
    OrderEvent = apps.get_model("orders", "OrderEvent")
    ChangeRequestEvent = apps.get_model("orders", "ChangeRequestEvent")
    kinds = {"standard": "Standard", "icb": "Individual case based (ICB)", "automated": "Automated (high volume)",
             "leased_line": "Leased line from a supplier"}  # fmt: skip

    def work(tenant_id):
        for event in OrderEvent.objects.filter(tenant_id=tenant_id).exclude(params={}):
            params = event.params
            if event.kind == "created":
                event.reason = kinds.get(params.get("kind"), "")
            elif event.kind == "dates" and params.get("due"):
                event.reason = (
                    f"Delivery date to be confirmed by {params['due']}; "
                    f"estimated delivery {params.get('estimate') or 'unknown'}."
                )
            elif event.kind == "delivery_date" and params.get("late_after") and not event.reason:
                event.reason = f"Confirmed after the deadline of {params['late_after']}."
            event.params = {}
            event.save(update_fields=["params", "reason"])
        ChangeRequestEvent.objects.filter(tenant_id=tenant_id).update(params={})

    _per_tenant(apps, work)


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0004_catalogue_languages_and_weekend_notice"),
    ]

    operations = [
        migrations.AddField(
            model_name="changerequestevent",
            name="params",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AddField(
            model_name="orderevent",
            name="params",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.RunPython(to_params, from_params),
    ]
