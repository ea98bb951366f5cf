"""List endpoints issue a number of queries that does not grow with the page size."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from servicedesk.tenancy import tenant_context
from tickets.services.conversation import add_comment
from tickets.services.intake import TicketDraft, open_ticket


@pytest.fixture
def many(desk):
    alice = desk.user("alice@acme.example")
    with tenant_context(desk.northwind):
        for n in range(30):
            ticket = open_ticket(
                actor=alice,
                draft=TicketDraft(
                    kind="incident",
                    service_id="NW-MPLS-1001" if n % 2 else "NW-VOICE-2003",
                    subject=f"Fault {n}",
                    description="Down.",
                    impact="outage",
                    problem_started_at=alice.date_joined,
                    answers={"power_at_site": "yes", "symptom": "no_service"}
                    if n % 2
                    else {
                        "power_at_site": "yes",
                        "voice_problem": "no_calls",
                        "calling_number": "+34 91 555 0100",
                        "called_number": "+34 91 555 0199",
                    },
                ),
            )
            add_comment(ticket=ticket, actor=alice, body=f"Reply {n}")
    return desk


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response.json()


@pytest.mark.django_db
@pytest.mark.parametrize("email", ["alice@acme.example", "dave@acme.example", "agent@northwind.example"])
@pytest.mark.parametrize("url", ["/api/v1/tickets/", "/api/v1/services/", "/api/v1/tickets/?q=fault&status=new"])
def test_list_queries_do_not_grow_with_the_page_size(many, email, url):
    client = many.api(email)
    client.get("/api/v1/me/")  # the token's first use records last_used_at; not part of a list
    joiner = "&" if "?" in url else "?"
    small, small_body = _queries(client, f"{url}{joiner}page_size=2")
    large, large_body = _queries(client, f"{url}{joiner}page_size=30")
    assert len(small_body["results"]) == 2
    assert len(large_body["results"]) > 2
    assert small == large
