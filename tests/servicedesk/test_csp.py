"""The Content-Security-Policy: on every answer, scripts only from the desk's own files, and no
template carries an inline script or event handler that the policy would block. (The browser
tests record every violation the policy reports on the pages they visit: tests/browser.)"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

TEMPLATES = Path(settings.BASE_DIR) / "templates"
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
# htmx attributes that run JavaScript (its event filters `[…]` need eval, which the policy forbids).
HTMX_SCRIPT = re.compile(r"\b(hx-on[:-]|hx-vals=['\"]js:|hx-vars=|hx-trigger=\"[^\"]*\[)", re.IGNORECASE)


def _policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split("; ")}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "url"),
    [
        (None, "/accounts/login/"),
        ("alice@acme.example", "/portal/"),
        ("alice@acme.example", "/portal/tickets/INC-999999/"),  # the 404 page
        ("agent@northwind.example", "/console/tickets/"),
        ("agent@northwind.example", "/api/v1/tickets/"),
        (None, "/api/docs/"),
        (None, "/healthz"),
    ],
)
def test_every_answer_carries_the_policy_and_it_allows_only_the_desks_own_scripts(demo, client, who, url):
    if who:
        client.force_login(demo.user(who))
    response = client.get(url)
    policy = _policy(response)
    assert policy["script-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]


def test_no_template_has_an_inline_script_or_event_handler():
    offenders = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        for pattern in (INLINE_SCRIPT, INLINE_HANDLER, HTMX_SCRIPT):
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                offenders.append(f"{path.relative_to(TEMPLATES)}:{line}: {match.group(0).strip()}")
    assert offenders == []


@pytest.mark.django_db
def test_the_api_docs_page_loads_its_script_from_a_file(client):
    html = client.get("/api/docs/").content.decode()
    assert "<script" in html
    assert not INLINE_SCRIPT.search(html)
