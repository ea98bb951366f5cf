"""The queue's rows, written in Python (``queue_rows``) from plain values, are the markup the
template wrote from model instances before: the same text for any ticket a queue can show
(hostile text escaped), in each language."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

from django.template import Context, Template
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.templatetags.ticket_tags import queue_rows

# The rows as the queue's template wrote them, cell by cell (the reference).
REFERENCE = Template(
    """{% load i18n ticket_tags %}{% translate "Unassigned" as unassigned %}{% translate "Nothing due" as nothing_due %}{% translate "No contract" as no_contract %}{% translate "Choose" as choose %}{% translate "Next target" as l_target %}{% translate "Priority" as l_priority %}{% translate "Customer and site" as l_customer %}{% translate "Status" as l_status %}{% translate "Escalation" as l_escalation %}{% translate "Team and assignee" as l_team %}{% translate "Level" as level %}{% for row in rows %}{% with ticket=row.ticket %}
      <tr data-queue-row>
        <td class="pick"><input type="checkbox" name="ticket" value="{{ ticket.number }}:{{ ticket.version }}" id="pick-{{ ticket.number }}" aria-label="{{ choose }} {{ ticket.number }}"></td>
        <td class="number"><a data-row-link class="ticket-link" href="{{ queue_url }}{{ ticket.number }}/">{{ ticket.number }}</a></td>
        <td data-label="{{ l_target }}">{% if ticket.next_due_at %}{{ row.target }}<br>{% remaining ticket.next_due_at now %}{% else %}<span class="muted">{{ nothing_due }}</span>{% endif %}</td>
        <td data-label="{{ l_priority }}"><span class="{{ ticket.priority|priority_class }}">{{ ticket.priority }}</span></td>
        <td class="subject">{{ ticket.subject }}{% if not ticket.is_entitled %} <span class="badge not-entitled">{{ no_contract }}</span>{% endif %}<br><small class="muted">{{ ticket.kind|kind_label }}{% if ticket.service %} · {{ ticket.service.service_id }}{% endif %}</small></td>
        <td data-label="{{ l_customer }}">{{ ticket.account.name }}{% if ticket.site %}<br><small class="muted">{{ ticket.site.name }}</small>{% endif %}</td>
        <td data-label="{{ l_status }}"><span class="{{ ticket.status|status_class }}">{{ ticket.status|status_label }}</span></td>
        <td data-label="{{ l_escalation }}">{% if ticket.escalation_level %}<span class="badge escalated">{{ level }} {{ ticket.escalation_level }}</span>{% else %}—{% endif %}</td>
        <td data-label="{{ l_team }}">{{ ticket.team.name|default:"—" }}<br>{% if ticket.assignee %}{{ ticket.assignee.full_name }}{% else %}<small class="muted">{{ unassigned }}</small>{% endif %}</td>
      </tr>{% endwith %}{% endfor %}"""  # noqa: E501
)

NOW = dt.datetime(2026, 11, 18, 9, 0, tzinfo=dt.UTC)
text = st.text(alphabet=st.sampled_from(list("ab <>&\"'ßé·")), max_size=12)


def _related(name: str | None, attribute: str = "name") -> SimpleNamespace | None:
    return None if name is None else SimpleNamespace(**{attribute: name})


@st.composite
def rows(draw: st.DrawFn) -> dict[str, object]:
    service, site, team, assignee = (draw(st.none() | text) for _ in range(4))
    account = draw(st.none() | text)
    due = draw(st.none() | st.integers(-3000, 3000).map(lambda minutes: NOW + dt.timedelta(minutes=minutes)))
    ticket = SimpleNamespace(
        number=draw(st.sampled_from(["INC-000001", "CHG-000042", "A<&>"])),
        version=draw(st.integers(1, 5000)),
        next_due_at=due,
        priority=draw(st.sampled_from(["P1", "P2", "P3", "P4", ""])),
        subject=draw(text),
        is_entitled=draw(st.booleans()),
        kind=draw(st.sampled_from(["incident", "service_request", "enquiry", "change", "unknown"])),
        service=_related(service, "service_id"),
        service_id=None if service is None else 1,
        account=_related(account),
        account_id=None if account is None else 1,
        site=_related(site),
        site_id=None if site is None else 1,
        status=draw(st.sampled_from(["new", "in_progress", "waiting_for_customer", "resolved", "odd"])),
        escalation_level=draw(st.integers(0, 3)),
        team=_related(team),
        team_id=None if team is None else 1,
        assignee=_related(assignee, "full_name"),
        assignee_id=None if assignee is None else 1,
    )
    return {"ticket": ticket, "target": draw(st.sampled_from(["Response", "Restoration", "", "<b>"]))}


def _as_values(row: dict[str, object]) -> dict[str, object]:
    """The row as the queue reads it (``tickets.selectors.QUEUE_ROW_VALUES``, with its target's label)."""
    ticket: Any = row["ticket"]
    values = {
        name: getattr(ticket, name)
        for name in (
            "number", "version", "next_due_at", "priority", "subject", "is_entitled", "kind", "status",
            "escalation_level", "service_id", "account_id", "site_id", "team_id", "assignee_id",
        )
    }  # fmt: skip
    for name, related, attribute in (
        ("service__service_id", "service", "service_id"),
        ("account__name", "account", "name"),
        ("site__name", "site", "name"),
        ("team__name", "team", "name"),
        ("assignee__full_name", "assignee", "full_name"),
    ):
        values[name] = getattr(getattr(ticket, related), attribute) if getattr(ticket, related) else None
    return {**values, "target": row["target"]}


@settings(max_examples=150, deadline=None)
@given(st.lists(rows(), max_size=4), st.sampled_from(["en", "de", "es"]))
def test_the_rows_are_the_templates_markup(shown, language):
    with translation.override(language):
        expected = REFERENCE.render(Context({"rows": shown, "queue_url": "/console/tickets/", "now": NOW}))
        assert queue_rows([_as_values(row) for row in shown], "/console/tickets/", NOW) == expected
