"""Tickets' models, split by subdomain: the ticket and its conversation (core), service
levels (sla), problems and reasons for outage (problems), the agents' saved queue views (views)."""

from tickets.models.core import (
    Attachment,
    Comment,
    Impact,
    Priority,
    PriorityRule,
    QuestionnaireField,
    Ticket,
    TicketEvent,
    TicketSequence,
    Urgency,
    attachment_path,
    contact_fields,
)
from tickets.models.problems import Problem, ProblemIncident, Rfo
from tickets.models.sla import PREFETCHED_CLOCKS, SlaAlert, SlaClock, SlaPolicy, SlaTarget
from tickets.models.views import SavedQueueView

__all__ = [
    "PREFETCHED_CLOCKS",
    "Attachment",
    "Comment",
    "Impact",
    "Priority",
    "PriorityRule",
    "Problem",
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
    "TicketSequence",
    "Urgency",
    "attachment_path",
    "contact_fields",
]
