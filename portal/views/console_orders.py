"""The console's order workspace: an order moved through its steps (planned dates, the next
step, the committed delivery date, the handover that puts the services into the customer's
inventory), simple service requests completed, and change requests quoted.

Each view parses the form, fetches through a tenant-scoped selector (another tenant's order
or request is a 404), calls the same use case the API calls (orders.services) and renders.
A refusal shows the page again with the error next to its field and the input kept; a change
made on a version that is no longer current is refused and the page shows the order as it is.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBase, QueryDict
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from orders import dates
from orders.models import ChangeRequest, Order, OrderLine, SimpleServiceRequest
from orders.selectors import (
    RequestFilters,
    change_request_timeline,
    filter_change_requests,
    filter_ssrs,
    get_change_request_for,
    get_order_for,
    get_ssr_for,
    lateness,
    order_timeline,
)
from orders.services.changes import available_actions as change_actions
from orders.services.changes import quote_change_request, transition_change_request
from orders.services.delivery import available_actions as order_actions
from orders.services.delivery import confirm_delivery_date, transition_order
from orders.services.editing import LineIds, plan_order_delivery
from orders.services.ssr import available_actions as ssr_actions
from orders.services.ssr import cancel_ssr, complete_ssr
from portal.forms.orders import (
    ORDER_ACTION_LABELS,
    ChangeActionForm,
    CompleteSsrForm,
    DeliveryDateForm,
    OrderPlanForm,
    OrderStepForm,
    QuoteChangeForm,
    ReasonForm,
)
from portal.order_words import order_lines
from portal.request_words import change_request_lines
from portal.views.access import signed_in_user, staff_required
from portal.views.shared import refuse
from servicedesk.errors import Conflict, InvalidInput, PermissionRefused
from servicedesk.keyset import keyset_page
from servicedesk.models import User

REQUEST_PAGE_SIZE = 25
STALE_ORDER = gettext_lazy(
    "Someone else changed this order after you loaded it. The page now shows it as it is; your input is kept in "
    "the form: check it and save again to apply it."
)
STALE_CHANGE = gettext_lazy(
    "Someone else changed this change request after you loaded it. The page now shows it as it is; your input is "
    "kept in the form: check it and save again to apply it."
)

DomainRefusal = InvalidInput | Conflict | PermissionRefused
Refusals = (InvalidInput, Conflict, PermissionRefused)


def _on_current_version(
    form: forms.Form, version: int, message: str, rebuild: Callable[[QueryDict], forms.Form]
) -> forms.Form:
    """The user's input again (``rebuild`` binds a new form), now naming the current
    ``version``, with ``message`` on top: saving it once more is a deliberate choice made after
    seeing the other change."""
    data = QueryDict(mutable=True)
    data.update(form.data)
    data["version"] = str(version)
    again = rebuild(data)
    again.is_valid()
    again.add_error(None, message)
    return again


# --- an order -------------------------------------------------------------------------------------


def _steps_and_lines(order: Order) -> tuple[list[Any], list[OrderLine]]:
    return sorted(order.steps.all(), key=lambda step: step.position), list(order.lines.all())


def _order_page(
    request: HttpRequest, actor: User, order: Order, *, status: int = 200, **bound: forms.Form
) -> HttpResponse:
    """The order page; ``bound`` holds the form that was just refused, with its input."""
    now = timezone.now()
    steps, lines = _steps_and_lines(order)
    actions = order_actions(order=order, actor=actor)
    version = {"version": order.version}
    context: dict[str, Any] = {
        "order": order,
        "late": lateness(order, now=now),
        "steps": steps,
        "lines": lines,
        "timeline": order_lines(order_timeline(actor=actor, order=order)),
        "console": True,
        "actions": actions,
        "step_form": bound.get("step_form") or OrderStepForm(initial=version, actions=actions),
        "date_form": bound.get("date_form")
        or DeliveryDateForm(initial={**version, "date": order.committed_delivery_on}),
        "plan_form": bound.get("plan_form")
        or OrderPlanForm(initial=OrderPlanForm.initial_for(order, steps, lines), steps=steps, lines=lines),
        "may_confirm_date": order.is_open and Order.Status.RECEIVED not in (order.status, order.held_from),
        "today": dates.local_date(order.site.time_zone, now),
    }
    # A refused form offers the actions the order offers now.
    context["step_form"].fields["action"].widget.choices = [(name, ORDER_ACTION_LABELS[name]) for name in actions]
    return render(request, "console/order_detail.html", context, status=status)


@staff_required
@require_GET
def order_detail(request: HttpRequest, number: str) -> HttpResponse:
    actor = signed_in_user(request)
    return _order_page(request, actor, get_order_for(actor=actor, number=number))


def _refused(
    request: HttpRequest,
    actor: User,
    order: Order,
    name: str,
    form: forms.Form,
    refusal: DomainRefusal,
    rebuild: Callable[[QueryDict], forms.Form],
) -> HttpResponse:
    """The order page again after ``refusal`` of ``form`` (the stale case on the current order)."""
    if isinstance(refusal, Conflict) and refusal.code == "stale_version":
        current = get_order_for(actor=actor, number=order.number)
        again = _on_current_version(form, current.version, str(STALE_ORDER), rebuild)
        return _order_page(request, actor, current, status=409, **{name: again})
    return _order_page(request, actor, order, status=refuse(form, refusal), **{name: form})


@staff_required
@require_POST
def order_step(request: HttpRequest, number: str) -> HttpResponseBase:
    """Take the order to its next step (the handover creates the inventory)."""
    actor = signed_in_user(request)
    order = get_order_for(actor=actor, number=number)
    form = OrderStepForm(request.POST)
    if not form.is_valid():
        return _order_page(request, actor, order, status=400, step_form=form)
    data = form.cleaned_data
    try:
        order = transition_order(
            order=order, actor=actor, action=data["action"], reason=data.get("reason", ""), version=data["version"]
        )
    except Refusals as refusal:
        return _refused(request, actor, order, "step_form", form, refusal, OrderStepForm)
    if data["action"] == "hand_over":
        delivered = OrderLine.objects.filter(order=order, service__isnull=False).select_related("service")
        messages.success(
            request,
            _("The order is handed over. In the customer's inventory now: %(services)s.")
            % {"services": ", ".join(line.service.service_id for line in delivered if line.service)},
        )
    else:
        messages.success(request, _("The order is now: %(status)s.") % {"status": order.get_status_display()})
    return redirect("portal:console-order", number=order.number)


@staff_required
@require_POST
def order_delivery_date(request: HttpRequest, number: str) -> HttpResponseBase:
    """Commit to the exact delivery date (warned when the deadline to confirm has passed)."""
    actor = signed_in_user(request)
    order = get_order_for(actor=actor, number=number)
    form = DeliveryDateForm(request.POST)
    if not form.is_valid():
        return _order_page(request, actor, order, status=400, date_form=form)
    was_late = lateness(order, now=timezone.now()).confirmation
    data = form.cleaned_data
    try:
        confirm_delivery_date(
            order=order, actor=actor, day=data["date"], reason=data.get("reason", ""), version=data["version"]
        )
    except Refusals as refusal:
        return _refused(request, actor, order, "date_form", form, refusal, DeliveryDateForm)
    if was_late and order.confirmation_due_on:
        messages.warning(
            request,
            _(
                "The delivery date is confirmed, after the deadline of %(due)s: the order's history records it as "
                "confirmed late."
            )
            % {"due": formats.date_format(order.confirmation_due_on, "SHORT_DATE_FORMAT")},
        )
    else:
        messages.success(request, _("The delivery date is confirmed."))
    return redirect("portal:console-order", number=order.number)


@staff_required
@require_POST
def order_plan(request: HttpRequest, number: str) -> HttpResponseBase:
    """Plan the steps' dates and the lines' service and circuit IDs."""
    actor = signed_in_user(request)
    order = get_order_for(actor=actor, number=number)
    steps, lines = _steps_and_lines(order)

    def rebuild(data: QueryDict) -> OrderPlanForm:
        return OrderPlanForm(data, steps=steps, lines=lines)

    form = rebuild(request.POST)
    if not form.is_valid():
        return _order_page(request, actor, order, status=400, plan_form=form)
    try:
        plan_order_delivery(
            order=order,
            actor=actor,
            version=form.cleaned_data["version"],
            planned=form.planned(),
            lines=[LineIds(id=pk, service_id=service, circuit_id=circuit) for pk, service, circuit in form.line_ids()],
        )
    except Refusals as refusal:
        return _refused(request, actor, order, "plan_form", form, refusal, rebuild)
    messages.success(request, _("The plan is saved."))
    return redirect("portal:console-order", number=order.number)


# --- simple service requests ----------------------------------------------------------------------


@staff_required
@require_GET
def ssr_list(request: HttpRequest) -> HttpResponse:
    """The tenant's simple service requests: the confirmed ones (the work to do) soonest first."""
    actor = signed_in_user(request)
    shown = request.GET.get("show", SimpleServiceRequest.Status.CONFIRMED)
    if shown not in SimpleServiceRequest.Status.values:
        shown = "all"
    requests = filter_ssrs(actor=actor, filters=RequestFilters(statuses=() if shown == "all" else (shown,)))
    page = keyset_page(
        requests,
        ordering=("requested_start", "id")
        if shown == SimpleServiceRequest.Status.CONFIRMED
        else ("-created_at", "-id"),
        after=request.GET.get("after"),
        before=request.GET.get("before"),
        size=REQUEST_PAGE_SIZE,
    )
    return render(request, "console/orders/ssr_list.html", {"page": page, "shown": shown})


