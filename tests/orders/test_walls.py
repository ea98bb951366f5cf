"""Crossing the walls on every orders path: another tenant (carol, agent@bluepeak), another
customer account (bob) and a site-restricted user (dave, Madrid only) against Alice's
Frankfurt order, SSR and change request. "Not yours" is a 404 with exactly the body of
"does not exist", and a refused write changes nothing."""

from dataclasses import dataclass

import pytest

from orders.models import ChangeRequest, ChangeRequestEvent, Order, OrderEvent, SimpleServiceRequest
from servicedesk.tenancy import tenant_context
from tests.orders.conftest import (
    AGENT,
    ALICE,
    BLUEPEAK_AGENT,
    BOB,
    CAROL,
    DAVE,
    NOW,
    advance,
    api,
    place,
)

OUTSIDERS = [CAROL, BLUEPEAK_AGENT, BOB, DAVE]


@dataclass
class Frankfurt:
    order: str
    line: int
    ssr: str
    change: str


@pytest.fixture
def frankfurt(desk, time_machine) -> Frankfurt:
    """Alice's order (in customer coordination), SSR and change request, all at Frankfurt."""
    time_machine.move_to(NOW, tick=False)
    order = place(desk, ALICE)
    advance(desk, order["number"], "customer_coordination")
    ssr = api(desk, ALICE).post(
        "/api/v1/ssrs/",
        {"item": "cpe-reboot", "site": desk.frankfurt.pk, "requested_start": "2026-11-25T09:00:00Z"},
        format="json",
    )
    change = api(desk, ALICE).post(
        "/api/v1/change-requests/",
        {"title": "Move the rack", "description": "To the basement.", "service": "NW-CPE-1004"},
        format="json",
    )
    number = change.json()["number"]
    api(desk, AGENT).post(
        f"/api/v1/change-requests/{number}/quote/",
        {"cost": "300.00", "planned_start": "2026-12-01T08:00:00Z", "planned_end": "2026-12-01T10:00:00Z"},
        format="json",
    )
    return Frankfurt(order["number"], order["lines"][0]["id"], ssr.json()["ssr_id"], number)


def _paths(f: Frankfurt, missing: bool = False) -> list[tuple[str, str, dict]]:
    order = "ORD-999999" if missing else f.order
    ssr = "SSR-999999" if missing else f.ssr
    change = "CR-999999" if missing else f.change
    return [
        ("get", f"/api/v1/orders/{order}/", {}),
        ("patch", f"/api/v1/orders/{order}/", {"version": 3, "title": "Hijacked",
                                                 "lines": [{"id": f.line, "service_id": "X-1"}]}),
        ("post", f"/api/v1/orders/{order}/transition/", {"action": "cancel", "reason": "Hijacked"}),
        ("post", f"/api/v1/orders/{order}/transition/", {"action": "hold", "reason": "Hijacked"}),
        ("post", f"/api/v1/orders/{order}/delivery-date/", {"date": "2026-12-15"}),
        ("get", f"/api/v1/orders/{order}/timeline/", {}),
        ("get", f"/api/v1/ssrs/{ssr}/", {}),
        ("post", f"/api/v1/ssrs/{ssr}/cancel/", {"reason": "Hijacked"}),
        ("post", f"/api/v1/ssrs/{ssr}/complete/", {}),
        ("get", f"/api/v1/change-requests/{change}/", {}),
        ("post", f"/api/v1/change-requests/{change}/accept/", {}),
        ("post", f"/api/v1/change-requests/{change}/decline/", {"reason": "Hijacked"}),
        ("post", f"/api/v1/change-requests/{change}/quote/", {"cost": "1.00", "planned_start": "2026-12-02T08:00:00Z",
                                                               "planned_end": "2026-12-02T09:00:00Z"}),
        ("post", f"/api/v1/change-requests/{change}/transition/", {"action": "cancel", "reason": "Hijacked"}),
        ("get", f"/api/v1/change-requests/{change}/timeline/", {}),
    ]  # fmt: skip


