"""The monthly service report by mail: on the tenant's first business day of the month, once,
to the account's users who see the whole account."""

from __future__ import annotations

import pytest
from django.core import mail

from reports.models import MonthlyReportDelivery
from reports.tasks import send_monthly_reports_task
from servicedesk.tenancy import tenant_context

pytestmark = pytest.mark.django_db


def test_the_first_business_day_mails_last_months_report_once(demo, history, time_machine):
    # 1 November 2026 is a Sunday: Northwind's first business day is Monday the 2nd.
    time_machine.move_to("2026-11-01T08:00:00Z", tick=False)
    assert send_monthly_reports_task() == 0
    assert mail.outbox == []

    time_machine.move_to("2026-11-02T07:00:00Z", tick=False)  # 08:00 in Berlin
    # Northwind's two accounts; Bluepeak (Barcelona's calendar) its one: the 2nd is its first too.
    assert send_monthly_reports_task() == 3
    recipients = sorted(message.to[0] for message in mail.outbox)
    assert recipients == ["alice@acme.example", "bob@globex.example", "carol@initech.example"]
    alice = next(message for message in mail.outbox if message.to == ["alice@acme.example"])
    assert alice.subject == "Service report October 2026: Acme Logistics GmbH"
    # The API's figures of October for Acme (tests/reports/test_customer_reports.py).
    assert "- Response: 40.00 % (2/5)" in alice.body
    assert "- NW-MPLS-2001 (Madrid): 99.87 %" in alice.body
    assert "/portal/reports/?month=2026-10" in alice.body
    assert "Globex" not in alice.body

    time_machine.move_to("2026-11-02T08:00:00Z", tick=False)  # the next hourly run
    assert send_monthly_reports_task() == 0
    time_machine.move_to("2026-11-03T08:00:00Z", tick=False)
    assert send_monthly_reports_task() == 0
    assert len(mail.outbox) == 3
    with tenant_context(demo.northwind):
        assert MonthlyReportDelivery.objects.filter(month="2026-10-01").count() == 2


def test_a_user_restricted_to_sites_gets_no_account_wide_report(demo, time_machine):
    time_machine.move_to("2026-12-01T08:00:00Z", tick=False)  # a Tuesday
    send_monthly_reports_task()
    assert "dave@acme.example" not in [message.to[0] for message in mail.outbox]
    assert "alice@acme.example" in [message.to[0] for message in mail.outbox]
