"""One rule decides whether a user gets a notification mail (servicedesk.notifications), and
every module of the desk that sends mail asks it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from servicedesk.models import User
from servicedesk.notifications import CUSTOMER_KINDS, STAFF_KINDS, MailKind, mail_kinds_for, wants_mail

ROOT = Path(__file__).resolve().parents[2]
APPS = ("servicedesk", "orders", "tickets", "escalation", "feedback", "documents", "mailroom", "portal")
SENDERS = {
    "send_mail", "send_mass_mail", "EmailMessage", "EmailMultiAlternatives", "mail_admins", "mail_managers",
    "send_notification", "build_mail",
}  # fmt: skip
#: Not notifications: the sending layer itself, and the answer to a mail the person has just
#: sent (its ticket number, or why nothing was opened) and the invitation to a new account, which
#: like a password reset always go.
NOT_NOTIFICATIONS = {
    "servicedesk/mailing.py",
    "mailroom/services/answers.py",
    "servicedesk/services.py",  # the invitation to set a password
    "portal/forms/accounts.py",  # the password reset a person asked for
}


@pytest.mark.django_db
def test_a_user_wants_every_mail_until_they_turn_it_off(demo):
    alice = demo.user("alice@acme.example")
    assert all(wants_mail(alice, kind) for kind in MailKind)
    alice.mail_opt_outs = [MailKind.SURVEY]
    assert not wants_mail(alice, MailKind.SURVEY)
    assert wants_mail(alice, MailKind.PLANNED_WORK)


@pytest.mark.django_db
def test_an_inactive_user_wants_no_mail(demo):
    alice = demo.user("alice@acme.example")
    alice.is_active = False
    assert not any(wants_mail(alice, kind) for kind in MailKind)


@pytest.mark.django_db
def test_each_role_is_offered_its_own_kinds(demo):
    assert mail_kinds_for(demo.user("alice@acme.example")) == CUSTOMER_KINDS
    assert mail_kinds_for(demo.user("agent@northwind.example")) == STAFF_KINDS
    assert mail_kinds_for(User(email="nobody@example.org")) == ()
    assert set(CUSTOMER_KINDS) | set(STAFF_KINDS) == set(MailKind)


def _modules_sending_mail() -> dict[str, set[str]]:
    found = {}
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            names = {
                node.id if isinstance(node, ast.Name) else node.attr
                for node in ast.walk(ast.parse(path.read_text()))
                if isinstance(node, ast.Name | ast.Attribute)
            }
            if names & SENDERS:
                found[path.relative_to(ROOT).as_posix()] = names
    return found


def test_every_module_that_sends_mail_asks_wants_mail():
    senders = _modules_sending_mail()
    assert {
        "tickets/services/notifications.py",
        "orders/services/notices.py",
        "escalation/services/notifications.py",
        "feedback/services.py",
    } <= set(senders)
    assert [
        module for module, names in senders.items() if "wants_mail" not in names and module not in NOT_NOTIFICATIONS
    ] == []
