"""The desk's mailbox: where its mail is read (a Maildir folder or an IMAP mailbox), the
desk's address, and whether unknown senders are told to use the portal. Saved with its audit
entry; a save over somebody else's change is refused like on every administration page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from mailroom.models import Mailbox
from portal.forms.desk_admin import MailboxForm
from portal.views.desk_admin.common import Outcome, admin_required, render_form, saved_redirect, submit
from servicedesk.models import Tenant
from servicedesk.tenancy import require_tenant_id


@admin_required
def mailbox_settings(request: HttpRequest) -> HttpResponse:
    tenant = Tenant.objects.get(pk=require_tenant_id())
    mailbox = Mailbox.objects.first() or Mailbox(tenant=tenant)
    if request.method == "POST":
        form = MailboxForm(request.POST, instance=mailbox, tenant=tenant)
        outcome = submit(
            request, form, save=form.save_with_address, extra=form.extra_changes,
            object_name=str(_("Mailbox of %(desk)s") % {"desk": tenant.name}),
        )  # fmt: skip
        if outcome.saved is not None:
            return saved_redirect(request, reverse("portal:desk-admin-mailbox"), _("Mailbox settings saved."))
    else:
        outcome = Outcome(MailboxForm(instance=mailbox, tenant=tenant))
    return render_form(request, "desk_admin/mailbox.html", outcome, mailbox=mailbox)
