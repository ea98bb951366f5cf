"""The customer's requests: the SSR catalogue and its order form, simple service requests and
change requests (ask, see the quote, accept or decline), each followed in a list and on its
own page. Customer users only; another account's or another site's request is a 404.

The rules are orders.services' (submit_ssr, cancel_ssr, open_change_request,
transition_change_request, earliest_starts); these views parse, fetch inside the walls, call
one service and render.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from orders.models import ChangeRequest, SimpleServiceRequest
from orders.selectors import (
    RequestFilters,
    catalogue_visible_to,
    change_request_timeline,
    filter_change_requests,
    filter_ssrs,
    get_catalogue_item_for,
    get_change_request_for,
    get_ssr_for,
)
from orders.services.changes import available_actions as change_actions
from orders.services.changes import open_change_request, transition_change_request
from orders.services.ssr import StartTooEarly, cancel_ssr, earliest_starts, submit_ssr
from orders.services.ssr import available_actions as ssr_actions
from portal.forms.requests import CancelSsrForm, ChangeRequestForm, DecisionForm, SsrForm
from portal.request_words import change_request_lines
from portal.views.access import customer_required, signed_in_user
from servicedesk.errors import Conflict, InvalidInput, PermissionRefused
from servicedesk.keyset import keyset_page
from servicedesk.selectors import sites_visible_to

PAGE_SIZE = 25
NEWEST_FIRST = ("-created_at", "-id")


def _shown(request: HttpRequest) -> str:
    return "all" if request.GET.get("show") == "all" else "open"


@customer_required
@require_GET
def requests_home(request: HttpRequest) -> HttpResponse:
    """Both kinds of request, newest first (open ones unless all are asked for), each list
    paged on its own cursor."""
    actor = signed_in_user(request)
    shown = _shown(request)
    ssr_filters = RequestFilters(statuses=(SimpleServiceRequest.Status.CONFIRMED,) if shown == "open" else ())
    change_filters = RequestFilters(statuses=tuple(ChangeRequest.OPEN_STATUSES) if shown == "open" else ())
    ssrs = keyset_page(
        filter_ssrs(actor=actor, filters=ssr_filters),
        ordering=NEWEST_FIRST,
        after=request.GET.get("ssr_after"),
        size=PAGE_SIZE,
    )
    changes = keyset_page(
        filter_change_requests(actor=actor, filters=change_filters),
        ordering=NEWEST_FIRST,
        after=request.GET.get("change_after"),
        size=PAGE_SIZE,
    )
    return render(request, "portal/requests/home.html", {"ssrs": ssrs, "changes": changes, "shown": shown})


@customer_required
@require_GET
def catalogue(request: HttpRequest) -> HttpResponse:
    """The catalogue: each item with its price, lead time and the earliest start the rules
    allow now at each of the user's sites."""
    actor = signed_in_user(request)
    now = timezone.now()
    sites = list(sites_visible_to(actor=actor))
    items = [
        (item, [(site, earliest_starts(site=site, item=item, now=now)) for site in sites])
        for item in catalogue_visible_to(actor=actor)
    ]
    return render(request, "portal/requests/catalogue.html", {"items": items})


@customer_required
@require_http_methods(["GET", "POST"])
def order_ssr(request: HttpRequest, code: str) -> HttpResponseBase:
    actor = signed_in_user(request)
    item = get_catalogue_item_for(actor=actor, code=code)
    now = timezone.now()
    status = 200
    if request.method == "POST":
        form = SsrForm(request.POST, actor=actor, item=item)
        if form.is_valid():
            try:
                ssr = submit_ssr(actor=actor, draft=form.to_draft(), now=now)
            except StartTooEarly as early:
                form.add_error(
                    "requested_start",
                    _("Too early for this work at this site. The earliest allowed start is %(earliest)s.")
                    % {
                        "earliest": formats.date_format(
                            timezone.localtime(early.earliest_allowed), "SHORT_DATETIME_FORMAT"
                        )
                    },
                )
                errors = {k: v for k, v in early.errors.items() if k not in ("requested_start", "earliest_allowed")}
                form.add_service_errors(errors)
            except InvalidInput as invalid:
                form.add_service_errors(invalid.errors)
            else:
                messages.success(
                    request,
                    _("Your request is confirmed with SSR ID %(number)s.") % {"number": ssr.number},
                )
                return redirect("portal:customer-ssr", number=ssr.number)
        status = 400
    else:
        form = SsrForm(actor=actor, item=item, initial={"site": request.GET.get("site", "")})
    sites = [(site, earliest_starts(site=site, item=item, now=now)) for site in sites_visible_to(actor=actor)]
    return render(request, "portal/requests/ssr_new.html", {"item": item, "form": form, "sites": sites}, status=status)


@customer_required
@require_GET
def ssr_detail(request: HttpRequest, number: str) -> HttpResponse:
    return _ssr_page(request, number)


