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

from portal.forms.profile import ProfileForm, profile_words, read_seen, sign_seen
from portal.views.access import signed_in_user
from servicedesk.errors import InvalidInput
from servicedesk.models import User
from servicedesk.services import StaleProfile, profile_state, update_profile


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    if not (user.is_customer or user.is_desk_staff):
        raise Http404
    form = ProfileForm(request.POST or None, user=user)
    status = 200
    stale: list[dict[str, str]] = []
    if request.method == "POST":
        form.is_valid()
        data = form.cleaned_data
        seen = read_seen(data.get("seen", ""))
        try:
            update_profile(
                user=user,
                language=data.get("language", ""),
                time_zone=data.get("time_zone", ""),
                mail_wanted=data.get("mail", []),
                seen=seen,
            )
        except InvalidInput as invalid:
            form.add_service_errors(invalid.errors)
            status = 400
        except StaleProfile as refused:
            form, stale = _stale_form(request, user, seen or {}, refused.fields)
            status = 409
        else:
            language = user.language or (user.tenant.default_language if user.tenant else "en")
            with translation.override(language):
                messages.success(request, _("Your profile is saved."))
            response = redirect("portal:profile")
            response.set_cookie("django_language", language, samesite="Lax", secure=request.is_secure(), httponly=True)
            return response
    stored_now = {change["field"]: change["now"] for change in stale}
    context = {"form": form, "stale": stale, "stored_now": stored_now, "now": timezone.now()}
    return render(request, "portal/profile.html", context, status=status)


_LABELS = {"language": "language", "time_zone": "time_zone", "mail_opt_outs": "mail"}


def _stale_form(
    request: HttpRequest, user: User, seen: dict[str, str], fields: list[str]
) -> tuple[ProfileForm, list[dict[str, str]]]:
    """The form again with what was typed, now carrying the stored settings as ``seen`` (so a
    second save replaces them knowingly), and per changed setting what the form showed and
    what is stored now."""
    user.refresh_from_db(fields=["language", "time_zone", "mail_opt_outs"])
    state = profile_state(user)
    data = request.POST.copy()
    data["seen"] = sign_seen(state)
    form = ProfileForm(data, user=user)
    form.is_valid()
    before, now = profile_words(user, seen), profile_words(user, state)
    changes = []
    for name in fields:
        field = form.fields.get(_LABELS[name])
        if field is not None:
            changes.append({"field": _LABELS[name], "label": str(field.label), "seen": before[name], "now": now[name]})
    return form, changes
