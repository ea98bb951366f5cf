"""Pages of no one audience: the start page that sends each user to their role's home, the
language switch, the escalation matrix (customers and desk staff each see theirs), and the
acknowledgement link of an escalation notification (no sign-in: the signed link is the
credential)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from escalation.models import EscalationAttempt
from escalation.selectors import matrices_for
from escalation.services.manual import acknowledge_attempt
from escalation.services.notifications import InvalidAcknowledgeLink, read_ack_token
from portal.views.access import signed_in_user
from servicedesk.models import Tenant, User
from servicedesk.services import UnknownLanguage, set_user_language
from servicedesk.tenancy import tenant_context

ROLE_HOME = {
    User.Role.CUSTOMER: "portal:customer-home",
    User.Role.AGENT: "portal:console-home",
    User.Role.MANAGER: "portal:dashboard-home",
    User.Role.ADMIN: "portal:desk-admin-home",
}


@login_required
def home(request: HttpRequest) -> HttpResponseBase:
    user = signed_in_user(request)
    if user.is_platform_operator:
        return redirect("admin:index")
    return redirect(ROLE_HOME[User.Role(user.role)])


@require_POST
def set_language(request: HttpRequest) -> HttpResponseBase:
    """Switch the interface language; remembered on the user's profile when signed in."""
    language = request.POST.get("language", "")
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    response = redirect(next_url)
    # Only the desk's languages: Django has catalogues (and so check_for_language) for many more.
    if language not in dict(settings.LANGUAGES) or not translation.check_for_language(language):
        return response
    if request.user.is_authenticated:
        try:
            set_user_language(user=signed_in_user(request), language=language)
        except UnknownLanguage:
            return response
    response.set_cookie("django_language", language, samesite="Lax", secure=request.is_secure(), httponly=True)
    return response


@login_required
def escalation_matrix(request: HttpRequest) -> HttpResponse:
    """The escalation matrix that applies to the user (staff: every matrix), ready to print."""
    user = signed_in_user(request)
    if not (user.is_customer or user.is_desk_staff):
        raise Http404
    return render(
        request, "portal/escalation_matrix.html", {"matrices": matrices_for(actor=user), "tenant": user.tenant}
    )


@require_http_methods(["GET", "POST"])
def acknowledge(request: HttpRequest, token: str) -> HttpResponse:
    """The link in an escalation notification: GET shows what is acknowledged, POST does it
    (mail scanners that follow links do not acknowledge anything)."""
    try:
        tenant_id, attempt_id = read_ack_token(token)
    except InvalidAcknowledgeLink:
        return render(request, "console/escalation_acknowledge.html", {"invalid": True}, status=404)
    user = request.user if isinstance(request.user, User) and request.user.tenant_id == tenant_id else None
    with tenant_context(tenant_id):
        attempt = EscalationAttempt.objects.select_related("event__ticket").filter(pk=attempt_id).first()
        if attempt is None:
            return render(request, "console/escalation_acknowledge.html", {"invalid": True}, status=404)
        if request.method == "POST":
            attempt = acknowledge_attempt(attempt_id=attempt.pk, by=user)
            attempt = EscalationAttempt.objects.select_related("event__ticket").get(pk=attempt.pk)
        tenant = Tenant.objects.get(pk=tenant_id)
        return render(request, "console/escalation_acknowledge.html", {"attempt": attempt, "event": attempt.event,
                                                                       "ticket": attempt.event.ticket, "desk": tenant})  # fmt: skip
