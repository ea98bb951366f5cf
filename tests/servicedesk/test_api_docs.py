"""The OpenAPI schema and its docs pages, served without any request leaving the machine."""

import re

import pytest


@pytest.mark.django_db
def test_the_schema_documents_the_api(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert {"/api/v1/auth/token/", "/api/v1/me/", "/api/v1/sites/", "/api/v1/sites/{id}/"} <= set(schema["paths"])
    assert schema["components"]["securitySchemes"]["tokenAuth"]["name"] == "Authorization"
    assert schema["paths"]["/api/v1/sites/{id}/"]["get"]["parameters"][0]["schema"]["type"] == "integer"


@pytest.mark.django_db
def test_the_docs_page_loads_only_local_assets(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    references = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", html)
    assert references, "the page loads its assets from somewhere"
    external = [ref for ref in references if re.match(r"^(https?:)?//", ref)]
    assert external == []
    assert all(ref.startswith(("/static/", "/api/")) for ref in references), references
