"""The user's profile: language, time zone (dates follow the language's format) and which
notification mails they get. Every signed-in user of a role has one (customers and staff)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from portal.forms.profile import ProfileForm
from portal.views.access import signed_in_user
from servicedesk.errors import InvalidInput
from servicedesk.services import update_profile


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    if not (user.is_customer or user.is_desk_staff):
        raise Http404
    form = ProfileForm(request.POST or None, user=user)
    status = 200
    if request.method == "POST":
        form.is_valid()
        data = form.cleaned_data
        try:
            update_profile(
                user=user,
                language=data.get("language", ""),
                time_zone=data.get("time_zone", ""),
                mail_wanted=data.get("mail", []),
            )
        except InvalidInput as invalid:
            form.add_service_errors(invalid.errors)
            status = 400
        else:
            language = user.language or (user.tenant.default_language if user.tenant else "en")
            with translation.override(language):
                messages.success(request, _("Your profile is saved."))
            response = redirect("portal:profile")
            response.set_cookie("django_language", language, samesite="Lax", secure=request.is_secure(), httponly=True)
            return response
    return render(request, "portal/profile.html", {"form": form, "now": timezone.now()}, status=status)