def _ssr_page(
    request: HttpRequest, actor: User, ssr: SimpleServiceRequest, *, status: int = 200, **bound: forms.Form
) -> HttpResponse:
    context = {
        "ssr": ssr,
        "actions": ssr_actions(ssr=ssr, actor=actor),
        "complete_form": bound.get("complete_form") or CompleteSsrForm(),
        "cancel_form": bound.get("cancel_form") or ReasonForm(),
    }
    return render(request, "console/orders/ssr_detail.html", context, status=status)


@staff_required
@require_GET
def ssr_detail(request: HttpRequest, number: str) -> HttpResponse:
    actor = signed_in_user(request)
    return _ssr_page(request, actor, get_ssr_for(actor=actor, number=number))


@staff_required
@require_POST
def ssr_complete(request: HttpRequest, number: str) -> HttpResponseBase:
    """Record the work as done and the price to bill."""
    actor = signed_in_user(request)
    ssr = get_ssr_for(actor=actor, number=number)
    form = CompleteSsrForm(request.POST)
    if not form.is_valid():
        return _ssr_page(request, actor, ssr, status=400, complete_form=form)
    try:
        complete_ssr(ssr=ssr, actor=actor, price=form.cleaned_data.get("price"), note=form.cleaned_data.get("note", ""))
    except Refusals as refusal:
        status = refuse(form, refusal)
        return _ssr_page(request, actor, get_ssr_for(actor=actor, number=number), status=status, complete_form=form)
    messages.success(request, _("The request is completed and will be billed."))
    return redirect("portal:console-ssr", number=ssr.number)


