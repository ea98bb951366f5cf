"""Properties of the API's parsers, over generated input (a fixed seed): the JSON parser
(depth, numbers, integers, NUL characters), the body size bound, and the date fields. Each
either returns what was sent or refuses with one of the API's structured errors — never any
other exception — and refuses exactly what its rule says. (The cursor, integer-parameter and
billing-month properties go through the API: test_hostile_input.py, orders/test_hostile_input.py.)
"""

from __future__ import annotations

import datetime as dt
import io
import json
import math
from typing import Any

import pytest
from django.core.exceptions import RequestDataTooBig
from django.test import override_settings
from hypothesis import given, settings
from hypothesis import strategies as st
from rest_framework.exceptions import ParseError, ValidationError

from servicedesk.api_fields import DateField, DateTimeField
from servicedesk.api_params import MAX_INTEGER, MIN_INTEGER
from servicedesk.api_parsers import MAX_DEPTH, DeskJSONParser, read_body
from servicedesk.validators import EARLIEST_DATE, LATEST_DATE

PROPERTY = settings(max_examples=300, deadline=None, derandomize=True, database=None)

TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=8) | st.sampled_from(["\x00", "a\x00b"])
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | TEXT
)
VALUES = st.recursive(
    SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4), max_leaves=12
)


def _parse(body: bytes) -> Any:
    return DeskJSONParser().parse(io.BytesIO(body), "application/json", {})


def _first_fault(value: Any, depth: int = 1) -> bool:
    """The rule, written out plainly: whether a top-level field's value is refused."""
    if isinstance(value, dict):
        return depth > MAX_DEPTH or any("\x00" in k or _first_fault(v, depth + 1) for k, v in value.items())
    if isinstance(value, list):
        return depth > MAX_DEPTH or any(_first_fault(v, depth + 1) for v in value)
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, float):
        return not math.isfinite(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return not MIN_INTEGER <= value <= MAX_INTEGER
    return False


@PROPERTY
@given(st.dictionaries(st.text(st.characters(exclude_categories=("Cs",)), max_size=6), VALUES, max_size=4))
def test_a_json_body_is_returned_as_sent_or_refused_naming_the_field_that_breaks_the_rule(body):
    try:
        parsed = _parse(json.dumps(body).encode())
    except ValidationError as refusal:
        (field,) = refusal.detail
        assert field == "non_field_errors" or _first_fault(body[field])
        if field == "non_field_errors":
            assert any("\x00" in key for key in body)
        return
    assert parsed == body
    assert not any("\x00" in key or _first_fault(value) for key, value in body.items())


@PROPERTY
@given(depth=st.integers(min_value=1, max_value=5_000), kind=st.sampled_from(["[]", "{}"]))
def test_json_is_refused_exactly_when_it_nests_deeper_than_the_bound(depth, kind):
    nested = '{"k": ' * (depth - 1) + "{}" + "}" * (depth - 1) if kind == "{}" else "[" * depth + "]" * depth
    try:
        _parse(b'{"field": ' + nested.encode() + b"}")
    except ValidationError as refusal:
        assert depth > MAX_DEPTH
        assert set(refusal.detail) <= {"field", "non_field_errors"}  # noqa: PT017 - refused or not, both checked
        return
    assert depth <= MAX_DEPTH


@PROPERTY
@given(
    number=st.one_of(
        st.integers(min_value=-(2**200), max_value=2**200).map(str),
        st.sampled_from(["1e999", "-1e999", "1e308", "1E400", "-0.0", "0e99999", "1" + "0" * 4000]),
        st.floats(allow_nan=False).map(repr).filter(lambda text: text not in ("inf", "-inf")),
    )
)
def test_a_json_number_is_kept_or_refused_with_a_number_message_never_an_error(number):
    try:
        parsed = _parse(b'{"n": ' + number.encode() + b"}")
    except ValidationError as refusal:
        assert list(refusal.detail) == ["n"]  # noqa: PT017 - refused or not, both checked
        value = json.loads(number)
        assert (isinstance(value, float) and not math.isfinite(value)) or not MIN_INTEGER <= value <= MAX_INTEGER
        return
    except ParseError:
        assert len(number) > 4000  # more digits than Python converts
        return
    assert parsed == {"n": json.loads(number)}


@PROPERTY
@given(
    constant=st.sampled_from(["NaN", "Infinity", "-Infinity"]),
    where=st.sampled_from(['{{"n": {}}}', '{{"n": [1, {}]}}', '{{"n": {{"x": {{"y": {}}}}}}}']),
)
def test_nan_and_infinity_are_a_parse_error_wherever_they_stand(constant, where):
    with pytest.raises(ParseError):
        _parse(where.format(constant).encode())


@PROPERTY
@given(size=st.integers(min_value=0, max_value=4096), limit=st.integers(min_value=0, max_value=4096))
def test_a_body_is_read_whole_up_to_the_limit_and_refused_beyond_it(size, limit):
    body = b"x" * size
    with override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=limit):
        if size > limit:
            with pytest.raises(RequestDataTooBig):
                read_body(io.BytesIO(body))
        else:
            assert read_body(io.BytesIO(body)) == body


@PROPERTY
@given(
    instant=st.datetimes(
        min_value=dt.datetime(1, 1, 2),  # noqa: DTZ001 - hypothesis takes naive bounds
        max_value=dt.datetime(9999, 12, 30),  # noqa: DTZ001
        timezones=st.timezones(),
        allow_imaginary=False,
    )
)
def test_a_date_and_time_is_taken_within_the_desks_years_and_refused_outside(instant):
    field = DateTimeField()
    try:
        taken = field.to_internal_value(instant.isoformat())
    except ValidationError:
        assert not EARLIEST_DATE <= instant.astimezone(dt.UTC).date() <= LATEST_DATE
        return
    assert taken == dt.datetime.fromisoformat(instant.isoformat())  # the instant as written, fold or not
    assert EARLIEST_DATE <= taken.date() <= LATEST_DATE


@PROPERTY
@given(
    text=st.one_of(
        st.text(st.characters(exclude_categories=("Cs",)), max_size=40),
        st.sampled_from(
            ["0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "9999-12-31T20:00:00-05:00", "0001-01-01T00:30:00+01:00",
             "2099-12-31T23:59:59-12:00", "2000-01-01T00:00:00+14:00", "+10000-01-01", "2026-02-30", "2026-13-01"]
        ),
    )
)  # fmt: skip
def test_no_text_makes_a_date_field_raise_anything_but_a_validation_error(text):
    for field in (DateTimeField(), DateField()):
        try:
            value = field.to_internal_value(text)
        except ValidationError:
            continue
        day = value.date() if isinstance(value, dt.datetime) else value
        assert EARLIEST_DATE <= day <= LATEST_DATE
