"""An order's lifecycle: received → validated → customer coordination → delivery →
configuration → commissioning → handed over → billing started, with on hold and cancelled.
Each action guarded by role and, where the steps need it, by what the order carries."""

import pytest

from orders.models import Order, OrderEvent, OrderStep, Supplier
from servicedesk.tenancy import tenant_context
from tests.orders.conftest import AGENT, ALICE, MANAGER, NOW, act, api, commit, order_in, place


def _state(desk, number):
    with tenant_context(desk.northwind):
        order = Order.objects.get(number=number)
        return order.status, order.version


# (status, who, action) → (HTTP status, status afterwards)
CASES = [
    ("received", MANAGER, "validate", 200, "validated"),
    ("received", AGENT, "validate", 200, "validated"),
    ("received", ALICE, "validate", 403, "received"),
    ("received", ALICE, "cancel", 200, "cancelled"),
    ("received", AGENT, "start_coordination", 409, "received"),
    ("validated", AGENT, "start_coordination", 200, "customer_coordination"),
    ("validated", ALICE, "start_coordination", 403, "validated"),
    ("validated", ALICE, "cancel", 403, "validated"),  # a customer cancels only before validation
    ("validated", AGENT, "cancel", 200, "cancelled"),
    ("customer_coordination", AGENT, "start_delivery", 409, "customer_coordination"),  # no committed date yet
    ("customer_coordination", AGENT, "hold", 200, "on_hold"),
    ("customer_coordination", ALICE, "hold", 403, "customer_coordination"),
    ("delivery", AGENT, "start_configuration", 200, "configuration"),
    ("delivery", ALICE, "start_configuration", 403, "delivery"),
    ("delivery", AGENT, "hand_over", 409, "delivery"),
    ("configuration", AGENT, "start_commissioning", 200, "commissioning"),
    ("commissioning", AGENT, "hand_over", 200, "handed_over"),
    ("commissioning", ALICE, "hand_over", 403, "commissioning"),
    ("commissioning", AGENT, "hold", 200, "on_hold"),
    ("handed_over", AGENT, "start_billing", 200, "billing_started"),
    ("handed_over", AGENT, "cancel", 409, "handed_over"),
    ("handed_over", AGENT, "hold", 409, "handed_over"),
    ("billing_started", MANAGER, "cancel", 409, "billing_started"),
    ("on_hold", AGENT, "resume", 200, "customer_coordination"),
    ("on_hold", ALICE, "resume", 403, "on_hold"),
    ("on_hold", AGENT, "cancel", 200, "cancelled"),
    ("on_hold", AGENT, "start_delivery", 409, "on_hold"),
    ("cancelled", AGENT, "validate", 409, "cancelled"),
    ("cancelled", AGENT, "resume", 409, "cancelled"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("start", "who", "action", "code", "after"), CASES)
def test_each_transition_is_allowed_or_refused_by_role_and_status(desk, time_machine, start, who, action, code, after):
    time_machine.move_to(NOW, tick=False)
    number = order_in(desk, start)
    _status, version = _state(desk, number)
    reason = "The customer asked for it." if action in {"hold", "cancel"} else ""
    response = act(desk, who, number, action, reason)
    assert response.status_code == code, response.json()
    assert _state(desk, number) == (after, version + 1 if code == 200 else version)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("status", "customer_actions", "desk_actions"),
    [
        ("received", ["cancel"], ["validate", "hold", "cancel"]),
        ("validated", [], ["start_coordination", "hold", "cancel"]),
        ("customer_coordination", [], ["hold", "cancel"]),
        ("delivery", [], ["start_configuration", "hold", "cancel"]),
        ("on_hold", [], ["resume", "cancel"]),
        ("handed_over", [], ["start_billing"]),
        ("billing_started", [], []),
        ("cancelled", [], []),
    ],
)
def test_the_order_lists_the_actions_its_reader_may_take(desk, time_machine, status, customer_actions, desk_actions):
    time_machine.move_to(NOW, tick=False)
    number = order_in(desk, status)
    assert api(desk, ALICE).get(f"/api/v1/orders/{number}/").json()["actions"] == customer_actions
    assert api(desk, AGENT).get(f"/api/v1/orders/{number}/").json()["actions"] == desk_actions


