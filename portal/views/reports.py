"""Service reports per customer account and month, printable: the customer's reports page
(``/portal/reports/``: their account, and only their sites when restricted) and the same report
of any account for managers (``/dashboard/accounts/{id}/report/``), each also as a PDF
(``…/pdf/``, ``reports.pdf``) of the same month, site and figures. All read
``reports.dashboard`` with the figures of ``GET /api/v1/reports/sla/``."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from portal import charts
from portal.forms.reports import CustomerReportForm
from portal.views.access import customer_required, managers_required, signed_in_user
from reports.dashboard import Dashboard, build_dashboard
from reports.selectors import ReportFilters
from servicedesk.models import CustomerAccount, User
from servicedesk.selectors import accounts_visible_to
from servicedesk.walls import get_visible_or_404


def _zone(user: User) -> ZoneInfo:
    return ZoneInfo(user.tenant.time_zone if user.tenant else "UTC")


def monthly_report(*, actor: User, filters: ReportFilters, form: CustomerReportForm) -> Dashboard:
    """The account's month: every service of the account (and site) the actor sees, the breaches
    (at most 200), the targets, times and tickets."""
    return build_dashboard(
        actor=actor, filters=filters, period=form.period(), now=timezone.now(), breach_limit=200, every_service=True
    )


def _context(report: Dashboard, form: CustomerReportForm, account: CustomerAccount, **extra: Any) -> dict[str, Any]:
    return {
        "form": form,
        "report": report,
        "account": account,
        "attainment_chart": charts.attainment_payload(report.report.targets),
        **extra,
    }


def _customers(request: HttpRequest) -> tuple[User, CustomerReportForm, Dashboard, CustomerAccount]:
    user = signed_in_user(request)
    form = CustomerReportForm(request.GET or None, actor=user, zone=_zone(user), now=timezone.now())
    report = monthly_report(actor=user, filters=form.filters(), form=form)
    account = get_visible_or_404(accounts_visible_to(actor=user), pk=user.customer_account_id)
    return user, form, report, account


def _managers(request: HttpRequest, account_id: int) -> tuple[User, CustomerReportForm, Dashboard, CustomerAccount]:
    user = signed_in_user(request)
    account = get_visible_or_404(accounts_visible_to(actor=user), pk=account_id)
    form = CustomerReportForm(request.GET or None, actor=user, zone=_zone(user), now=timezone.now())
    form.fields.pop("site", None)
    report = monthly_report(actor=user, filters=ReportFilters(account_id=account.pk), form=form)
    return user, form, report, account


def _pdf_query(report: Dashboard) -> str:
    """The PDF link's query: the month and site the page shows."""
    params = {"month": f"{report.period.first:%Y-%m}"}
    if report.filters.site_id is not None:
        params["site"] = str(report.filters.site_id)
    return urlencode(params)


def pdf_response(*, user: User, report: Dashboard, account: CustomerAccount, restricted: bool) -> HttpResponse:
    """The report as a PDF download, in the reader's language, zone and locale (active here)."""
    from reports.pdf import filename, monthly_report_pdf  # noqa: PLC0415 - fpdf2 and fontTools (≈ 45 MiB) load only where a PDF is made

    zone_name = user.tenant.time_zone if user.tenant else "UTC"
    content = monthly_report_pdf(report=report, account=account, zone_name=zone_name, restricted=restricted)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename(account, report)}"'
    return response


@customer_required
@require_GET
def customer_reports(request: HttpRequest) -> HttpResponse:
    user, form, report, account = _customers(request)
    return render(
        request,
        "portal/reports.html",
        _context(
            report,
            form,
            account,
            ticket_url="portal:customer-ticket",
            restricted=user.site_restrictions.exists(),
            pdf_url=f"{reverse('portal:customer-reports-pdf')}?{_pdf_query(report)}",
        ),
    )


@customer_required
@require_GET
def customer_report_pdf(request: HttpRequest) -> HttpResponse:
    user, _form, report, account = _customers(request)
    return pdf_response(user=user, report=report, account=account, restricted=user.site_restrictions.exists())


@managers_required
@require_GET
def account_report(request: HttpRequest, account_id: int) -> HttpResponse:
    _user, form, report, account = _managers(request, account_id)
    pdf = reverse("portal:dashboard-account-report-pdf", args=[account.pk])
    return render(
        request,
        "portal/reports.html",
        _context(report, form, account, ticket_url="portal:console-ticket", pdf_url=f"{pdf}?{_pdf_query(report)}"),
    )


@managers_required
@require_GET
def account_report_pdf(request: HttpRequest, account_id: int) -> HttpResponse:
    user, _form, report, account = _managers(request, account_id)
    return pdf_response(user=user, report=report, account=account, restricted=False)