@staff_required
@require_POST
def ssr_cancel(request: HttpRequest, number: str) -> HttpResponseBase:
    actor = signed_in_user(request)
    ssr = get_ssr_for(actor=actor, number=number)
    form = ReasonForm(request.POST)
    form.is_valid()
    try:
        cancel_ssr(ssr=ssr, actor=actor, reason=form.cleaned_data.get("reason", ""))
    except Refusals as refusal:
        status = refuse(form, refusal)
        return _ssr_page(request, actor, get_ssr_for(actor=actor, number=number), status=status, cancel_form=form)
    messages.success(request, _("The request is cancelled; nothing is billed."))
    return redirect("portal:console-ssr", number=ssr.number)


# --- change requests ------------------------------------------------------------------------------


@staff_required
@require_GET
def change_list(request: HttpRequest) -> HttpResponse:
    """The tenant's change requests: the open ones (to quote, accepted, scheduled) first."""
    actor = signed_in_user(request)
    open_statuses = (
        ChangeRequest.Status.PLANNING,
        ChangeRequest.Status.QUOTED,
        ChangeRequest.Status.ACCEPTED,
        ChangeRequest.Status.SCHEDULED,
    )
    shown = "all" if request.GET.get("show") == "all" else "open"
    changes = filter_change_requests(
        actor=actor, filters=RequestFilters(statuses=open_statuses if shown == "open" else ())
    )
    page = keyset_page(
        changes,
        ordering=("-created_at", "-id"),
        after=request.GET.get("after"),
        before=request.GET.get("before"),
        size=REQUEST_PAGE_SIZE,
    )
    return render(request, "console/orders/change_list.html", {"page": page, "shown": shown})


