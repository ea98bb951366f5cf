"""``Idempotency-Key`` on the API's creating requests (opening a ticket, adding a comment,
merging a duplicate, placing an order or an SSR): a client that did not hear the answer sends the request again
with the same key and gets the first answer back (``Idempotent-Replayed: true``) instead of a
second ticket. The header follows the IETF draft "The Idempotency-Key HTTP Header Field".

- A key is the user's, for a day (``KEEP_FOR``); keys of other users never meet.
- The same key with another method, path or body is refused (422): it is a client's bug.
- Two requests with one key at the same time: the first claims the key inside its own
  transaction (a unique row); the second waits on that row and, once the first commits,
  answers with the first's answer (or, if the first failed and rolled back, runs itself).
- Only a success is kept. A refusal (4xx) rolls back with everything else, so the client may
  correct the body and send it again under the same key.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from servicedesk.errors import InvalidInput
from servicedesk.models import IdempotencyKey
from servicedesk.tenancy import create_kwargs

HEADER = "Idempotency-Key"
KEEP_FOR = dt.timedelta(hours=24)
MAX_LENGTH = 255

PARAMETER = OpenApiParameter(
    HEADER,
    OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    required=False,
    description=(
        "Any unique string (at most 255 printable ASCII characters, e.g. a UUID). Sent again with the same "
        "request within 24 hours, the first answer comes back (with `Idempotent-Replayed: true`) and nothing "
        "is created twice; the same key with another body is a 422."
    ),
)


def _key_of(request: Request) -> str | None:
    key = request.headers.get(HEADER)
    if key is None:
        return None
    if not key or len(key) > MAX_LENGTH or not all(" " <= char <= "~" for char in key):
        raise InvalidInput.single(HEADER, _("Give at most 255 printable ASCII characters, e.g. a UUID."))
    return key


def _fingerprint(request: Request) -> str:
    body = json.dumps(request.data, sort_keys=True, cls=DjangoJSONEncoder, default=str)
    return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()


def _replay(stored: IdempotencyKey, fingerprint: str) -> Response:
    if stored.fingerprint != fingerprint:
        return Response(
            {
                "detail": _("This Idempotency-Key was used for another request."),
                "code": "idempotency_key_reused",
            },
            status=status.HTTP_422_UNPROCESSABLE_ENTITY,
        )
    response = Response(stored.body, status=stored.status_code)
    response["Idempotent-Replayed"] = "true"
    return response


def idempotent(view: Callable[..., Response]) -> Callable[..., Response]:
    """For a DRF view method that creates on POST: honour ``Idempotency-Key``."""

    @functools.wraps(view)
    def wrapper(self: Any, request: Request, *args: Any, **kwargs: Any) -> Response:
        if request.method != "POST":
            return view(self, request, *args, **kwargs)
        key = _key_of(request)
        if key is None:
            return view(self, request, *args, **kwargs)
        user, fingerprint, now = request.user, _fingerprint(request), timezone.now()
        with transaction.atomic():
            # Yesterday's keys of this user go (the unique index's prefix finds them).
            IdempotencyKey.objects.filter(user=user, created_at__lt=now - KEEP_FOR).delete()
            try:
                with transaction.atomic():
                    claim = IdempotencyKey.objects.create(
                        **create_kwargs(user=user, key=key, fingerprint=fingerprint, status_code=0, body={})
                    )
            except IntegrityError:
                # Another request holds or held this key: its row is committed by now (the
                # insert waited for it), with the answer it got.
                return _replay(IdempotencyKey.objects.get(user=user, key=key), fingerprint)
            response = view(self, request, *args, **kwargs)
            if not status.is_success(response.status_code) or getattr(response, "exception", False):
                transaction.set_rollback(True)  # the key is free again, and nothing was made
                return response
            claim.status_code, claim.body = response.status_code, response.data
            claim.save(update_fields=["status_code", "body"])
            return response

    wrapper.idempotent = True  # type: ignore[attr-defined]  # (servicedesk.api_schema documents the 422)
    return extend_schema(methods=["POST"], parameters=[PARAMETER])(wrapper)
