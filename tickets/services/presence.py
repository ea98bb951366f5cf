"""Who else has a ticket open in the console, and who is typing a reply: short-lived marks in
the cache, renewed by each open page's polling and gone when they stop.

One cache entry per ticket holds every viewer's mark with its own expiry instant. Two pages
renewing at the same moment may overwrite each other's mark once; the next poll (every
``POLL_SECONDS``) writes it again, which is all a hint of presence needs. Nothing here is
stored in the database.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.core.cache import cache

from servicedesk.models import User
from tickets.models import Ticket

POLL_SECONDS = 10
#: A mark outlives two missed polls, then it is gone.
TTL_SECONDS = 3 * POLL_SECONDS
#: "Typing" lasts this long after the last keystroke reported.
TYPING_SECONDS = 15


@dataclass(frozen=True)
class Presence:
    user_id: int
    name: str
    is_typing: bool


def _key(ticket: Ticket) -> str:
    return f"presence:{ticket.tenant_id}:{ticket.pk}"


def _alive(marks: dict[str, dict[str, object]], now: float) -> dict[str, dict[str, object]]:
    return {user: mark for user, mark in marks.items() if float(str(mark["until"])) > now}


def mark_present(*, ticket: Ticket, actor: User, is_typing: bool = False) -> None:
    """``actor`` has ``ticket`` open now (and is typing a reply or note, if so)."""
    now = time.time()
    marks = _alive(cache.get(_key(ticket)) or {}, now)
    marks[str(actor.pk)] = {
        "name": actor.full_name or actor.email,
        "until": now + TTL_SECONDS,
        "typing_until": now + TYPING_SECONDS if is_typing else 0.0,
    }
    cache.set(_key(ticket), marks, timeout=TTL_SECONDS)


def others_present(*, ticket: Ticket, actor: User) -> list[Presence]:
    """Everyone but ``actor`` whose mark on ``ticket`` has not expired, by name."""
    now = time.time()
    marks = _alive(cache.get(_key(ticket)) or {}, now)
    return sorted(
        (
            Presence(user_id=int(user), name=str(mark["name"]), is_typing=float(str(mark["typing_until"])) > now)
            for user, mark in marks.items()
            if user != str(actor.pk)
        ),
        key=lambda presence: presence.name,
    )
