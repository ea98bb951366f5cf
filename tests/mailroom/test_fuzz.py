"""Whatever bytes arrive: the parser never raises, and the desk either deals with the message
or keeps it as failed, never with half a ticket written."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mailroom.models import InboundMessage
from mailroom.parsing import ParsedMail, parse_message
from servicedesk.tenancy import tenant_context
from tests.mailroom.conftest import CORPUS
from tickets.models import Attachment, Ticket, TicketEvent

SHAPES = sorted(p.read_bytes() for p in CORPUS.glob("*.eml"))


@st.composite
def damaged_messages(draw) -> bytes:
    """A corpus message cut, spliced with random bytes, or with bytes flipped."""
    raw = draw(st.sampled_from(SHAPES))
    cut = draw(st.integers(min_value=0, max_value=len(raw)))
    noise = draw(st.binary(max_size=300))
    how = draw(st.sampled_from(["cut", "splice", "flip"]))
    if how == "cut":
        return raw[:cut]
    if how == "splice":
        return raw[:cut] + noise + raw[cut:]
    flipped = bytearray(raw)
    for offset, byte in zip(range(cut, len(flipped)), noise, strict=False):
        flipped[offset] ^= byte
    return bytes(flipped)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.binary(max_size=2000), damaged_messages()))
def test_the_parser_never_raises(raw):
    parsed = parse_message(raw)
    assert isinstance(parsed, ParsedMail)
    assert isinstance(parsed.text, str)
    assert isinstance(parsed.subject, str)


# From a known customer, so that the bytes reach ticket creation.
KNOWN = b"From: alice@acme.example\r\nTo: desk@northwind.example\r\n"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(st.binary(max_size=600).map(lambda b: KNOWN + b), damaged_messages().map(lambda b: KNOWN + b)))
def test_arbitrary_mail_is_dealt_with_or_kept_never_half_written(demo, deliver, raw):
    with tenant_context(demo.northwind):
        before = (Ticket.objects.count(), TicketEvent.objects.count(), Attachment.objects.count())
    received = deliver(raw)
    message = received.message
    with tenant_context(demo.northwind):
        after = (Ticket.objects.count(), TicketEvent.objects.count(), Attachment.objects.count())
        assert InboundMessage.objects.filter(pk=message.pk).exists()
    # Nothing in the bytes themselves makes processing fail: failure is for outages.
    assert message.status == InboundMessage.Status.PROCESSED, message.error
    if received.duplicate or message.status == InboundMessage.Status.FAILED:
        assert after == before
    elif message.outcome == InboundMessage.Outcome.TICKET:
        assert after[0] == before[0] + 1
    elif message.outcome == InboundMessage.Outcome.COMMENT:
        assert after[0] == before[0]
    else:
        assert after == before


def test_a_message_id_with_a_nul_is_no_message_id_and_the_mail_is_dealt_with(demo, deliver):
    # Found by the test above: a NUL inside the angle brackets reached PostgreSQL, which refused it.
    raw = KNOWN + b"Message-ID: <\x00odd-0001@mail.acme.example>\r\nSubject: Link down\r\n\r\nDown since 08:55.\r\n"
    received = deliver(raw)

    assert not received.duplicate
    assert received.message.message_id == ""  # the bytes' hash guards against duplicates instead
    assert received.message.status == InboundMessage.Status.PROCESSED, received.message.error
    assert deliver(raw).duplicate
