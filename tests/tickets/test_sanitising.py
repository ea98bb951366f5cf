"""What customers and agents type is kept as typed and rendered inert: scripts, event
handlers and javascript: links in a subject, a description, a reply or a questionnaire
answer never become markup. Markdown still renders, with links marked
rel="noopener noreferrer nofollow".

The API is tested here; the pages that show tickets are tested with the portal."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import pytest

from servicedesk.tenancy import tenant_context
from tests.tickets.conftest import INCIDENT
from tickets.models import Comment, Ticket

ALICE = "alice@acme.example"
AGENT = "agent@northwind.example"

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
JS_LINK = "[click me](javascript:alert(1))"
HOSTILE = f'Line down. {SCRIPT} {IMG} {JS_LINK} <a href="javascript:alert(2)">raw link</a> <b onclick=alert(3)>b</b>'

ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"
ESCAPED_IMG = "&lt;img src=x onerror=alert(1)&gt;"

SAFE_SCHEMES = ("http://", "https://", "mailto:")
DANGEROUS_TAGS = {"script", "img", "iframe", "svg", "object", "embed", "style", "link", "meta", "form", "base"}


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def tags_of(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Tags()
    parser.feed(html)
    parser.close()
    return parser.tags


def assert_inert(html: str) -> None:
    """No element that runs anything: no script or embedding tag, no event handler, no link
    but http(s) and mailto."""
    assert "<script" not in html.lower()
    for tag, attrs in tags_of(html):
        assert tag not in DANGEROUS_TAGS, html
        assert not [name for name in attrs if name.startswith("on")], html
        href = (attrs.get("href") or "").strip().lower()
        assert not href or href.startswith(SAFE_SCHEMES), html
        assert "javascript:" not in (attrs.get("href") or "").lower()
        assert "src" not in attrs, html
        assert "style" not in attrs, html


def _open(client, **fields) -> dict[str, Any]:
    response = client.post("/api/v1/tickets/", {**INCIDENT, **fields}, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


@pytest.fixture
def ticket(desk) -> dict[str, Any]:
    """A plain incident of Alice's on the Frankfurt MPLS service."""
    return _open(desk.api(ALICE))


def test_the_inert_check_catches_live_markup():
    # The check itself must be able to fail.
    for live in [
        "<p><script>alert(1)</script></p>",
        '<p><img src="x" onerror="alert(1)"></p>',
        '<p><a href="javascript:alert(1)">x</a></p>',
        '<p><a href=" JavaScript:alert(1)">x</a></p>',
        '<p><b onclick="alert(1)">x</b></p>',
    ]:
        with pytest.raises(AssertionError):
            assert_inert(live)


def test_hostile_markup_in_a_new_ticket_is_inert_and_kept_as_typed(desk):
    # Given Alice types markup into the subject, the description and a questionnaire answer
    subject = f"Link down {SCRIPT}{IMG}"
    opening_hours = f"Mon-Fri {IMG} {SCRIPT} javascript:alert(1)"
    client = desk.api(ALICE)

    # When she opens the ticket
    created = _open(
        client,
        subject=subject,
        description=HOSTILE,
        answers={**INCIDENT["answers"], "site_opening_hours": opening_hours},
    )

    # Then the API keeps every text exactly as typed, and the rendered description is inert
    for body in (created, client.get(f"/api/v1/tickets/{created['number']}/").json()):
        assert body["subject"] == subject
        assert body["description"] == HOSTILE
        assert body["answers"]["site_opening_hours"] == opening_hours
        assert_inert(body["description_html"])
        assert ESCAPED_SCRIPT in body["description_html"]
        assert ESCAPED_IMG in body["description_html"]
    with tenant_context(desk.northwind):
        stored = Ticket.objects.get(number=created["number"])
    assert (stored.subject, stored.description) == (subject, HOSTILE)
    assert stored.answers["site_opening_hours"] == opening_hours
    assert_inert(stored.description_html)
    listed = client.get("/api/v1/tickets/").json()["results"]
    assert [(t["subject"], t["description"]) for t in listed] == [(subject, HOSTILE)]
    assert_inert(listed[0]["description_html"])


