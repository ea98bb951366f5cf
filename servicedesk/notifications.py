"""Which mail a person wants: one rule for every sender of the desk.

Every mail the desk sends on its own account is of one ``MailKind``; each sender asks
``wants_mail(user, kind)`` for each recipient who is a user and sends nothing to one who
said no on their profile (``User.mail_opt_outs``). Mail a person asked for themselves (a
password reset link) is not a notification and is always sent. An address that belongs to
no user (an escalation contact kept only as an address) cannot say no and is always sent.
"""

from __future__ import annotations

from servicedesk.models import MailKind, User

__all__ = ["MailKind", "mail_kinds_for", "wants_mail"]


#: The kinds each audience can receive (the profile offers only these).
CUSTOMER_KINDS = (MailKind.TICKET_REPLY, MailKind.ESCALATION_ACCOUNT, MailKind.PLANNED_WORK, MailKind.SURVEY)
STAFF_KINDS = (MailKind.SLA_ALERT, MailKind.ESCALATION_CONTACT)


def mail_kinds_for(user: User) -> tuple[MailKind, ...]:
    """The kinds of mail the desk may send ``user`` (and so the ones they can turn off)."""
    if user.is_customer:
        return CUSTOMER_KINDS
    if user.is_desk_staff:
        return STAFF_KINDS
    return ()


def wants_mail(user: User, kind: MailKind | str) -> bool:
    """Whether the desk may mail ``user`` about ``kind``: an active user who has not turned it off."""
    return bool(user.is_active) and str(kind) not in (user.mail_opt_outs or [])
