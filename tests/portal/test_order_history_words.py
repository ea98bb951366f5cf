"""Order and change-request histories in words: lines the desk writes itself are stored as a
code and parameters (OrderEvent.params, ChangeRequestEvent.params) and read in the reader's
language, days in their date format, instants in their zone, in the portal and in the
console's order workspace alike; lines stored before (an English sentence with ISO days, the
order kind as English words) are converted by the migration and read the same way."""

import datetime as dt
import importlib
import re
from html import unescape

import pytest
from django.apps import apps as django_apps
from django.test import Client
from django.utils import timezone, translation

from orders.models import CatalogueItem, ChangeRequestEvent, Order, OrderEvent
from portal.order_words import order_lines, order_sentence
from portal.request_words import change_request_sentence
from servicedesk.models import User
from servicedesk.tenancy import tenant_context
from tests.factories.world import build_order_rules
from tests.orders.conftest import AGENT, ALICE, NOW, act, place


@pytest.fixture
def desk(demo):
    """The world with its order rules (suppliers, lead times, catalogue)."""
    with tenant_context(demo.northwind):
        if not CatalogueItem.objects.exists():
            build_order_rules()
    return demo


DATES = OrderEvent(
    kind="dates",
    field="confirmation_due_on",
    to_value="2027-01-12",
    params={"due": "2027-01-12", "estimate": "2027-01-20"},
)
QUOTE = ChangeRequestEvent(
    kind="quoted", field="quote", to_value="1450.00 EUR, 2026-12-12T07:00:00+00:00 – 2026-12-12T11:00:00+00:00",
    params={"cost": "1450.00", "currency": "EUR", "start": "2026-12-12T07:00:00+00:00",
            "end": "2026-12-12T11:00:00+00:00"},
)  # fmt: skip


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "The delivery date is to be confirmed by 12/01/2027; estimated delivery 20/01/2027."),
        ("de", "Der Liefertermin ist bis 12.01.2027 zu bestätigen; voraussichtliche Lieferung 20.01.2027."),
        ("es", "La fecha de entrega debe confirmarse antes del 12/01/2027; entrega prevista el 20/01/2027."),
    ],
)
def test_the_dates_line_reads_in_the_readers_language_and_date_format(language, expected):
    with translation.override(language):
        assert order_sentence(DATES) == expected


@pytest.mark.parametrize(
    ("language", "zone", "expected"),
    [
        ("en", "Europe/London", "The desk stated the cost, 1,450.00 EUR, and the planned window, "
                                "12/12/2026 07:00 to 12/12/2026 11:00."),
        ("de", "Europe/Berlin", "Der Service Desk hat die Kosten, 1.450,00 EUR, und das geplante Zeitfenster, "
                                "12.12.2026 08:00 bis 12.12.2026 12:00, genannt."),
        ("es", "America/Mexico_City", "El service desk indicó el coste, 1\xa0450,00 EUR, y la ventana prevista, "
                                      "12/12/2026 01:00 a 12/12/2026 05:00."),
    ],
)  # fmt: skip
def test_a_quote_reads_with_its_cost_and_window_in_the_readers_zone(language, zone, expected):
    with translation.override(language), timezone.override(zone):
        assert change_request_sentence(QUOTE) == expected


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", ["The order was received (Standard).", "The order moved from the step “Received” to “Validated”."]),
        ("de", ["Der Auftrag ist eingegangen (Standard).", "Der Auftrag ging vom Schritt „Eingegangen“ zu „Geprüft“ über."]),
        ("es", ["Se recibió el pedido (Estándar).", "El pedido pasó del paso «Recibido» a «Validado»."]),
    ],
)  # fmt: skip
def test_no_order_line_shows_a_code_or_a_repeated_word(language, expected):
    created = OrderEvent(kind="created", to_value="received", params={"kind": "standard"})
    moved = OrderEvent(kind="transition", field="status", from_value="received", to_value="validated")
    with translation.override(language):
        assert [order_sentence(created), order_sentence(moved)] == expected


@pytest.mark.parametrize("language", ["en", "de", "es"])
def test_every_kind_of_order_line_reads_without_stored_codes(language):
    events = [
        OrderEvent(kind="created", to_value="received", params={"kind": "leased_line"}),
        OrderEvent(kind="transition", from_value="validated", to_value="customer_coordination"),
        OrderEvent(kind="transition", from_value="delivery", to_value="on_hold"),
        OrderEvent(kind="transition", from_value="on_hold", to_value="handed_over"),
        OrderEvent(kind="dates", field="estimated_delivery_on", from_value="2027-01-20", to_value="2027-01-27"),
        OrderEvent(kind="planned", field="commissioning", to_value="2027-01-25"),
        OrderEvent(kind="delivery_date", field="committed_delivery_on", to_value="2027-02-01",
                   params={"day": "2027-02-01", "before": None, "late_after": "2027-01-12"}),
        OrderEvent(kind="field_changed", field="lines.1.bandwidth_mbps", from_value="500", to_value="1000"),
        OrderEvent(kind="inventory", field="NW-INET-1009", to_value="Dedicated Internet Access 1 Gbit/s"),
    ]  # fmt: skip
    with translation.override(language):
        text = " ".join(line.text for line in order_lines(events))
    for code in ("customer_coordination", "on_hold", "handed_over", "leased_line", "commissioning", "bandwidth_mbps"):
        assert code not in text, (language, text)
    assert not re.search(r"\d{4}-\d{2}-\d{2}", text), text


