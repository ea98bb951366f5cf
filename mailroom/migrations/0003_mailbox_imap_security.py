"""The mailbox says how its IMAP connection is encrypted (TLS from the start, or STARTTLS)
instead of the port deciding; a mailbox on port 143 keeps STARTTLS."""

from django.db import migrations, models

from servicedesk.tenancy import tenant_context


def starttls_on_143(apps, schema_editor):
    Mailbox = apps.get_model("mailroom", "Mailbox")
    # Row-level security holds the migrating role too: each tenant's rows are reached inside it.
    for tenant_id in apps.get_model("servicedesk", "Tenant").objects.values_list("pk", flat=True):
        with tenant_context(tenant_id):
            Mailbox._base_manager.filter(tenant_id=tenant_id, imap_port=143).update(imap_security="starttls")


class Migration(migrations.Migration):
    dependencies = [
        ("mailroom", "0002_staff_mail_answers_tickets"),
    ]

    operations = [
        migrations.AddField(
            model_name="mailbox",
            name="imap_security",
            field=models.CharField(
                choices=[
                    ("tls", "TLS from the start (usually port 993)"),
                    ("starttls", "STARTTLS (usually port 143)"),
                ],
                default="tls",
                max_length=10,
                verbose_name="encryption",
            ),
        ),
        migrations.RunPython(starttls_on_143, migrations.RunPython.noop, elidable=True),
    ]
