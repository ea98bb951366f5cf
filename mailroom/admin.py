"""The platform operators' admin for mailboxes: the IMAP password is typed in and stored
encrypted (mailroom.secrets), never shown again."""

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from mailroom.models import Mailbox
from mailroom.secrets import encrypt_secret
from servicedesk.admin import AcrossTenantsAdmin


class MailboxForm(forms.ModelForm):
    imap_password = forms.CharField(
        label="IMAP password", required=False, widget=forms.PasswordInput, help_text="Empty: keep the stored one."
    )

    class Meta:
        model = Mailbox
        fields = [
            "tenant", "transport", "imap_host", "imap_port", "imap_security", "imap_username", "imap_folder",
            "answer_unknown_senders", "is_active",
        ]  # fmt: skip


@admin.register(Mailbox)
class MailboxAdmin(AcrossTenantsAdmin):
    form = MailboxForm
    list_display = ["tenant", "transport", "is_active"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if form.cleaned_data.get("imap_password"):
            obj.imap_password_encrypted = encrypt_secret(form.cleaned_data["imap_password"])
        super().save_model(request, obj, form, change)
