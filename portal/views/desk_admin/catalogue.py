"""Catalogue and delivery: the SSR catalogue (price, lead time), suppliers and the lead-time
table. A catalogue item that was requested is withdrawn (not offered), never deleted; a
supplier with orders stays."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from orders.models import CatalogueItem, LeadTime, Order, SimpleServiceRequest, Supplier
from portal.forms.desk_admin import CatalogueItemForm, LeadTimeForm, SupplierForm
from portal.views.access import signed_in_user
from portal.views.desk_admin.common import (
    Outcome,
    admin_required,
    deactivate_or_delete,
    render_form,
    saved_redirect,
    submit,
)
from servicedesk import audit
from servicedesk.tenancy import require_tenant_id


def _home() -> str:
    return reverse("portal:desk-admin-catalogue")


@admin_required
def catalogue(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "desk_admin/catalogue.html",
        {
            "items": CatalogueItem.objects.order_by("-is_active", "position", "name"),
            "suppliers": Supplier.objects.order_by("name"),
            "lead_times": LeadTime.objects.select_related("supplier").order_by("country", "min_mbps", "pk"),
        },
    )


def _item_page(request: HttpRequest, item: CatalogueItem) -> HttpResponse:
    if request.method == "POST":
        outcome = submit(request, CatalogueItemForm(request.POST, instance=item))
        if outcome.saved is not None:
            return saved_redirect(request, _home(), _("Catalogue item saved."))
    else:
        outcome = Outcome(CatalogueItemForm(instance=item))
    return render_form(request, "desk_admin/catalogue_item_form.html", outcome, item=item)


@admin_required
def item_new(request: HttpRequest) -> HttpResponse:
    return _item_page(request, CatalogueItem(tenant_id=require_tenant_id()))


@admin_required
def item_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _item_page(request, get_object_or_404(CatalogueItem, pk=pk))


@admin_required
@require_POST
def item_status(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(CatalogueItem, pk=pk)
    requested = SimpleServiceRequest.objects.filter(item=item).exists()
    reason = _("Customers have requested it.") if requested else None
    back = reverse("portal:desk-admin-catalogue-item", args=[item.pk])
    return deactivate_or_delete(request, item, in_use=reason, back=back, deleted=_home())


def _supplier_page(request: HttpRequest, supplier: Supplier) -> HttpResponse:
    if request.method == "POST":
        outcome = submit(request, SupplierForm(request.POST, instance=supplier))
        if outcome.saved is not None:
            return saved_redirect(request, _home(), _("Supplier saved."))
    else:
        outcome = Outcome(SupplierForm(instance=supplier))
    return render_form(request, "desk_admin/supplier_form.html", outcome, supplier=supplier)


@admin_required
def supplier_new(request: HttpRequest) -> HttpResponse:
    return _supplier_page(request, Supplier(tenant_id=require_tenant_id()))


@admin_required
def supplier_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _supplier_page(request, get_object_or_404(Supplier, pk=pk))


@admin_required
@require_POST
def supplier_status(request: HttpRequest, pk: int) -> HttpResponse:
    supplier = get_object_or_404(Supplier, pk=pk)
    reason = _("Orders name this supplier.") if Order.objects.filter(supplier=supplier).exists() else None
    back = reverse("portal:desk-admin-supplier", args=[supplier.pk])
    return deactivate_or_delete(request, supplier, in_use=reason, back=back, deleted=_home())


def _lead_time_page(request: HttpRequest, row: LeadTime) -> HttpResponse:
    if request.method == "POST":
        outcome = submit(request, LeadTimeForm(request.POST, instance=row))
        if outcome.saved is not None:
            return saved_redirect(request, _home(), _("Lead time saved: new orders use it."))
    else:
        outcome = Outcome(LeadTimeForm(instance=row))
    return render_form(request, "desk_admin/lead_time_form.html", outcome, row=row)


@admin_required
def lead_time_new(request: HttpRequest) -> HttpResponse:
    return _lead_time_page(request, LeadTime(tenant_id=require_tenant_id()))


@admin_required
def lead_time_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _lead_time_page(request, get_object_or_404(LeadTime, pk=pk))


@admin_required
@require_POST
def lead_time_remove(request: HttpRequest, pk: int) -> HttpResponse:
    row = get_object_or_404(LeadTime, pk=pk)
    audit.delete_or_refuse(instance=row, actor=signed_in_user(request))
    return saved_redirect(request, _home(), _("Lead time removed."))
