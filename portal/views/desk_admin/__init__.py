"""The tenant administrators' pages under /desk-admin/: the desk's configuration, each change
with its audit entry (``servicedesk.audit``).

Only the tenant administrator sees them; any other role gets the refusal page (403: it is
their own tenant's desk, they may know it exists), and another tenant's object is not there
(404, through the tenant-scoped managers). ``common`` holds what every section shares: the
access check, the list with search and pages, the edit flow with the stale-save refusal, and
deactivation instead of deleting what is in use.
"""

from portal.views.desk_admin import (
    audit,
    calendars,
    canned,
    catalogue,
    customers,
    escalation,
    home,
    intake,
    mail_templates,
    mailbox,
    people,
    service_levels,
    settings,
    teams,
)

__all__ = [
    "audit",
    "calendars",
    "canned",
    "catalogue",
    "customers",
    "escalation",
    "home",
    "intake",
    "mail_templates",
    "mailbox",
    "people",
    "service_levels",
    "settings",
    "teams",
]
