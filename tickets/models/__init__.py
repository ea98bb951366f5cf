"""Tickets' models, split by subdomain: the ticket and its conversation (core), service
levels (sla), problems and reasons for outage (problems), canned responses (canned), the agents'
saved queue views (views)."""

from tickets.models.canned import CannedResponse
from tickets.models.core import (
    Attachment,
    Comment,
    Impact,
    Priority,
    PriorityRule,
    QuestionnaireField,
    Ticket,
    TicketEvent,
    TicketMerge,
    TicketParticipant,
    TicketSequence,
    Urgency,
    attachment_path,
    contact_fields,
)
from tickets.models.problems import Problem, ProblemEvent, ProblemIncident, Rfo
from tickets.models.sla import PREFETCHED_CLOCKS, SlaAlert, SlaClock, SlaPolicy, SlaTarget
from tickets.models.views import SavedQueueView

__all__ = [
    "PREFETCHED_CLOCKS",
    "Attachment",
    "CannedResponse",
    "Comment",
    "Impact",
    "Priority",
    "PriorityRule",
    "Problem",
    "ProblemEvent",
    "ProblemIncident",
    "QuestionnaireField",
    "Rfo",
    "SavedQueueView",
    "SlaAlert",
    "SlaClock",
    "SlaPolicy",
    "SlaTarget",
    "Ticket",
    "TicketEvent",
    "TicketMerge",
    "TicketParticipant",
    "TicketSequence",
    "Urgency",
    "attachment_path",
    "contact_fields",
]
