"""``python manage.py ingest_email --tenant SLUG < message.eml``: one message from standard
input, for a mail server's pipe (e.g. Postfix ``mailbox_command``). Exit status 0 when the
message is stored (whatever became of it), 75 (EX_TEMPFAIL: the mail server retries) when it
could not be stored."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from mailroom.selectors import mailbox_of_tenant
from mailroom.services.inbound import receive_message
from servicedesk.models import Tenant
from servicedesk.tenancy import tenant_context

EX_TEMPFAIL = 75


class Command(BaseCommand):
    help = "Take in one e-mail message from standard input for a tenant's desk."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tenant", required=True, help="The tenant's slug, e.g. northwind.")

    def handle(self, *args: Any, **options: Any) -> None:
        tenant = Tenant.objects.filter(slug=options["tenant"], is_active=True).first()
        if tenant is None:
            raise CommandError(f"No active tenant {options['tenant']!r}.")
        raw = sys.stdin.buffer.read()
        if not raw.strip():
            raise CommandError("No message on standard input.")
        with tenant_context(tenant):
            mailbox = mailbox_of_tenant()
            if mailbox is None:
                raise CommandError(f"Tenant {tenant.slug!r} has no active mailbox.")
            try:
                received = receive_message(mailbox=mailbox, raw=raw, source="pipe")
            except Exception as exc:
                self.stderr.write(f"Not stored, try again later: {exc}")
                raise SystemExit(EX_TEMPFAIL) from exc
        message = received.message
        what = "duplicate of" if received.duplicate else "stored as"
        ticket = f" {message.ticket.number}" if message.ticket else ""
        self.stdout.write(f"{what} message {message.pk}: {message.status} {message.outcome}{ticket}")
