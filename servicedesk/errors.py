"""Domain refusals that every layer's services raise and the API and pages translate.

- ``InvalidInput``: the request names bad fields (an API 400 keyed by field, form errors next
  to the fields).
- ``Conflict``: the request is well formed but the object's state refuses it now (a stale
  version, a transition not possible from the current status): an API 409.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Protocol

from django.db import transaction
from django.utils.functional import Promise


class InvalidInput(Exception):
    def __init__(self, errors: Mapping[str, Sequence[str | Promise]]) -> None:
        super().__init__(errors)
        self.errors = {field: [str(message) for message in messages] for field, messages in errors.items()}

    @classmethod
    def single(cls, field: str, message: str | Promise) -> InvalidInput:
        return cls({field: [message]})


class StorageUnavailable(InvalidInput):
    """A file could not be stored (the disk is full, the volume is gone): nothing was written,
    the caller may try again later. A field error to a form; a 507 to the API."""

    def __init__(self, field: str, message: str | Promise) -> None:
        super().__init__({field: [message]})


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


class Versioned(Protocol):
    version: int


def run_use_cases(steps: Sequence[Callable[[int], Versioned]], *, version: int) -> None:
    """Run the use cases of one request in one transaction, each on the version the one before
    left. Every refused field of every step is reported at once, as one ``InvalidInput``, and
    then nothing changes (the API's PATCH of a ticket or an order)."""
    errors: dict[str, list[str]] = {}
    with transaction.atomic():
        for step in steps:
            try:
                version = step(version).version
            except InvalidInput as invalid:
                errors.update(invalid.errors)
        if errors:
            raise InvalidInput(errors)
