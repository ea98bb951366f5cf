"""Service levels: SLA policies per contract tier and ticket kind (budgets, calendar, warning
lead time) and the impact × urgency matrix. A changed policy moves the running clocks under
it by the recompute rule (``recompute_running_clocks``), in a task queued when the change commits."""

from __future__ import annotations

import json

from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from orders.models import Contract
from portal.forms.desk_admin import PriorityMatrixForm, SlaPolicyForm
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
from tickets.models import SlaClock, SlaPolicy, Ticket
from tickets.services.priority_matrix import matrix_cells, set_priority_matrix
from tickets.services.sla import queue_recompute

_MATRIX_SALT = "desk-admin.priority-matrix"


def _move_clocks(policy: SlaPolicy) -> None:
    queue_recompute(policy_id=policy.pk)


@admin_required
def service_levels(request: HttpRequest) -> HttpResponse:
    tiers, kinds = dict(Contract.Tier.choices), dict(Ticket.Kind.choices)
    policies = [
        (
            policy,
            tiers.get(policy.contract_tier, policy.contract_tier),
            kinds.get(policy.ticket_kind, policy.ticket_kind),
        )
        for policy in SlaPolicy.objects.select_related("calendar").order_by("-is_active", "name")
    ]
    cells = matrix_cells()
    if request.method == "POST":
        form = PriorityMatrixForm(request.POST, cells=cells)
        stale: list[dict[str, str]] = []
        if form.is_valid():
            try:
                seen_raw = signing.loads(request.POST.get("seen", ""), salt=_MATRIX_SALT)
                seen = {tuple(k.split("__")): v for k, v in json.loads(seen_raw).items()}
                set_priority_matrix(actor=signed_in_user(request), cells=form.cells(), seen=seen)
                return saved_redirect(
                    request,
                    reverse("portal:desk-admin-service-levels"),
                    _("Priority matrix saved: new tickets use it."),
                )
            except signing.BadSignature:
                stale = [{"label": _("Priority matrix"), "seen": "?", "now": ""}]
            except audit.StaleEdit as refusal:
                stale = refusal.changes
                cells = matrix_cells()
        status = 400
    else:
        form, stale, status = PriorityMatrixForm(cells=cells), [], 200
    seen_token = signing.dumps(json.dumps({f"{i}__{u}": p for (i, u), p in cells.items()}), salt=_MATRIX_SALT)
    return render(
        request,
        "desk_admin/service_levels.html",
        {"policies": policies, "matrix": form, "stale": stale, "seen": seen_token},
        status=status,
    )


def _policy_page(request: HttpRequest, policy: SlaPolicy) -> HttpResponse:
    if request.method == "POST":
        outcome = submit(request, SlaPolicyForm(request.POST, instance=policy), after_save=_move_clocks)
        if outcome.saved is not None:
            return saved_redirect(
                request,
                reverse("portal:desk-admin-service-levels"),
                _("SLA policy saved; the recompute of the running clocks under it is queued."),
            )
    else:
        outcome = Outcome(SlaPolicyForm(instance=policy))
    return render_form(request, "desk_admin/sla_policy_form.html", outcome, policy=policy)


@admin_required
def sla_policy_new(request: HttpRequest) -> HttpResponse:
    return _policy_page(request, SlaPolicy(tenant_id=require_tenant_id()))


@admin_required
def sla_policy_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _policy_page(request, get_object_or_404(SlaPolicy.objects.select_related("calendar"), pk=pk))


@admin_required
@require_POST
def sla_policy_status(request: HttpRequest, pk: int) -> HttpResponse:
    policy = get_object_or_404(SlaPolicy, pk=pk)
    used = SlaClock.objects.filter(policy=policy).exists()
    reason = _("Tickets' SLA clocks count under it.") if used else None
    back = reverse("portal:desk-admin-sla-policy", args=[policy.pk])
    return deactivate_or_delete(
        request, policy, in_use=reason, back=back, deleted=reverse("portal:desk-admin-service-levels")
    )