def _change_page(
    request: HttpRequest, actor: User, change: ChangeRequest, *, status: int = 200, **bound: forms.Form
) -> HttpResponse:
    actions = change_actions(change_request=change, actor=actor)
    version = {"version": change.version}
    quote_initial = {
        **version,
        "cost": change.quoted_cost if change.quoted_cost is not None else "",
        "currency": change.currency or "EUR",
        "planned_start": timezone.localtime(change.planned_start) if change.planned_start else None,
        "planned_end": timezone.localtime(change.planned_end) if change.planned_end else None,
        "note": change.quote_note,
    }
    action_form = bound.get("action_form") or ChangeActionForm(initial=version)
    action_form.fields["action"].widget.choices = ChangeActionForm(actions=actions).fields["action"].widget.choices
    context = {
        "change": change,
        "actions": actions,
        "may_quote": "quote" in actions,
        "quote_form": bound.get("quote_form") or QuoteChangeForm(initial=quote_initial),
        "action_form": action_form,
        "timeline": change_request_lines(change_request_timeline(actor=actor, change_request=change)),
    }
    return render(request, "console/orders/change_detail.html", context, status=status)


def _change_refused(
    request: HttpRequest,
    actor: User,
    change: ChangeRequest,
    name: str,
    form: forms.Form,
    refusal: DomainRefusal,
    rebuild: Callable[[QueryDict], forms.Form],
) -> HttpResponse:
    current = get_change_request_for(actor=actor, number=change.number)
    if isinstance(refusal, Conflict) and refusal.code == "stale_version":
        again = _on_current_version(form, current.version, str(STALE_CHANGE), rebuild)
        return _change_page(request, actor, current, status=409, **{name: again})
    return _change_page(request, actor, current, status=refuse(form, refusal), **{name: form})


@staff_required
@require_GET
def change_detail(request: HttpRequest, number: str) -> HttpResponse:
    actor = signed_in_user(request)
    return _change_page(request, actor, get_change_request_for(actor=actor, number=number))


@staff_required
@require_POST
def change_quote(request: HttpRequest, number: str) -> HttpResponseBase:
    """State the price and the window of the work; the customer then accepts or declines."""
    actor = signed_in_user(request)
    change = get_change_request_for(actor=actor, number=number)
    form = QuoteChangeForm(request.POST)
    if not form.is_valid():
        return _change_page(request, actor, change, status=400, quote_form=form)
    data = form.cleaned_data
    try:
        quote_change_request(
            change_request=change,
            actor=actor,
            cost=data.get("cost", ""),
            currency=data.get("currency", ""),
            planned_start=data.get("planned_start"),
            planned_end=data.get("planned_end"),
            note=data.get("note", ""),
            version=data["version"],
        )
    except Refusals as refusal:
        return _change_refused(request, actor, change, "quote_form", form, refusal, QuoteChangeForm)
    messages.success(request, _("The quote is sent; the customer accepts or declines it in the portal."))
    return redirect("portal:console-change", number=change.number)


@staff_required
@require_POST
def change_action(request: HttpRequest, number: str) -> HttpResponseBase:
    """Schedule an accepted change, record it as done, or cancel it."""
    actor = signed_in_user(request)
    change = get_change_request_for(actor=actor, number=number)
    form = ChangeActionForm(request.POST)
    if not form.is_valid():
        return _change_page(request, actor, change, status=400, action_form=form)
    data = form.cleaned_data
    try:
        change = transition_change_request(
            change_request=change, actor=actor, action=data["action"], reason=data.get("reason", ""),
            version=data["version"],
        )  # fmt: skip
    except Refusals as refusal:
        return _change_refused(request, actor, change, "action_form", form, refusal, ChangeActionForm)
    messages.success(request, _("The change request is now: %(status)s.") % {"status": change.get_status_display()})
    return redirect("portal:console-change", number=change.number)
