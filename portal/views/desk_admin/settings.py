"""The desk itself: its name, default language, time zone, reopen window, breaching-soon
window, office hours and branding (accent colour and logo)."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from portal.forms.desk_admin import DeskSettingsForm
from portal.views.access import signed_in_user
from portal.views.desk_admin.common import Outcome, admin_required, render_form, saved_redirect, submit
from servicedesk.branding import LOGO_MAX_BYTES, logo_content_type, set_logo
from servicedesk.errors import InvalidInput
from servicedesk.models import Tenant
from servicedesk.tenancy import require_tenant_id


class LogoForm(forms.Form):
    logo = forms.FileField(
        label=gettext_lazy("Logo"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
    )


def _settings_page(
    request: HttpRequest, tenant: Tenant, outcome: Outcome, logo_form: LogoForm, status: int | None = None
) -> HttpResponse:
    return render_form(
        request, "desk_admin/settings.html", outcome, status=status, tenant=tenant, logo_form=logo_form,
        logo_max_bytes=LOGO_MAX_BYTES,
    )  # fmt: skip


@admin_required
def desk_settings(request: HttpRequest) -> HttpResponse:
    tenant = Tenant.objects.get(pk=require_tenant_id())
    if request.method == "POST":
        outcome = submit(request, DeskSettingsForm(request.POST, instance=tenant))
        if outcome.saved is not None:
            return saved_redirect(request, reverse("portal:desk-admin-settings"), _("Desk settings saved."))
    else:
        outcome = Outcome(DeskSettingsForm(instance=tenant))
    return _settings_page(request, tenant, outcome, LogoForm(prefix="branding"))


@admin_required
@require_POST
def desk_logo(request: HttpRequest) -> HttpResponse:
    """Upload a new logo or remove it (``action=remove``); errors next to the field."""
    tenant = Tenant.objects.get(pk=require_tenant_id())
    form = LogoForm(request.POST, request.FILES, prefix="branding")
    back = reverse("portal:desk-admin-settings")
    remove = request.POST.get("action") == "remove"
    if form.is_valid():
        upload = form.cleaned_data.get("logo")
        if remove:
            set_logo(tenant=tenant, actor=signed_in_user(request), upload=None)
            return saved_redirect(request, back, _("Logo removed."))
        if upload:
            try:
                set_logo(tenant=tenant, actor=signed_in_user(request), upload=upload)
            except InvalidInput as refused:
                for message in refused.errors.get("logo", []):
                    form.add_error("logo", message)
            else:
                return saved_redirect(request, back, _("Logo saved: it is in the page header now."))
        else:
            form.add_error("logo", _("Choose an image file to upload."))
    return _settings_page(request, tenant, Outcome(DeskSettingsForm(instance=tenant)), form, status=400)


@login_required
@require_GET
def tenant_logo(request: HttpRequest, tenant_id: int) -> FileResponse:
    """The logo of the signed-in user's own desk; any other desk's is not there (404)."""
    user = signed_in_user(request)
    if user.tenant_id is None or user.tenant_id != tenant_id:
        raise Http404
    tenant = Tenant.objects.get(pk=tenant_id)
    if not tenant.logo:
        raise Http404
    try:
        stored = tenant.logo.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(stored, content_type=logo_content_type(tenant.logo.name))
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, max-age=86400"  # a new logo has a new address
    return response