@pytest.mark.parametrize(("author", "internal"), [(ALICE, False), (AGENT, False), (AGENT, True)])
def test_hostile_markup_in_a_reply_or_note_is_inert_and_kept_as_typed(desk, ticket, author, internal):
    client = desk.api(author)

    response = client.post(
        f"/api/v1/tickets/{ticket['number']}/comments/", {"body": HOSTILE, "internal": internal}, format="json"
    )

    assert response.status_code == 201
    listed = client.get(f"/api/v1/tickets/{ticket['number']}/comments/").json()["results"]
    for comment in (response.json(), *listed):
        assert comment["body"] == HOSTILE
        assert_inert(comment["body_html"])
        assert ESCAPED_SCRIPT in comment["body_html"]
        assert ESCAPED_IMG in comment["body_html"]
    with tenant_context(desk.northwind):
        assert list(Comment.objects.values_list("body", flat=True)) == [HOSTILE]


def test_hostile_markup_in_an_edited_description_is_inert_and_kept_as_typed(desk, ticket):
    client = desk.api(ALICE)

    response = client.patch(
        f"/api/v1/tickets/{ticket['number']}/",
        {"version": ticket["version"], "description": HOSTILE},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["description"] == HOSTILE
    assert_inert(response.json()["description_html"])
    assert ESCAPED_SCRIPT in response.json()["description_html"]
    assert response.json()["version"] == ticket["version"] + 1


@pytest.mark.parametrize(
    "vector",
    [
        "[x](javascript:alert(1))",
        "[x](JaVaScRiPt:alert(1))",
        "[x]( javascript:alert(1))",
        "[x](&#106;avascript:alert(1))",
        "[x](java&#x09;script:alert(1))",
        "[x](vbscript:msgbox(1))",
        "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "![x](javascript:alert(1))",
        '![x](https://example.com/a.png" onerror="alert(1))',
        "[x][ref]\n\n[ref]: javascript:alert(1)",
        "<javascript:alert(1)>",
        '<a href="javascript:alert(1)">x</a>',
        '<iframe src="javascript:alert(1)"></iframe>',
        '<svg onload="alert(1)"></svg>',
        '<div style="background:url(javascript:alert(1))">x</div>',
        "```\n<script>alert(1)</script>\n```",
        "`<script>alert(1)</script>`",
    ],
)
def test_script_vectors_in_a_reply_render_inert(desk, ticket, vector):
    response = desk.api(ALICE).post(f"/api/v1/tickets/{ticket['number']}/comments/", {"body": vector}, format="json")

    assert response.status_code == 201
    assert response.json()["body"] == vector
    assert_inert(response.json()["body_html"])


def test_markdown_still_renders_bold_lists_code_and_safe_links(desk):
    source = (
        "**Down** since *08:10*.\n\n"
        "- scanners offline\n"
        "- `ping 10.0.0.1` fails\n\n"
        "See [the status page](https://status.example.com/) or <https://example.com/help>."
    )

    created = _open(desk.api(ALICE), description=source)

    assert created["description"] == source
    assert created["description_html"] == (
        "<p><strong>Down</strong> since <em>08:10</em>.</p>\n"
        "<ul>\n"
        "<li>scanners offline</li>\n"
        "<li><code>ping 10.0.0.1</code> fails</li>\n"
        "</ul>\n"
        '<p>See <a href="https://status.example.com/" rel="noopener noreferrer nofollow">the status page</a> or '
        '<a href="https://example.com/help" rel="noopener noreferrer nofollow">https://example.com/help</a>.</p>'
    )


def test_every_rendered_link_carries_noopener_noreferrer_nofollow(desk, ticket):
    body = "[mail us](mailto:noc@example.com), [docs](http://example.com/docs) and [x](https://example.com/x)"

    response = desk.api(AGENT).post(f"/api/v1/tickets/{ticket['number']}/comments/", {"body": body}, format="json")

    links = [attrs for tag, attrs in tags_of(response.json()["body_html"]) if tag == "a"]
    assert links == [
        {"href": "mailto:noc@example.com", "rel": "noopener noreferrer nofollow"},
        {"href": "http://example.com/docs", "rel": "noopener noreferrer nofollow"},
        {"href": "https://example.com/x", "rel": "noopener noreferrer nofollow"},
    ]
