"""The demo tickets (seed_demo calls demo.tickets.seed_tickets): a handful per demo account,
incidents and enquiries only (service requests and changes are orders records), the same
after a second run."""

import pytest

from demo.tickets import CANNED_RESPONSES, seed_canned_responses, seed_tickets
from servicedesk.tenancy import tenant_context
from tickets.models import CannedResponse, Ticket


def _tickets(tenant):
    with tenant_context(tenant):
        return sorted(Ticket.objects.values_list("number", "kind", "status", "account__name"))


@pytest.mark.django_db
def test_the_demo_tickets_are_incidents_and_enquiries_and_a_second_run_adds_none(demo):
    seed_tickets(demo.northwind)
    seed_tickets(demo.bluepeak)
    northwind, bluepeak = _tickets(demo.northwind), _tickets(demo.bluepeak)
    assert northwind == [
        ("ENQ-000001", "enquiry", "closed", "Globex Retail Ltd"),
        ("INC-000001", "incident", "in_progress", "Acme Logistics GmbH"),
        ("INC-000002", "incident", "waiting_for_customer", "Acme Logistics GmbH"),
        ("INC-000003", "incident", "new", "Acme Logistics GmbH"),
        ("INC-000004", "incident", "acknowledged", "Globex Retail Ltd"),
    ]
    assert bluepeak == [("INC-000001", "incident", "acknowledged", "Initech S.A.")]

    seed_tickets(demo.northwind)
    seed_tickets(demo.bluepeak)
    assert (_tickets(demo.northwind), _tickets(demo.bluepeak)) == (northwind, bluepeak)


@pytest.mark.django_db
def test_the_demo_canned_responses_come_in_three_languages_per_tenant_and_a_second_run_adds_none(demo):
    for _ in range(2):
        seed_canned_responses(demo.northwind)
        seed_canned_responses(demo.bluepeak)

    for tenant in (demo.northwind, demo.bluepeak):
        with tenant_context(tenant):
            languages = set(CannedResponse.objects.values_list("language", flat=True))
            assert languages == {"de", "en", "es"}
            assert CannedResponse.objects.count() == sum(len(rows) for rows in CANNED_RESPONSES.values())
