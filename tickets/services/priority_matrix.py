"""The tenant's impact × urgency matrix, changed by its administrator: each changed cell with
its audit entry. A new ticket's priority comes from it (reference data: the next intake reads
the change); tickets already open keep theirs."""

from __future__ import annotations

from django.db import transaction

from servicedesk import audit
from servicedesk.models import User
from servicedesk.tenancy import require_tenant_id
from tickets.models import Priority, PriorityRule

Cells = dict[tuple[str, str], str]


def matrix_cells() -> Cells:
    return {(rule.impact, rule.urgency): rule.priority for rule in PriorityRule.objects.all()}


def set_priority_matrix(*, actor: User, cells: Cells, seen: Cells) -> int:
    """Give each cell its priority; ``seen`` is the matrix the administrator was shown. Raises
    ``audit.StaleEdit`` naming the cells somebody else changed meanwhile. Returns how many
    cells changed."""
    with transaction.atomic():
        rules = {(r.impact, r.urgency): r for r in PriorityRule.objects.select_for_update()}
        labels = dict(Priority.choices)
        stale = [
            {"label": f"{impact} × {urgency}", "seen": str(labels.get(seen.get((impact, urgency), ""), "")),
             "now": str(rule.get_priority_display())}
            for (impact, urgency), rule in rules.items()
            if (impact, urgency) in seen and seen[(impact, urgency)] != rule.priority
        ]  # fmt: skip
        if stale:
            raise audit.StaleEdit(stale)
        changed = 0
        for key, priority in cells.items():
            rule = rules.get(key) or PriorityRule(tenant_id=require_tenant_id(), impact=key[0], urgency=key[1])
            if rule.pk is not None and rule.priority == priority:
                continue
            before = audit.snapshot(rule, ["priority"]) if rule.pk else {}
            rule.priority = priority
            rule.save()
            audit.record(
                actor=actor,
                action="update" if before else "create",
                instance=rule,
                changes=audit.diff(PriorityRule, before, audit.snapshot(rule, ["priority"])),
            )
            changed += 1
        return changed
