"""The monthly service report as a PDF (/portal/reports/pdf/ and
/dashboard/accounts/{id}/report/pdf/), against its page on the history of
tests/reports/conftest.py: the same figures, in the reader's language, locale and zone; the
walls; the PDF attached to the monthly mail."""

from __future__ import annotations

import io
import re

import pytest
from django.core import mail
from pypdf import PdfReader

from reports.tasks import send_monthly_reports_task
from servicedesk.tenancy import tenant_context
from tests.factories import ManagerFactory
from tests.reports.conftest import ALICE
from tests.reports.test_customer_reports import OCTOBER, _page, _rows

pytestmark = pytest.mark.django_db


def _text(content: bytes) -> str:
    """The PDF's text, whitespace folded (a table cell may wrap onto two lines)."""
    assert content.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(content))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def _pdf(client, path, **params):
    response = client.get(path, {**OCTOBER, **params})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    return response


def _figures_of(page: str) -> list[str]:
    """Every table row of the page's report sections, as the PDF writes a row (cells joined)."""
    rows = []
    for heading in ("targets", "availability", "times", "breaches"):
        for cells in _rows(page, heading):
            rows.append(" ".join(cells))
    return rows


def test_alices_pdf_holds_the_figures_of_her_page(client, demo, history):
    page = _page(client, demo, ALICE)
    response = _pdf(client, "/portal/reports/pdf/")
    assert response["Content-Disposition"] == (f'attachment; filename="service-report-2026-10-{demo.acme.pk}.pdf"')
    text = _text(response.content)
    assert "Service report" in text
    assert "Acme Logistics GmbH · October 2026" in text
    figures = _figures_of(page)
    # Rows of the page: targets (4), services (7), times (2 targets × 2 measures), breaches (5).
    assert len(figures) == 4 + 7 + 4 + 5
    for row in figures:
        # The page's times table names the target once for both of its rows (rowspan).
        assert row in text or row.split(" ", 1)[1] in text, row
    # A few figures by hand (tests/reports/test_customer_reports.py, test_dashboard.py).
    assert "Response (ticket number confirmed) 2 3 40.00 %" in text
    assert "Restoration business time 3 2 h 50 min 3 h 30 min 4 h 30 min" in text
    assert "Restoration wall-clock time 3 3 h 50 min 3 h 30 min 7 h 30 min" in text
    # Breach instants in her zone (Berlin, CET after the 25th): C's respond due 22:45Z.
    assert f"{history.numbers['C']} MPLS link down Response 31/10/2026 23:45 31/10/2026 23:50" in text
    assert "Globex" not in text


def test_the_pdf_is_in_the_readers_language_locale_and_zone(client, demo, history):
    alice = demo.user(ALICE)
    alice.language, alice.time_zone = "de", "America/New_York"
    alice.save(update_fields=["language", "time_zone"])
    page = _page(client, demo, ALICE)
    text = _text(_pdf(client, "/portal/reports/pdf/").content)
    assert "Servicebericht" in text
    assert "Oktober 2026" in text
    assert "40,00 %" in text
    assert "Entstörung Geschäftszeit 3 2 Std. 50 Min." in text
    for row in _figures_of(page):
        assert row in text or row.split(" ", 1)[1] in text, row
    # 22:45Z is 18:45 in New York (still summer time there on 31 October).
    assert "31.10.2026 18:45" in text


def test_dave_restricted_to_madrid_gets_madrid_only(client, demo, history):
    client.force_login(demo.user("dave@acme.example"))
    text = _text(_pdf(client, "/portal/reports/pdf/", site=str(demo.frankfurt.pk)).content)
    assert "NW-MPLS-2001" in text
    assert "NW-MPLS-1001" not in text
    assert "Frankfurt" not in text
    assert history.numbers["A"] not in text


def test_the_managers_pdf_of_an_account_is_its_users(client, demo, history):
    alice = _text(_pdf_as(client, demo, ALICE, "/portal/reports/pdf/").content)
    manager = _text(
        _pdf_as(client, demo, "manager@northwind.example", f"/dashboard/accounts/{demo.acme.pk}/report/pdf/").content
    )
    assert manager == alice


def _pdf_as(client, demo, who, path):
    client.force_login(demo.user(who))
    return _pdf(client, path)


def test_the_page_links_its_pdf(client, demo, history):
    page = _page(client, demo, ALICE)
    assert 'href="/portal/reports/pdf/?month=2026-10"' in page
    page = _page(client, demo, "manager@northwind.example", path=f"/dashboard/accounts/{demo.acme.pk}/report/")
    assert f'href="/dashboard/accounts/{demo.acme.pk}/report/pdf/?month=2026-10"' in page


@pytest.mark.parametrize("who", ["agent@northwind.example", ALICE, "dave@acme.example", "bob@globex.example"])
def test_the_managers_pdf_does_not_exist_for_others(client, demo, who):
    client.force_login(demo.user(who))
    assert client.get(f"/dashboard/accounts/{demo.acme.pk}/report/pdf/").status_code == 404


@pytest.mark.parametrize("who", ["agent@northwind.example", "manager@northwind.example"])
def test_the_customers_pdf_is_the_customers(client, demo, who):
    client.force_login(demo.user(who))
    assert client.get("/portal/reports/pdf/").status_code == 404


def test_another_tenants_manager_gets_no_pdf_of_northwinds_accounts(client, demo, history):
    with tenant_context(demo.bluepeak):
        outsider = ManagerFactory(tenant=demo.bluepeak, email="manager@bluepeak.example")
    client.force_login(outsider)
    assert client.get(f"/dashboard/accounts/{demo.acme.pk}/report/pdf/").status_code == 404
    assert client.get(f"/dashboard/accounts/{demo.globex.pk}/report/pdf/").status_code == 404


def test_the_monthly_mail_carries_the_pdf(demo, history, time_machine):
    time_machine.move_to("2026-11-02T07:00:00Z", tick=False)
    send_monthly_reports_task()
    alice = next(message for message in mail.outbox if message.to == ["alice@acme.example"])
    assert "The whole report is attached as a PDF." in alice.body
    [(name, content, kind)] = alice.attachments
    assert (name, kind) == (f"service-report-2026-10-{demo.acme.pk}.pdf", "application/pdf")
    text = _text(content)
    assert "Response (ticket number confirmed) 2 3 40.00 %" in text
    assert "NW-MPLS-2001 MPLS IP-VPN Madrid 1 1 h 00 min 99.87 %" in text
    assert "Globex" not in text