def _client(email: str, language: str, zone: str) -> Client:
    user = User.objects.get(email=email)
    User.objects.filter(pk=user.pk).update(language=language, time_zone=zone)
    client = Client()
    client.force_login(User.objects.get(pk=user.pk))
    return client


@pytest.mark.django_db
def test_the_portal_and_the_console_read_a_validated_orders_dates_alike(desk, time_machine):
    time_machine.move_to(NOW, tick=False)
    number = place(desk)["number"]
    assert act(desk, AGENT, number, "validate").status_code == 200
    with tenant_context(desk.northwind):
        order = Order.objects.get(number=number)
        line = OrderEvent.objects.get(order=order, kind="dates")
    due, estimate = order.confirmation_due_on, order.estimated_delivery_on
    assert line.params == {"due": due.isoformat(), "estimate": estimate.isoformat() if estimate else None}
    assert line.reason == ""

    portal = unescape(_client(ALICE, "de", "Europe/Berlin").get(f"/portal/orders/{number}/").content.decode())
    assert f"Der Liefertermin ist bis {due:%d.%m.%Y} zu bestätigen" in portal
    assert "Der Auftrag ist eingegangen (Standard)." in portal
    assert due.isoformat() not in portal
    console = unescape(_client(AGENT, "es", "Europe/Madrid").get(f"/console/orders/{number}/").content.decode())
    assert f"La fecha de entrega debe confirmarse antes del {due:%d/%m/%Y}" in console
    assert "Delivery date to be confirmed" not in console
    english = unescape(_client(ALICE, "en", "Europe/London").get(f"/portal/orders/{number}/").content.decode())
    assert f"The delivery date is to be confirmed by {due:%d/%m/%Y}" in english
    assert "Received: Received" not in english


@pytest.mark.django_db
def test_the_migration_turns_stored_sentences_into_parameters(desk, time_machine):
    time_machine.move_to(NOW, tick=False)
    number = place(desk)["number"]
    migration = importlib.import_module("orders.migrations.0005_timeline_lines_as_structured_events")
    with tenant_context(desk.northwind):
        order = Order.objects.get(number=number)
        OrderEvent.objects.filter(order=order).update(params={}, reason="Standard")
        old = OrderEvent.objects.create(
            tenant_id=order.tenant_id, order=order, kind="dates", field="confirmation_due_on", to_value="2027-01-12",
            reason="Liefertermin bis 2027-01-12 zu bestätigen; voraussichtliche Lieferung 2027-01-20.",
        )  # fmt: skip
        late = OrderEvent.objects.create(
            tenant_id=order.tenant_id, order=order, kind="delivery_date", field="committed_delivery_on",
            to_value="2027-02-01", reason="Confirmed after the deadline of 2027-01-12.",
        )  # fmt: skip
    migration.to_params(django_apps, None)
    with tenant_context(desk.northwind):
        created = OrderEvent.objects.get(order=order, kind="created")
        old.refresh_from_db()
        late.refresh_from_db()
    assert (created.params, created.reason) == ({"kind": "standard"}, "")
    assert (old.params, old.reason) == ({"due": "2027-01-12", "estimate": "2027-01-20"}, "")
    assert (late.params["late_after"], late.reason) == ("2027-01-12", "")
    with translation.override("es"):
        assert (
            order_sentence(old)
            == "La fecha de entrega debe confirmarse antes del 12/01/2027; entrega prevista el 20/01/2027."
        )
        assert (
            order_sentence(late)
            == "La fecha de entrega se confirmó: 01/02/2027. Se confirmó después del plazo del 12/01/2027."
        )


@pytest.mark.django_db
def test_a_quote_stored_before_gets_its_parameters(desk, time_machine):
    from orders.services.changes import ChangeDraft, open_change_request, quote_change_request

    time_machine.move_to(NOW, tick=False)
    migration = importlib.import_module("orders.migrations.0005_timeline_lines_as_structured_events")
    alice, agent = User.objects.get(email=ALICE), User.objects.get(email=AGENT)
    with tenant_context(desk.northwind):
        change = open_change_request(
            actor=alice, draft=ChangeDraft(title="Move the rack", description="To room 2.", site_id=desk.frankfurt.pk)
        )
        quote_change_request(
            change_request=change, actor=agent, cost="1450", currency="EUR",
            planned_start=dt.datetime(2026, 12, 12, 7, tzinfo=dt.UTC), planned_end=dt.datetime(2026, 12, 12, 11, tzinfo=dt.UTC),
        )  # fmt: skip
        ChangeRequestEvent.objects.filter(change_request=change).update(params={})
    migration.to_params(django_apps, None)
    with tenant_context(desk.northwind):
        quoted = ChangeRequestEvent.objects.get(change_request=change, kind="quoted")
    assert quoted.params == QUOTE.params
    page = unescape(
        _client(ALICE, "de", "Europe/Berlin").get(f"/portal/requests/changes/{change.number}/").content.decode()
    )
    assert (
        "Der Service Desk hat die Kosten, 1.450,00 EUR, und das geplante Zeitfenster, 12.12.2026 08:00 bis 12.12.2026 12:00, genannt."
        in page
    )
