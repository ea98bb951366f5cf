from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from demo.core import demo_logins, seed_core
from demo.documents import seed_documents
from demo.escalation import seed_escalation
from demo.feedback import seed_surveys
from demo.mailroom import seed_mail, seed_mailbox
from demo.orders import seed_inventory, seed_orders
from demo.tickets import seed_intake_rules, seed_problems, seed_queue_views, seed_tickets
from servicedesk.auth import DEMO_PASSWORD
from servicedesk.models import Tenant


class Command(BaseCommand):
    help = "Create the demo tenants, users and data (idempotent: run it as often as you like)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--quiet-logins", action="store_true", help="Do not print the demo log-ins.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEMO_MODE:
            raise CommandError("seed_demo runs only with DEMO_MODE on: the demo password is public.")
        with transaction.atomic():
            seed_core()
            seed_inventory()
            seed_orders()
            for tenant in Tenant.objects.filter(slug__in=["northwind", "bluepeak"]):
                seed_intake_rules(tenant)
                seed_escalation(tenant)
                seed_mailbox(tenant)
                seed_tickets(tenant)
                seed_problems(tenant)
                seed_mail(tenant)
                seed_documents(tenant)
                seed_surveys(tenant)
                seed_queue_views(tenant)
        self.stdout.write(self.style.SUCCESS("Demo data is in place."))
        if not options["quiet_logins"]:
            self.stdout.write(f"Demo log-ins (password for all: {DEMO_PASSWORD}):")
            for email, description in demo_logins():
                self.stdout.write(f"  {email:<32} {description}")
