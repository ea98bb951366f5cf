"""The desk itself: its name, default language, time zone, reopen window and office hours."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from portal.forms.desk_admin import DeskSettingsForm
from portal.views.desk_admin.common import Outcome, admin_required, render_form, saved_redirect, submit
from servicedesk.models import Tenant
from servicedesk.tenancy import require_tenant_id


@admin_required
def desk_settings(request: HttpRequest) -> HttpResponse:
    tenant = Tenant.objects.get(pk=require_tenant_id())
    if request.method == "POST":
        outcome = submit(request, DeskSettingsForm(request.POST, instance=tenant))
        if outcome.saved is not None:
            return saved_redirect(request, reverse("portal:desk-admin-settings"), _("Desk settings saved."))
    else:
        outcome = Outcome(DeskSettingsForm(instance=tenant))
    return render_form(request, "desk_admin/settings.html", outcome, tenant=tenant)
