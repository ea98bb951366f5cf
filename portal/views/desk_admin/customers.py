"""Customer accounts and their sites. A site's country and subdivision must be known to the
holidays package and its time zone to tzdata (they decide its public holidays and local
times). An account in use is deactivated, never deleted."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from orders.models import Contract, Service
from portal.forms.desk_admin import AccountForm, ContractForm, ServiceForm, SiteForm
from portal.views.desk_admin.common import (
    Outcome,
    admin_required,
    deactivate_or_delete,
    page_of,
    render_form,
    saved_redirect,
    searched,
    submit,
)
from servicedesk.models import CustomerAccount, Site, User
from servicedesk.tenancy import require_tenant_id
from tickets.services.sla import queue_recompute


@admin_required
def accounts(request: HttpRequest) -> HttpResponse:
    found, query = searched(request, CustomerAccount.objects.order_by("-is_active", "name"), ["name", "reference"])
    return render(request, "desk_admin/accounts.html", {"page": page_of(request, found), "query": query})


def _account_page(request: HttpRequest, account: CustomerAccount) -> HttpResponse:
    if request.method == "POST":
        outcome = submit(request, AccountForm(request.POST, instance=account))
        if outcome.saved is not None:
            return saved_redirect(
                request, reverse("portal:desk-admin-account", args=[outcome.saved.pk]), _("Customer account saved.")
            )
    else:
        outcome = Outcome(AccountForm(instance=account))
    sites = Site.objects.filter(account=account).order_by("name") if account.pk else []
    services = (
        Service.objects.filter(account=account).select_related("site").order_by("service_id") if account.pk else []
    )
    return render_form(
        request, "desk_admin/account_form.html", outcome, account=account, sites=sites, services=services
    )


@admin_required
def account_new(request: HttpRequest) -> HttpResponse:
    return _account_page(request, CustomerAccount(tenant_id=require_tenant_id()))


@admin_required
def account_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _account_page(request, get_object_or_404(CustomerAccount, pk=pk))


@admin_required
@require_POST
def account_status(request: HttpRequest, pk: int) -> HttpResponse:
    account = get_object_or_404(CustomerAccount, pk=pk)
    reason = None
    if request.POST.get("action") == "delete":
        uses = []
        if Site.objects.filter(account=account).exists():
            uses.append(_("It has sites."))
        if User.objects.filter(customer_account=account).exists():
            uses.append(_("It has users."))
        reason = " ".join(uses) or None
    back = reverse("portal:desk-admin-account", args=[account.pk])
    return deactivate_or_delete(
        request, account, in_use=reason, back=back, deleted=reverse("portal:desk-admin-accounts")
    )


def _site_page(request: HttpRequest, account: CustomerAccount, site: Site) -> HttpResponse:
    back = reverse("portal:desk-admin-account", args=[account.pk])
    if request.method == "POST":
        outcome = submit(request, SiteForm(request.POST, instance=site))
        if outcome.saved is not None:
            return saved_redirect(request, back, _("Site saved."))
    else:
        outcome = Outcome(SiteForm(instance=site))
    return render_form(request, "desk_admin/site_form.html", outcome, account=account, site=site)


@admin_required
def site_new(request: HttpRequest, pk: int) -> HttpResponse:
    account = get_object_or_404(CustomerAccount, pk=pk)
    return _site_page(request, account, Site(tenant_id=account.tenant_id, account=account))


@admin_required
def site_edit(request: HttpRequest, pk: int) -> HttpResponse:
    site = get_object_or_404(Site.objects.select_related("account"), pk=pk)
    return _site_page(request, site.account, site)


# --- The inventory: services at the account's sites and their contracts -------------------------


def _service_page(request: HttpRequest, service: Service) -> HttpResponse:
    account = service.account
    if request.method == "POST":
        outcome = submit(request, ServiceForm(request.POST, instance=service))
        if outcome.saved is not None:
            return saved_redirect(
                request, reverse("portal:desk-admin-service", args=[outcome.saved.pk]), _("Service saved.")
            )
    else:
        outcome = Outcome(ServiceForm(instance=service))
    contracts = Contract.objects.filter(service=service).order_by("-valid_from") if service.pk else []
    return render_form(
        request, "desk_admin/service_form.html", outcome, account=account, service=service, contracts=contracts
    )


@admin_required
def service_new(request: HttpRequest, pk: int) -> HttpResponse:
    account = get_object_or_404(CustomerAccount, pk=pk)
    return _service_page(request, Service(tenant_id=account.tenant_id, account=account))


@admin_required
def service_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _service_page(request, get_object_or_404(Service.objects.select_related("account"), pk=pk))


def _contract_page(request: HttpRequest, contract: Contract) -> HttpResponse:
    service = contract.service
    back = reverse("portal:desk-admin-service", args=[service.pk])

    def take_effect(_saved: Contract) -> None:
        # The contract decides the SLA policy: the service's running clocks are recomputed.
        queue_recompute(service_id=service.pk)

    if request.method == "POST":
        outcome = submit(request, ContractForm(request.POST, instance=contract), after_save=take_effect)
        if outcome.saved is not None:
            return saved_redirect(
                request, back, _("Contract saved; the recompute of the service's running SLA clocks is queued.")
            )
    else:
        outcome = Outcome(ContractForm(instance=contract))
    return render_form(request, "desk_admin/contract_form.html", outcome, service=service, contract=contract)


@admin_required
def contract_new(request: HttpRequest, pk: int) -> HttpResponse:
    service = get_object_or_404(Service, pk=pk)
    return _contract_page(
        request, Contract(tenant_id=service.tenant_id, service=service, valid_from=timezone.localdate())
    )


@admin_required
def contract_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _contract_page(request, get_object_or_404(Contract.objects.select_related("service"), pk=pk))
