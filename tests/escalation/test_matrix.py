"""The matrix as a document: GET /api/v1/escalation-matrix/ and the printable page. Customers
see the matrix that applies to them, with the levels of their services' product areas and
those for all areas, and contacts without user ids; staff see every matrix whole."""

import pytest

from escalation.models import EscalationContact, EscalationLevel, EscalationMatrix
from servicedesk.tenancy import tenant_context


def _levels(desk, who):
    response = desk.api(who).get("/api/v1/escalation-matrix/")
    assert response.status_code == 200
    (matrix,) = response.json()["results"]
    return matrix, [(level["number"], level["product_area"]) for level in matrix["levels"]]


@pytest.mark.django_db
def test_a_customer_sees_the_levels_of_their_services_areas_and_those_for_all(desk):
    matrix, levels = _levels(desk, "alice@acme.example")
    assert matrix["name"] == "Northwind escalation matrix"
    assert levels == [
        (1, "Data/IP/ICT"), (1, "Premium & Bespoke"), (1, "Voice"),
        (2, "Data/IP/ICT"), (2, "Premium & Bespoke"), (2, "Voice"),
        (3, None), (4, None), (5, None),
    ]  # fmt: skip
    level_3 = matrix["levels"][6]
    assert level_3["title"] == "Manager Customer Care Centre"
    assert level_3["contacts"] == [
        {"name": "Markus Weber", "role": "Manager Customer Care Centre", "phone": "+49 69 5550 2300",
         "email": "manager@northwind.example"},
    ]  # fmt: skip
    assert [m["name"] for m in matrix["escalation_managers"]] == ["Escalation manager on duty"]
    assert matrix["thresholds"][0] == {
        "priority": "P1", "level_minutes": [30, 60, 120, 240, 480], "business_calendar": None, "breach_level": 2,
    }  # fmt: skip


@pytest.mark.django_db
def test_another_account_sees_only_its_own_areas(desk):
    _, levels = _levels(desk, "bob@globex.example")  # London: internet, MPLS, voice
    assert levels == [
        (1, "Data/IP/ICT"),
        (1, "Voice"),
        (2, "Data/IP/ICT"),
        (2, "Voice"),
        (3, None),
        (4, None),
        (5, None),
    ]


@pytest.mark.django_db
def test_staff_see_every_matrix_whole_with_user_ids(desk):
    response = desk.api("agent@northwind.example").get("/api/v1/escalation-matrix/")
    (matrix,) = response.json()["results"]
    assert len(matrix["levels"]) == 11
    voice_l1 = next(lv for lv in matrix["levels"] if (lv["number"], lv["product_area"]) == (1, "Voice"))
    assert voice_l1["contacts"][0]["user_id"] == desk.user("voice.agent@northwind.example").pk


@pytest.mark.django_db
def test_another_tenants_users_see_their_own_matrix_only(desk):
    matrix, levels = _levels(desk, "carol@initech.example")
    assert matrix["name"] == "Matriz de escalamiento Bluepeak"
    assert levels == [(1, None), (2, None), (3, None)]
    body = desk.api("agent@bluepeak.example").get("/api/v1/escalation-matrix/").content.decode()
    assert "Northwind" not in body
    assert "Vogel" not in body


@pytest.mark.django_db
def test_an_accounts_own_matrix_replaces_the_default(desk):
    with tenant_context(desk.northwind):
        own = EscalationMatrix.objects.create(tenant=desk.northwind, name="Globex special", account=desk.globex)
        level = EscalationLevel.objects.create(tenant=desk.northwind, matrix=own, number=1, title="Key account lead")
        EscalationContact.objects.create(tenant=desk.northwind, matrix=own, level=level, name="Ivy Moss",
                                         email="i.moss@northwind.example")  # fmt: skip
    matrix, levels = _levels(desk, "bob@globex.example")
    assert (matrix["name"], matrix["account"], levels) == ("Globex special", "Globex Retail Ltd", [(1, None)])
    assert _levels(desk, "alice@acme.example")[0]["name"] == "Northwind escalation matrix"


@pytest.mark.django_db
def test_the_printable_page_shows_the_customers_matrix(client, desk):
    client.force_login(desk.user("alice@acme.example"))
    page = client.get("/portal/escalation-matrix/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Operational Supervisor Data/IP/ICT" in html
    assert "Operational Supervisor Transmission/Voice" in html
    assert "@media print" in html
    assert "+49 69 5550 2999" in html  # the escalation manager, around the clock
    client.force_login(desk.user("carol@initech.example"))
    html = client.get("/portal/escalation-matrix/").content.decode()
    assert "Marta Gil" in html
    assert "Nina Vogel" not in html


@pytest.mark.django_db
def test_the_printable_page_needs_a_sign_in(client, desk):
    assert client.get("/portal/escalation-matrix/").status_code == 302
