"""The tenant administrators' pages: the desk's product areas, teams, staff and accounts; the
mail that came in."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mailroom.models import InboundMessage
from mailroom.selectors import mailbox_of_tenant, messages_needing_attention, recent_messages
from mailroom.services.inbound import discard_message, retry_message
from portal.views.access import signed_in_user
from portal.views.desk_admin.common import admin_required
from servicedesk.errors import Conflict
from servicedesk.models import ProductArea, Team
from servicedesk.selectors import accounts_visible_to, staff_of_tenant


@admin_required
def desk_admin_home(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    return render(
        request,
        "desk_admin/home.html",
        {
            "product_areas": ProductArea.objects.order_by("name"),
            "teams": Team.objects.select_related("product_area").order_by("name"),
            "staff": staff_of_tenant(actor=user).order_by("full_name"),
            "accounts": accounts_visible_to(actor=user),
        },
    )


@admin_required
def desk_admin_mail(request: HttpRequest) -> HttpResponse:
    """The mail that failed to process (to retry or discard), and the latest mail taken in."""
    user = signed_in_user(request)
    return render(
        request,
        "desk_admin/mail.html",
        {
            "mailbox": mailbox_of_tenant(),
            "failed": messages_needing_attention(actor=user)[:100],
            "recent": recent_messages(actor=user)[:30],
        },
    )


@admin_required
@require_POST
def desk_admin_mail_action(request: HttpRequest, pk: int, action: str) -> HttpResponseBase:
    user = signed_in_user(request)
    message = get_object_or_404(InboundMessage.objects.all(), pk=pk)
    mailbox = mailbox_of_tenant()
    try:
        if action == "retry" and mailbox is not None:
            done = retry_message(actor=user, message=message, mailbox=mailbox)
            if done.status == InboundMessage.Status.FAILED:
                messages.error(request, _("The message failed again: %(error)s") % {"error": done.error})
            else:
                messages.success(
                    request, _("The message was processed: %(outcome)s.") % {"outcome": done.get_outcome_display()}
                )
        elif action == "discard":
            discard_message(actor=user, message=message)
            messages.success(request, _("The message was discarded."))
        else:
            raise Http404
    except Conflict as refused:
        messages.error(request, refused.detail)
    return redirect("portal:desk-admin-mail")