@pytest.mark.django_db
def test_delivery_starts_only_once_the_exact_date_is_confirmed(desk, time_machine):
    time_machine.move_to(NOW, tick=False)
    number = order_in(desk, "customer_coordination")
    refused = act(desk, AGENT, number, "start_delivery")
    assert refused.status_code == 409
    assert refused.json() == {
        "detail": "Confirm the exact delivery date with the customer first.",
        "code": "transition_guard",
        "status": "customer_coordination",
        "actions": ["hold", "cancel"],
    }
    assert commit(desk, AGENT, number).status_code == 200
    assert act(desk, AGENT, number, "start_delivery").status_code == 200


@pytest.mark.django_db
def test_a_leased_line_order_names_its_supplier_before_validation_and_circuits_before_handover(desk, time_machine):
    time_machine.move_to(NOW, tick=False)
    number = order_in(desk, "received", who=AGENT, kind="leased_line")
    refused = act(desk, AGENT, number, "validate")
    assert (refused.status_code, refused.json()["detail"]) == (
        409,
        "A leased-line order names its supplier before it is validated.",
    )
    with tenant_context(desk.northwind):
        order = Order.objects.get(number=number)
        supplier = Supplier.objects.get(name="Meseta Access S.L.")
    patch = api(desk, AGENT).patch(
        f"/api/v1/orders/{number}/", {"version": order.version, "supplier": supplier.pk}, format="json"
    )
    assert patch.status_code == 200, patch.json()
    for action in ("validate", "start_coordination"):
        assert act(desk, AGENT, number, action).status_code == 200
    assert commit(desk, AGENT, number).status_code == 200
    for action in ("start_delivery", "start_configuration", "start_commissioning"):
        assert act(desk, AGENT, number, action).status_code == 200
    refused = act(desk, AGENT, number, "hand_over")
    assert refused.status_code == 409
    assert (
        refused.json()["detail"] == "Every line of a leased-line order needs the supplier's circuit ID before handover."
    )
    body = api(desk, AGENT).get(f"/api/v1/orders/{number}/").json()
    line = body["lines"][0]["id"]
    api(desk, AGENT).patch(
        f"/api/v1/orders/{number}/",
        {"version": body["version"], "lines": [{"id": line, "circuit_id": "MAD-EL-88120"}]},
        format="json",
    )
    assert act(desk, AGENT, number, "hand_over").status_code == 200


@pytest.mark.django_db
def test_holding_and_cancelling_need_a_reason(desk, time_machine):
    time_machine.move_to(NOW, tick=False)
    number = order_in(desk, "validated")
    for action in ("hold", "cancel"):
        response = act(desk, AGENT, number, action, "  ")
        assert response.status_code == 400
        assert list(response.json()) == ["reason"]
    assert _state(desk, number)[0] == "validated"


@pytest.mark.django_db
def test_an_unknown_action_is_a_400_naming_the_field(desk):
    number = place(desk)["number"]
    response = act(desk, AGENT, number, "deliver_yesterday")
    assert response.status_code == 400
    assert list(response.json()) == ["action"]


@pytest.mark.django_db
def test_resuming_returns_to_the_step_the_order_was_held_in(desk, time_machine):
    time_machine.move_to(NOW, tick=False)
    number = order_in(desk, "configuration")
    assert act(desk, AGENT, number, "hold", "Waiting for the landlord.").status_code == 200
    assert act(desk, AGENT, number, "resume").status_code == 200
    assert _state(desk, number)[0] == "configuration"


@pytest.mark.django_db
def test_each_step_records_when_it_actually_happened_and_the_timeline_every_change(desk, time_machine):
    time_machine.move_to("2026-11-18T09:00:00Z", tick=False)
    number = place(desk)["number"]
    time_machine.move_to("2026-11-19T10:30:00Z", tick=False)
    act(desk, MANAGER, number, "validate")
    time_machine.move_to("2026-11-20T08:00:00Z", tick=False)
    act(desk, MANAGER, number, "start_coordination")
    body = api(desk, ALICE).get(f"/api/v1/orders/{number}/").json()
    assert [(s["step"], s["actual_at"]) for s in body["steps"]] == [
        ("received", "2026-11-18T09:00:00Z"),
        ("validated", "2026-11-19T10:30:00Z"),
        ("customer_coordination", "2026-11-20T08:00:00Z"),
        ("delivery", None),
        ("configuration", None),
        ("commissioning", None),
        ("handed_over", None),
        ("billing_started", None),
    ]
    timeline = api(desk, ALICE).get(f"/api/v1/orders/{number}/timeline/").json()["results"]
    assert [(e["kind"], e["from_value"], e["to_value"]) for e in timeline] == [
        ("created", "", "received"),
        ("transition", "received", "validated"),
        ("dates", "", "2026-12-10"),
        ("transition", "validated", "customer_coordination"),
    ]
    assert timeline[1]["actor"]["name"] == "Markus Weber"
    # What the desk's own lines say comes as data, not as an English sentence.
    assert (timeline[0]["params"], timeline[0]["reason"]) == ({"kind": "standard"}, "")
    assert timeline[2]["params"]["due"] == "2026-12-10"
    assert timeline[2]["reason"] == ""


