"""The desk's mailboxes and every message that came in through them.

A message is stored (its raw bytes, in the file storage) before it is parsed, so nothing that
reached a mailbox is lost: a message that fails to process stays, marked failed, for a tenant
administrator to retry or discard.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from servicedesk.models import TenantOwned, User
from tickets.models import Comment, Ticket


class Mailbox(TenantOwned):
    """Where the tenant's desk address is read: a Maildir folder under
    ``MAILROOM_MAILDIR_ROOT/{tenant slug}/`` (the embedded default) or an IMAP mailbox."""

    class Transport(models.TextChoices):
        MAILDIR = "maildir", _("Maildir folder")
        IMAP = "imap", _("IMAP mailbox")

    class Security(models.TextChoices):
        TLS = "tls", _("TLS from the start (usually port 993)")
        STARTTLS = "starttls", _("STARTTLS (usually port 143)")

    transport = models.CharField(_("read from"), max_length=10, choices=Transport.choices, default=Transport.MAILDIR)
    imap_host = models.CharField(_("IMAP server"), max_length=200, blank=True)
    imap_port = models.PositiveIntegerField(_("IMAP port"), default=993)
    # Never in the clear: TLS from the first byte, or STARTTLS before the log-in.
    imap_security = models.CharField(_("encryption"), max_length=10, choices=Security.choices, default=Security.TLS)
    imap_username = models.CharField(_("IMAP user name"), max_length=200, blank=True)
    # Fernet token (mailroom.secrets): never the password itself.
    imap_password_encrypted = models.TextField(blank=True, editable=False)
    imap_folder = models.CharField(_("IMAP folder"), max_length=200, default="INBOX")
    # Off by default: an unknown sender is often a forged one, and answering it sends mail to
    # someone who never wrote (backscatter). A tenant that wants the note turns it on.
    answer_unknown_senders = models.BooleanField(_("answer unknown senders once a day"), default=False)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("mailbox")
        verbose_name_plural = _("mailboxes")
        constraints = [models.UniqueConstraint(fields=["tenant"], name="mailbox_one_per_tenant")]

    def __str__(self) -> str:
        return self.address

    @property
    def address(self) -> str:
        """The tenant's desk address (a setting of the tenant: every layer's mail names it)."""
        return str(self.tenant.desk_address)

    @property
    def domain(self) -> str:
        return self.address.rsplit("@", 1)[-1].lower()


def raw_message_path(instance: InboundMessage, filename: str) -> str:
    return f"tenants/{instance.tenant_id}/mail/{uuid.uuid4().hex}.eml"


class InboundMessage(TenantOwned):
    """One message received, from the moment it was stored until it was dealt with."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        PROCESSED = "processed", _("Processed")
        FAILED = "failed", _("Failed")
        DISCARDED = "discarded", _("Discarded")

    class Outcome(models.TextChoices):
        TICKET = "ticket", _("New ticket")
        COMMENT = "comment", _("Reply on a ticket")
        AUTOMATIC = "automatic", _("Automatic reply (ignored)")
        BOUNCE = "bounce", _("Bounce (ignored)")
        MAILING_LIST = "mailing_list", _("Mailing list (ignored)")
        OWN_MAIL = "own_mail", _("The desk's own mail (ignored)")
        UNKNOWN_SENDER = "unknown_sender", _("Unknown sender (ignored)")
        RATE_LIMITED = "rate_limited", _("Too many messages from this sender (ignored)")
        STAFF_NOT_A_REPLY = "staff_not_a_reply", _("Staff mail that answers no open ticket (ignored)")

    # The duplicate guard: sha256 of the Message-ID, or of the raw bytes when there is none.
    dedup_key = models.CharField(max_length=64)
    message_id = models.CharField(max_length=500, blank=True)
    sender = models.CharField(_("sender"), max_length=254, blank=True)
    subject = models.CharField(_("subject"), max_length=500, blank=True)
    raw = models.FileField(upload_to=raw_message_path, max_length=300)
    size = models.PositiveBigIntegerField(default=0)
    # Where it came from: "maildir", "imap", "pipe".
    source = models.CharField(max_length=10)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.RECEIVED)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    error = models.TextField(_("error"), blank=True)
    # Attachments refused by the attachment rules: [{"name": …, "reason": …}].
    refused_attachments = models.JSONField(default=list, blank=True)
    author = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False)
    ticket = models.ForeignKey(
        Ticket, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )
    comment = models.ForeignKey(
        Comment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    processed_at = models.DateTimeField(_("processed"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("inbound message")
        verbose_name_plural = _("inbound messages")
        constraints = [
            # The same message delivered twice (a retried delivery, a second poll) is one row.
            models.UniqueConstraint(fields=["tenant", "dedup_key"], name="inbound_message_unique_per_tenant"),
        ]
        indexes = [
            # Threading: a reply's In-Reply-To / References looked up among the messages received.
            models.Index(fields=["tenant", "message_id"], name="inbound_tenant_message_id_idx"),
            # The per-sender rate limit: one sender's messages of the last hour.
            models.Index(fields=["tenant", "sender", "-received_at"], name="inbound_tenant_sender_idx"),
            # The administrators' list of failed messages.
            models.Index(fields=["tenant", "status", "-received_at"], name="inbound_tenant_status_idx"),
        ]

    def __str__(self) -> str:
        return self.message_id or self.dedup_key


class SenderNotice(TenantOwned):
    """An unknown sender was told to use the portal on this day (at most once a day)."""

    address = models.CharField(max_length=254)
    day = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "address", "day"], name="sender_notice_once_a_day"),
        ]

    def __str__(self) -> str:
        return f"{self.address} {self.day}"
