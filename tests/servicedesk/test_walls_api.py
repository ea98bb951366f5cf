"""Crossing the walls through the API: another tenant, another customer account, a
site-restricted user. "Not yours" is a 404, exactly like "does not exist"."""

import pytest

from servicedesk.models import CustomerAccount, Site
from servicedesk.tenancy import tenant_context


def _detail_urls(demo):
    """Every object endpoint, with a northwind object in it; later resources add theirs."""
    return {
        "acme account": f"/api/v1/accounts/{demo.acme.pk}/",
        "globex account": f"/api/v1/accounts/{demo.globex.pk}/",
        "frankfurt site": f"/api/v1/sites/{demo.frankfurt.pk}/",
        "madrid site": f"/api/v1/sites/{demo.madrid.pk}/",
        "london site": f"/api/v1/sites/{demo.london.pk}/",
    }


@pytest.mark.django_db
@pytest.mark.parametrize("outsider", ["agent@bluepeak.example", "carol@initech.example"])
def test_another_tenant_gets_404_for_every_northwind_object(demo, outsider):
    client = demo.api(outsider)
    for name, url in _detail_urls(demo).items():
        response = client.get(url)
        assert response.status_code == 404, name
        assert response.json() == {
            "detail": "No CustomerAccount matches the given query."
            if "account" in name
            else "No Site matches the given query.",
            "code": "not_found",
        }


@pytest.mark.django_db
def test_the_same_urls_answer_their_own_tenant(demo):
    client = demo.api("manager@northwind.example")
    for name, url in _detail_urls(demo).items():
        assert client.get(url).status_code == 200, name


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("user", "visible_sites"),
    [
        ("agent@northwind.example", {"Frankfurt", "Madrid", "London"}),
        ("alice@acme.example", {"Frankfurt", "Madrid"}),
        ("dave@acme.example", {"Madrid"}),
        ("bob@globex.example", {"London"}),
        ("agent@bluepeak.example", {"Barcelona"}),
        ("carol@initech.example", {"Barcelona"}),
    ],
)
def test_site_lists_stay_inside_the_walls(demo, user, visible_sites):
    body = demo.api(user).get("/api/v1/sites/").json()
    assert {site["name"] for site in body["results"]} == visible_sites


@pytest.mark.django_db
def test_another_account_gets_404_for_acme(demo):
    client = demo.api("bob@globex.example")
    assert client.get(f"/api/v1/accounts/{demo.acme.pk}/").status_code == 404
    assert client.get(f"/api/v1/sites/{demo.frankfurt.pk}/").status_code == 404
    assert [a["name"] for a in client.get("/api/v1/accounts/").json()["results"]] == ["Globex Retail Ltd"]


@pytest.mark.django_db
def test_a_site_restricted_user_gets_404_for_the_other_site(demo):
    client = demo.api("dave@acme.example")
    assert client.get(f"/api/v1/sites/{demo.frankfurt.pk}/").status_code == 404
    assert client.get(f"/api/v1/sites/{demo.madrid.pk}/").status_code == 200


@pytest.mark.django_db
def test_read_only_resources_refuse_writes_and_change_nothing(demo):
    client = demo.api("agent@bluepeak.example")
    for url in _detail_urls(demo).values():
        assert client.delete(url).status_code in {404, 405}
        assert client.patch(url, {"name": "Hijacked"}, format="json").status_code in {404, 405}
    with tenant_context(demo.northwind):
        assert set(CustomerAccount.objects.values_list("name", flat=True)) == {
            "Acme Logistics GmbH",
            "Globex Retail Ltd",
        }
        assert set(Site.objects.values_list("name", flat=True)) == {"Frankfurt", "Madrid", "London"}


@pytest.mark.django_db
def test_list_responses_are_paginated_with_results(demo):
    body = demo.api("manager@northwind.example").get("/api/v1/sites/?page_size=2").json()
    assert len(body["results"]) == 2
    assert body["next"] is not None
    assert "count" not in body  # cursor pagination: no COUNT(*) over the tenant per page


@pytest.mark.django_db
def test_an_unknown_api_url_is_a_json_404(demo):
    client = demo.api("alice@acme.example")
    for url in ["/api/v1/sites/not-a-number/", "/api/v1/nothing-here/"]:
        response = client.get(url)
        assert response.status_code == 404
        assert response["Content-Type"] == "application/json"
        assert response.json() == {"detail": "Not found.", "code": "not_found"}
