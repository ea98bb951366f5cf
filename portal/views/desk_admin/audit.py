"""The audit log: every change made in the administration, newest first, searchable, and the
same rows as CSV."""

from __future__ import annotations

import csv

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from portal.views.desk_admin.common import admin_required, page_of, searched
from servicedesk.models import AuditEntry

SEARCHED = ("actor_name", "object_type", "object_name", "action", "changes")
EXPORT_LIMIT = 50_000


@admin_required
def audit_log(request: HttpRequest) -> HttpResponse:
    entries, query = searched(request, AuditEntry.objects.all(), SEARCHED)
    return render(request, "desk_admin/audit_log.html", {"page": page_of(request, entries), "query": query})


def _csv_cell(value: str) -> str:
    """A cell a spreadsheet shows as text (never runs it as a formula)."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


@admin_required
def audit_export(request: HttpRequest) -> HttpResponse:
    """The log as CSV (the search applied), one row per field changed. Built in the request
    (inside the tenant's wall), at most EXPORT_LIMIT entries."""
    entries, _query = searched(request, AuditEntry.objects.all(), SEARCHED)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="audit-log-{stamp}.csv"'
    writer = csv.writer(response)
    writer.writerow(["when", "by", "action", "object type", "object id", "object", "field", "before", "after"])
    for entry in entries[:EXPORT_LIMIT]:
        base = [entry.at.isoformat(), entry.actor_name, entry.action, entry.object_type, entry.object_id,
                entry.object_name]  # fmt: skip
        for change in entry.changes or [{}]:
            cells = [*base, change.get("label", ""), change.get("before", ""), change.get("after", "")]
            writer.writerow([_csv_cell(str(cell)) for cell in cells])
    return response
