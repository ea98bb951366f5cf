"""Where mail is read: Maildir folders (the embedded default under ``make run``) and IMAP
mailboxes (production). Only the transport differs; both hand each message's bytes to
``receive_message``, and neither ever loses one:

- Maildir: ``{MAILROOM_MAILDIR_ROOT}/{tenant slug}/new/``; a message dealt with moves to
  ``cur/``, one that failed to process (kept, status failed) to ``quarantine/``; one that could
  not even be stored stays in ``new/`` for the next sweep.
- IMAP (TLS from the start, or STARTTLS; never in the clear): unseen messages of the folder; one stored is flagged \\Seen, one that could not be
  stored stays unseen for the next poll.
"""

from __future__ import annotations

import contextlib
import imaplib
import logging
import os
import ssl
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from mailroom.models import InboundMessage, Mailbox
from mailroom.secrets import decrypt_secret
from mailroom.selectors import tenants_with_mailboxes
from mailroom.services.inbound import receive_message
from servicedesk.models import Tenant
from servicedesk.tenancy import tenant_context

logger = logging.getLogger(__name__)

# One sweep takes at most this many messages per mailbox; the rest wait a minute.
BATCH = 200


@dataclass
class SweepResult:
    taken: int = 0
    failed: int = 0
    left: int = 0


def maildir_of(tenant: Tenant) -> Path:
    root = Path(settings.MAILROOM_MAILDIR_ROOT) / tenant.slug
    for folder in ("new", "cur", "tmp", "quarantine"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    return root


def sweep_maildir(*, tenant: Tenant, mailbox: Mailbox) -> SweepResult:
    """Take in the messages waiting in the tenant's ``new/`` folder."""
    root = maildir_of(tenant)
    result = SweepResult()
    # Maildir names start with the delivery time: sorted, they come in the order they arrived.
    waiting = sorted(p for p in (root / "new").iterdir() if p.is_file() and not p.name.startswith("."))
    for path in waiting[:BATCH]:
        try:
            raw = path.read_bytes()
            with tenant_context(tenant):
                received = receive_message(mailbox=mailbox, raw=raw, source="maildir")
        except FileNotFoundError:
            continue  # another sweep took it
        except Exception:
            logger.exception("could not store %s; it stays in new/", path)
            result.left += 1
            continue
        failed = received.message.status == InboundMessage.Status.FAILED
        target = root / ("quarantine" if failed else "cur") / (path.name if ":2," in path.name else f"{path.name}:2,S")
        os.replace(path, target)
        result.failed += failed
        result.taken += not failed
    return result


def _connect(mailbox: Mailbox) -> imaplib.IMAP4:
    context = ssl.create_default_context()
    if settings.MAILROOM_IMAP_CA_FILE:
        context.load_verify_locations(cafile=settings.MAILROOM_IMAP_CA_FILE)
    timeout = settings.MAILROOM_IMAP_TIMEOUT
    client: imaplib.IMAP4
    if mailbox.imap_security == Mailbox.Security.STARTTLS:
        client = imaplib.IMAP4(mailbox.imap_host, mailbox.imap_port, timeout=timeout)
        client.starttls(ssl_context=context)
    else:
        client = imaplib.IMAP4_SSL(mailbox.imap_host, mailbox.imap_port, ssl_context=context, timeout=timeout)
    client.login(mailbox.imap_username, decrypt_secret(mailbox.imap_password_encrypted))
    return client


def poll_imap(*, tenant: Tenant, mailbox: Mailbox) -> SweepResult:
    """Take in the unseen messages of the tenant's IMAP folder (TLS only)."""
    result = SweepResult()
    client = _connect(mailbox)
    try:
        status, _ = client.select(mailbox.imap_folder)
        if status != "OK":
            raise imaplib.IMAP4.error(f"cannot select {mailbox.imap_folder}")
        status, data = client.uid("SEARCH", "UNSEEN")
        uids = data[0].split() if status == "OK" and data and data[0] else []
        for uid in uids[:BATCH]:
            status, parts = client.uid("FETCH", uid, "(BODY.PEEK[])")
            raw = next((p[1] for p in parts or [] if isinstance(p, tuple) and len(p) > 1), None)
            if status != "OK" or not isinstance(raw, bytes):
                result.left += 1
                continue
            try:
                with tenant_context(tenant):
                    received = receive_message(mailbox=mailbox, raw=raw, source="imap")
            except Exception:
                logger.exception("could not store IMAP message %s of %s; it stays unseen", uid, tenant.slug)
                result.left += 1
                continue
            client.uid("STORE", uid, "+FLAGS", "(\\Seen)")
            failed = received.message.status == InboundMessage.Status.FAILED
            result.failed += failed
            result.taken += not failed
    finally:
        with contextlib.suppress(OSError, imaplib.IMAP4.error):
            client.logout()
    return result


def sweep_inbound_mail() -> dict[str, SweepResult]:
    """Every tenant's mailbox once: the Maildir folders, and the IMAP mailboxes where
    ``MAILROOM_IMAP_ENABLED``. A mailbox that cannot be reached is logged and skipped."""
    results: dict[str, SweepResult] = {}
    for tenant, mailbox in tenants_with_mailboxes(transport=Mailbox.Transport.MAILDIR):
        results[tenant.slug] = sweep_maildir(tenant=tenant, mailbox=mailbox)
    if settings.MAILROOM_IMAP_ENABLED:
        for tenant, mailbox in tenants_with_mailboxes(transport=Mailbox.Transport.IMAP):
            try:
                results[tenant.slug] = poll_imap(tenant=tenant, mailbox=mailbox)
            except Exception:
                logger.exception("IMAP mailbox of %s not read", tenant.slug)
    return results