@pytest.mark.django_db
def test_validation_is_the_order_confirmation_and_makes_the_validator_the_order_manager(desk, time_machine):
    time_machine.move_to(NOW, tick=False)
    number = place(desk)["number"]
    assert api(desk, ALICE).get(f"/api/v1/orders/{number}/").json()["order_manager"] is None
    act(desk, AGENT, number, "validate")
    body = api(desk, ALICE).get(f"/api/v1/orders/{number}/").json()
    assert body["confirmed_at"] == NOW
    assert body["order_manager"]["name"] == "Lena Fischer"
    # Frankfurt, standard: 15 business days after Wednesday 18 November 2026 (no holidays in between).
    assert body["confirmation_due_on"] == "2026-12-09"
    # Lead-time table: DE, 101–1000 Mbit/s, any supplier: 30 business days (Christmas Day skipped;
    # Christmas Eve and New Year's Eve are working days in Hesse).
    assert body["estimated_delivery_on"] == "2026-12-31"
    handed_over = next(step for step in body["steps"] if step["step"] == "handed_over")
    assert handed_over["planned_on"] == "2026-12-31"


@pytest.mark.django_db
def test_confirming_the_delivery_date_plans_the_handover_and_a_later_change_needs_a_reason(desk, time_machine):
    time_machine.move_to(NOW, tick=False)
    number = order_in(desk, "customer_coordination")
    assert commit(desk, ALICE, number).status_code == 403
    response = commit(desk, MANAGER, number, "2026-12-15")
    assert response.status_code == 200
    body = response.json()
    assert (body["committed_delivery_on"], body["delivery_date_confirmed_at"]) == ("2026-12-15", NOW)
    assert next(s for s in body["steps"] if s["step"] == "handed_over")["planned_on"] == "2026-12-15"
    act(desk, MANAGER, number, "start_delivery")
    assert list(commit(desk, MANAGER, number, "2026-12-16").json()) == ["reason"]
    moved = commit(desk, MANAGER, number, "2026-12-16", "The carrier moved the splice date.")
    assert moved.json()["committed_delivery_on"] == "2026-12-16"
    with tenant_context(desk.northwind):
        events = list(
            OrderEvent.objects.filter(order__number=number, kind="delivery_date").values_list(
                "from_value", "to_value", "reason"
            )
        )
    assert events == [("", "2026-12-15", ""), ("2026-12-15", "2026-12-16", "The carrier moved the splice date.")]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("day", "message"),
    [
        ("2026-11-17", "The delivery date cannot be in the past."),
        ("2026-12-19", "2026-12-19 is not a business day at Frankfurt."),  # a Saturday
        ("2026-12-25", "2026-12-25 is not a business day at Frankfurt."),  # Christmas Day
    ],
)
def test_the_delivery_date_is_a_business_day_at_the_site_not_in_the_past(desk, time_machine, day, message):
    time_machine.move_to(NOW, tick=False)
    number = order_in(desk, "validated")
    response = commit(desk, MANAGER, number, day)
    assert (response.status_code, response.json()) == (400, {"date": [message]})
    with tenant_context(desk.northwind):
        assert Order.objects.get(number=number).committed_delivery_on is None


@pytest.mark.django_db
def test_a_delivery_date_cannot_be_confirmed_before_validation_or_after_handover(desk, time_machine):
    time_machine.move_to(NOW, tick=False)
    for status in ("received", "handed_over", "cancelled"):
        number = order_in(desk, status)
        assert commit(desk, MANAGER, number, "2026-12-18").status_code == 409, status


@pytest.mark.django_db
def test_two_simultaneous_transitions_from_the_same_state_do_not_both_apply(desk):
    number = place(desk)["number"]
    first = act(desk, AGENT, number, "validate")
    second = act(desk, MANAGER, number, "validate")
    assert (first.status_code, second.status_code) == (200, 409)
    with tenant_context(desk.northwind):
        assert OrderStep.objects.filter(order__number=number, actual_at__isnull=False).count() == 2