def _ssr_page(
    request: HttpRequest, number: str, *, cancel_form: CancelSsrForm | None = None, status: int = 200
) -> HttpResponse:
    actor = signed_in_user(request)
    ssr = get_ssr_for(actor=actor, number=number)
    context: dict[str, Any] = {
        "ssr": ssr,
        "answers": _answers(ssr),
        "may_cancel": "cancel" in ssr_actions(ssr=ssr, actor=actor),
        "cancel_form": cancel_form or CancelSsrForm(),
    }
    return render(request, "portal/requests/ssr_detail.html", context, status=status)


def _answers(ssr: SimpleServiceRequest) -> list[tuple[str, str]]:
    from django.utils import translation  # noqa: PLC0415

    language = (translation.get_language() or "en")[:2]
    labels = {
        str(spec.get("name")): str((spec.get("labels") or {}).get(language) or spec.get("name"))
        for spec in ssr.item.fields or []
        if isinstance(spec, dict)
    }
    words = {"yes": _("Yes"), "no": _("No")}
    return [(labels.get(name, name), str(words.get(str(value), value))) for name, value in ssr.answers.items()]


@customer_required
@require_POST
def ssr_cancel(request: HttpRequest, number: str) -> HttpResponseBase:
    actor = signed_in_user(request)
    ssr = get_ssr_for(actor=actor, number=number)
    form = CancelSsrForm(request.POST)
    form.is_valid()
    try:
        cancel_ssr(ssr=ssr, actor=actor, reason=form.cleaned_data.get("reason", ""))
    except InvalidInput as invalid:
        form.add_service_errors(invalid.errors)
        return _ssr_page(request, number, cancel_form=form, status=400)
    except (Conflict, PermissionRefused) as refusal:
        form.add_error(None, refusal.detail)
        return _ssr_page(request, number, cancel_form=form, status=409)
    messages.success(request, _("%(number)s is cancelled; nothing will be billed.") % {"number": ssr.number})
    return redirect("portal:customer-ssr", number=ssr.number)


# --- change requests ------------------------------------------------------------------------------


@customer_required
@require_http_methods(["GET", "POST"])
def change_new(request: HttpRequest) -> HttpResponseBase:
    actor = signed_in_user(request)
    status = 200
    if request.method == "POST":
        form = ChangeRequestForm(request.POST, actor=actor)
        if form.is_valid():
            try:
                change = open_change_request(actor=actor, draft=form.to_draft())
            except InvalidInput as invalid:
                form.add_service_errors(invalid.errors)
            else:
                messages.success(
                    request,
                    _("Change request %(number)s is recorded. The desk plans it and sends you a quote.")
                    % {"number": change.number},
                )
                return redirect("portal:customer-change", number=change.number)
        status = 400
    else:
        form = ChangeRequestForm(actor=actor, initial={"service": request.GET.get("service", "")})
    return render(request, "portal/requests/change_new.html", {"form": form}, status=status)


def _change_page(
    request: HttpRequest, number: str, *, decision_form: DecisionForm | None = None, status: int = 200
) -> HttpResponse:
    actor = signed_in_user(request)
    change = get_change_request_for(actor=actor, number=number)
    actions = change_actions(change_request=change, actor=actor)
    context: dict[str, Any] = {
        "change": change,
        "actions": actions,
        "decision_form": decision_form,
        "refused_action": decision_form.data.get("action", "") if decision_form is not None else "",
        "timeline": change_request_lines(change_request_timeline(actor=actor, change_request=change)),
    }
    return render(request, "portal/requests/change_detail.html", context, status=status)


@customer_required
@require_GET
def change_detail(request: HttpRequest, number: str) -> HttpResponse:
    return _change_page(request, number)


@customer_required
@require_POST
def change_decide(request: HttpRequest, number: str) -> HttpResponseBase:
    """Accept or decline the quote, or withdraw a request still in planning."""
    actor = signed_in_user(request)
    change = get_change_request_for(actor=actor, number=number)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        form.errors.pop("action", None)
        form.add_error(None, _("That action is not available."))
        return _change_page(request, number, decision_form=form, status=400)
    action = form.cleaned_data["action"]
    try:
        change = transition_change_request(
            change_request=change, actor=actor, action=action, reason=form.cleaned_data.get("reason", "")
        )
    except InvalidInput as invalid:
        form.add_service_errors(invalid.errors)
        return _change_page(request, number, decision_form=form, status=400)
    except (Conflict, PermissionRefused) as refusal:
        form.add_error(None, refusal.detail)
        return _change_page(request, number, decision_form=form, status=409)
    done = {
        "accept": _("You accepted the quote. The desk schedules the work and tells you when it is planned."),
        "decline": _("You declined the quote. Nothing will be done or billed."),
        "cancel": _("Your change request is withdrawn."),
    }
    messages.success(request, done[action])
    return redirect("portal:customer-change", number=change.number)
