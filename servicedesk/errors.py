"""Domain refusals that every layer's services raise and the API and pages translate.

- ``InvalidInput``: the request names bad fields (an API 400 keyed by field, form errors next
  to the fields).
- ``Conflict``: the request is well formed but the object's state refuses it now (a stale
  version, a transition not possible from the current status): an API 409.
"""

from __future__ import annotations

from django.utils.functional import Promise


class InvalidInput(Exception):
    def __init__(self, errors: dict[str, list[str | Promise]]) -> None:
        super().__init__(errors)
        self.errors = {field: [str(message) for message in messages] for field, messages in errors.items()}

    @classmethod
    def single(cls, field: str, message: str | Promise) -> InvalidInput:
        return cls({field: [message]})


class Conflict(Exception):
    def __init__(self, detail: str | Promise, code: str = "conflict", **extra: object) -> None:
        super().__init__(str(detail))
        self.detail = str(detail)
        self.code = code
        self.extra = extra


class PermissionRefused(Exception):
    """The actor's role may never do this (on an object they can see)."""

    def __init__(self, detail: str | Promise) -> None:
        super().__init__(str(detail))
        self.detail = str(detail)