def _snapshot(desk):
    with tenant_context(desk.northwind):
        return (
            list(Order.objects.values_list("number", "status", "version", "title", "committed_delivery_on")),
            list(SimpleServiceRequest.objects.values_list("number", "status", "price")),
            list(ChangeRequest.objects.values_list("number", "status", "version", "quoted_cost")),
            OrderEvent.objects.count(),
            ChangeRequestEvent.objects.count(),
        )


@pytest.mark.django_db
@pytest.mark.parametrize("outsider", OUTSIDERS)
def test_every_path_to_someone_elses_order_ssr_or_change_is_a_404_and_changes_nothing(desk, frankfurt, outsider):
    before = _snapshot(desk)
    client = api(desk, outsider)
    for (method, url, payload), (_m, missing_url, _p) in zip(
        _paths(frankfurt), _paths(frankfurt, missing=True), strict=True
    ):
        response = getattr(client, method)(url, payload, format="json") if payload else getattr(client, method)(url)
        missing = (
            getattr(client, method)(missing_url, payload, format="json")
            if payload
            else getattr(client, method)(missing_url)
        )
        assert response.status_code == 404, (outsider, method, url, response.content)
        assert response.json() == missing.json(), (outsider, url)
    assert _snapshot(desk) == before


@pytest.mark.django_db
@pytest.mark.parametrize("outsider", OUTSIDERS)
def test_lists_stay_inside_the_walls(desk, frankfurt, outsider):
    client = api(desk, outsider)
    for url in ("/api/v1/orders/", "/api/v1/ssrs/", "/api/v1/change-requests/", "/api/v1/orders/?late=false"):
        assert client.get(url).json()["results"] == [], (outsider, url)
    assert client.get("/api/v1/billing/ssr/?month=2026-11").content.decode().splitlines()[1:] == []


@pytest.mark.django_db
def test_the_owner_and_the_desk_reach_the_same_paths(desk, frankfurt):
    for who in (ALICE, AGENT):
        client = api(desk, who)
        for method, url, _payload in _paths(frankfurt):
            if method == "get":
                assert client.get(url).status_code == 200, (who, url)


@pytest.mark.django_db
def test_a_site_restricted_user_sees_the_madrid_side_of_the_account(desk, frankfurt):
    madrid = place(desk, ALICE, "madrid")["number"]
    dave = api(desk, DAVE)
    assert [o["number"] for o in dave.get("/api/v1/orders/").json()["results"]] == [madrid]
    assert dave.get(f"/api/v1/orders/{madrid}/").status_code == 200
    assert (
        dave.post(f"/api/v1/orders/{madrid}/transition/", {"action": "cancel", "reason": "Wrong site."}).json()[
            "status"
        ]
        == "cancelled"
    )
    # What Dave placed himself stays his, whatever the sites.
    own = place(desk, DAVE, "madrid")["number"]
    assert dave.get(f"/api/v1/orders/{own}/").status_code == 200


@pytest.mark.django_db
def test_references_on_input_never_reach_another_tenant(desk, frankfurt):
    """The desk of one tenant cannot place an order, SSR or change on another tenant's site or service."""
    bluepeak = api(desk, BLUEPEAK_AGENT)
    order = bluepeak.post(
        "/api/v1/orders/",
        {"title": "x", "site": desk.frankfurt.pk, "lines": [{"service_type": "vpn", "product": "VPN"}]},
        format="json",
    )
    assert (order.status_code, order.json()["site"]) == (400, ["No existe esa sede."])
    ssr = bluepeak.post(
        "/api/v1/ssrs/",
        {"item": "remote-reboot", "service": "NW-MPLS-1001", "requested_start": "2026-12-01T09:00:00Z"},
        format="json",
    )
    assert ssr.json() == {"service": ["No existe el servicio NW-MPLS-1001."]}
    change = bluepeak.post("/api/v1/change-requests/", {"title": "x", "description": "y", "site": desk.frankfurt.pk})
    assert change.status_code == 400
    with tenant_context(desk.bluepeak):
        assert not Order.objects.exists()
        assert not ChangeRequest.objects.exists()
