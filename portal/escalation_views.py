"""Escalation pages: the matrix as a printable document, escalating a ticket (customers: the
next level with a reason; desk staff: up or down, saying why), and the acknowledgement link
of an escalation notification (no sign-in: the signed link is the credential).

Each view parses input, fetches through a tenant-scoped selector (``get_ticket_for``: what is
not the actor's is a 404), calls one service and renders. A refusal is shown next to the form.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from escalation.models import EscalationAttempt, EscalationEvent
from escalation.selectors import escalations_for, matrices_for
from escalation.services.manual import acknowledge_attempt, deescalate_ticket, escalate_ticket
from escalation.services.notifications import InvalidAcknowledgeLink, read_ack_token
from portal.views import role_required, signed_in_user
from servicedesk.errors import Conflict, InvalidInput, PermissionRefused
from servicedesk.models import Tenant, User
from servicedesk.tenancy import tenant_context
from tickets.selectors import get_ticket_for

STAFF = (User.Role.AGENT, User.Role.MANAGER, User.Role.ADMIN)


@login_required
def escalation_matrix(request: HttpRequest) -> HttpResponse:
    """The escalation matrix that applies to the user (staff: every matrix), ready to print."""
    user = signed_in_user(request)
    if not (user.is_customer or user.is_desk_staff):
        raise Http404
    return render(request, "escalation/matrix.html", {"matrices": matrices_for(actor=user), "tenant": user.tenant})


class EscalateForm(forms.Form):
    reason = forms.ChoiceField(label=gettext_lazy("Why do you escalate?"), choices=EscalationEvent.Reason.choices)
    comment = forms.CharField(
        label=gettext_lazy("Comment"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class StaffEscalationForm(forms.Form):
    direction = forms.ChoiceField(
        label=gettext_lazy("Change"), choices=[("up", gettext_lazy("Escalate")), ("down", gettext_lazy("De-escalate"))]
    )
    level = forms.IntegerField(label=gettext_lazy("To level"), required=False, min_value=0)
    reason = forms.ChoiceField(
        label=gettext_lazy("Reason"), required=False, choices=[("", "—"), *EscalationEvent.Reason.choices]
    )
    comment = forms.CharField(
        label=gettext_lazy("Comment"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


def _escalate(request: HttpRequest, number: str, *, detail_url: str) -> HttpResponseBase:
    user = signed_in_user(request)
    ticket = get_ticket_for(actor=user, number=number)
    form_class = StaffEscalationForm if user.is_desk_staff else EscalateForm
    form: forms.Form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data: dict[str, Any] = form.cleaned_data
        try:
            if data.get("direction") == "down":
                deescalate_ticket(ticket=ticket, by=user, comment=data["comment"], level=data.get("level"))
            else:
                escalate_ticket(
                    ticket=ticket, by=user, reason=data["reason"], comment=data["comment"], level=data.get("level")
                )
        except InvalidInput as refusal:
            for field, errors in refusal.errors.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        except (Conflict, PermissionRefused) as refusal:
            form.add_error(None, refusal.detail)
        else:
            messages.success(request, _("The escalation level was changed."))
            return redirect(detail_url, number=ticket.number)
    ticket = get_ticket_for(actor=user, number=number)
    return render(
        request,
        "escalation/escalate.html",
        {
            "ticket": ticket,
            "form": form,
            "events": escalations_for(actor=user, ticket=ticket),
            "detail_url": detail_url,
        },
        status=400 if form.errors else 200,
    )


@role_required(User.Role.CUSTOMER)
@require_http_methods(["GET", "POST"])
def customer_escalate(request: HttpRequest, number: str) -> HttpResponseBase:
    return _escalate(request, number, detail_url="portal:customer-ticket")


@role_required(*STAFF)
@require_http_methods(["GET", "POST"])
def console_escalate(request: HttpRequest, number: str) -> HttpResponseBase:
    return _escalate(request, number, detail_url="portal:console-ticket")


@require_http_methods(["GET", "POST"])
def acknowledge(request: HttpRequest, token: str) -> HttpResponse:
    """The link in an escalation notification: GET shows what is acknowledged, POST does it
    (mail scanners that follow links do not acknowledge anything)."""
    try:
        tenant_id, attempt_id = read_ack_token(token)
    except InvalidAcknowledgeLink:
        return render(request, "escalation/acknowledge.html", {"invalid": True}, status=404)
    user = request.user if isinstance(request.user, User) and request.user.tenant_id == tenant_id else None
    with tenant_context(tenant_id):
        attempt = EscalationAttempt.objects.select_related("event__ticket").filter(pk=attempt_id).first()
        if attempt is None:
            return render(request, "escalation/acknowledge.html", {"invalid": True}, status=404)
        if request.method == "POST":
            attempt = acknowledge_attempt(attempt_id=attempt.pk, by=user)
            attempt = EscalationAttempt.objects.select_related("event__ticket").get(pk=attempt.pk)
        tenant = Tenant.objects.get(pk=tenant_id)
        return render(request, "escalation/acknowledge.html", {"attempt": attempt, "event": attempt.event,
                                                                 "ticket": attempt.event.ticket, "desk": tenant})  # fmt: skip
