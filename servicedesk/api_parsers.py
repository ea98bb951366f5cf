"""The API's request parsers (REST_FRAMEWORK ``DEFAULT_PARSER_CLASSES``): DRF's JSON, form and
multipart parsers, plus what no field should have to check by itself.

- A JSON or form body larger than ``DATA_UPLOAD_MAX_MEMORY_SIZE`` is refused before it is
  decoded (``RequestDataTooBig``, a 413 in servicedesk.api_errors), as Django refuses the form
  fields of a multipart body beyond it.
- JSON nests at most ``MAX_DEPTH`` levels, its numbers are finite (``1e999`` is no number)
  and its integers fit the database's bigint.
- No text holds a NUL character (PostgreSQL refuses it in text and jsonb).

A refusal names the request's top-level field that holds the bad value (``non_field_errors``
when the body itself is the bad value), like every validation error of the API.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import QueryDict
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError, ValidationError

from servicedesk.api_params import MAX_INTEGER, MIN_INTEGER

# The deepest request body of the API nests 4 levels (an order's lines, a ticket's contacts);
# the bound leaves room and keeps every recursive walk over the data far from Python's limit.
MAX_DEPTH = 32


def _refuse(field: str, message: str) -> ValidationError:
    return ValidationError({field: [message]})


def _bad_value(value: Any) -> str | None:
    """Why a scalar of a request body is refused, if it is."""
    if isinstance(value, str):
        return _("Text may not contain NUL characters.") if "\x00" in value else None
    if isinstance(value, float) and not math.isfinite(value):
        return _("Give a finite number.")
    if isinstance(value, int) and not isinstance(value, bool) and not MIN_INTEGER <= value <= MAX_INTEGER:
        return _("Give a number between %(min)d and %(max)d.") % {"min": MIN_INTEGER, "max": MAX_INTEGER}
    return None


def check_data(data: Any) -> None:
    """Refuse nesting deeper than ``MAX_DEPTH``, NUL characters, non-finite numbers and
    integers outside the bigint range anywhere in parsed JSON (``ValidationError`` naming the
    top-level field). Iterative, so a deep body cannot exhaust the stack."""
    top: list[tuple[str, Any]] = (
        [(str(key), value) for key, value in data.items()] if isinstance(data, dict) else [("non_field_errors", data)]
    )
    for field, value in top:
        if "\x00" in field:
            raise _refuse("non_field_errors", _("Field names may not contain NUL characters."))
        pending: list[tuple[Any, int]] = [(value, 1)]
        while pending:
            item, depth = pending.pop()
            if isinstance(item, dict | list):
                if depth > MAX_DEPTH:
                    raise _refuse(field, _("Nested too deep: at most %(max)d levels.") % {"max": MAX_DEPTH})
                if isinstance(item, dict):
                    if any("\x00" in key for key in item):
                        raise _refuse(field, _("Text may not contain NUL characters."))
                    pending.extend((child, depth + 1) for child in item.values())
                else:
                    pending.extend((child, depth + 1) for child in item)
                continue
            reason = _bad_value(item)
            if reason:
                raise _refuse(field, reason)


def check_form(data: Mapping[str, Any]) -> None:
    """Refuse a NUL character in a form's field names or values (``ValidationError`` naming
    the field)."""
    items = data.lists() if isinstance(data, MultiValueDict) else ((key, [value]) for key, value in data.items())
    for field, values in items:
        if "\x00" in field:
            raise _refuse("non_field_errors", _("Field names may not contain NUL characters."))
        for value in values:
            if "\x00" in str(getattr(value, "name", value)):
                raise _refuse(field, _("Text may not contain NUL characters."))


def read_body(stream: Any) -> bytes:
    """The whole body, or ``RequestDataTooBig`` once it exceeds ``DATA_UPLOAD_MAX_MEMORY_SIZE``
    (reading at most one byte beyond the limit, whatever the Content-Length says)."""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    body: bytes = stream.read() if limit is None else stream.read(limit + 1)
    if limit is not None and len(body) > limit:
        raise RequestDataTooBig(_("The request body is larger than %(max)d bytes.") % {"max": limit})
    return body


def _encoding(parser_context: Any) -> str:
    """The request's charset; DRF refuses bytes-to-bytes codecs (a bz2 body would expand past
    the size limit). (djangorestframework-stubs do not know get_encoding yet.)"""
    encoding: str = parsers.get_encoding(parser_context or {})  # type: ignore[attr-defined]
    return encoding


def _refuse_constant(name: str) -> None:
    raise ValueError(_("%(name)s is not a JSON number.") % {"name": name})


class DeskJSONParser(parsers.JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        encoding = _encoding(parser_context)
        body = read_body(stream)
        try:
            data = json.loads(body.decode(encoding), parse_constant=_refuse_constant)
        except RecursionError:
            raise _refuse(
                "non_field_errors", _("Nested too deep: at most %(max)d levels.") % {"max": MAX_DEPTH}
            ) from None
        except ValueError as error:  # not JSON, not the charset, or more digits than Python reads
            raise ParseError(f"JSON parse error - {error}") from None
        check_data(data)
        return data


class DeskFormParser(parsers.FormParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        encoding = _encoding(parser_context)
        data = QueryDict(read_body(stream), encoding=encoding)  # DATA_UPLOAD_MAX_NUMBER_FIELDS: Django's
        check_form(data)
        return data


class DeskMultiPartParser(parsers.MultiPartParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        result = super().parse(stream, media_type, parser_context)
        check_form(result.data)
        check_form(result.files)
        return result
