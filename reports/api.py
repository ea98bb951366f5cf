"""The reports' API: ``GET /api/v1/reports/sla/`` (API.md, "Service-level report")."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.utils import timezone
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from reports.params import read_report_query
from reports.selectors import sla_report
from servicedesk.api_auth import actor_of

_TARGET = inline_serializer(
    "SlaTargetFigures",
    {
        "met": serializers.IntegerField(),
        "breached": serializers.IntegerField(),
        "attainment": serializers.FloatField(allow_null=True, help_text="met / (met + breached), 4 places."),
    },
)

SlaReportSerializer = inline_serializer(
    "SlaReport",
    {
        "from": serializers.DateField(),
        "to": serializers.DateField(),
        "targets": inline_serializer(
            "SlaReportTargets",
            {"respond": _TARGET, "callback": _TARGET, "restore": _TARGET, "rfo": _TARGET},
        ),
        "tickets": inline_serializer(
            "SlaReportTickets", {"opened": serializers.IntegerField(), "resolved": serializers.IntegerField()}
        ),
        "csat": inline_serializer(
            "SlaReportCsat",
            {"responses": serializers.IntegerField(), "average": serializers.FloatField(allow_null=True)},
        ),
    },
)

EXAMPLE = {
    "from": "2026-11-01",
    "to": "2026-11-30",
    "targets": {
        "respond": {"met": 40, "breached": 2, "attainment": 0.9524},
        "callback": {"met": 3, "breached": 0, "attainment": 1.0},
        "restore": {"met": 30, "breached": 5, "attainment": 0.8571},
        "rfo": {"met": 0, "breached": 0, "attainment": None},
    },
    "tickets": {"opened": 50, "resolved": 45},
    "csat": {"responses": 0, "average": None},
}


class SlaReportView(APIView):
    """GET /api/v1/reports/sla/: service-level figures of a period for the caller's tickets."""

    @extend_schema(
        operation_id="reports_sla",
        summary="Service-level figures for a period",
        description=(
            "Days in the tenant's time zone, both inclusive (without `from` and `to`: the current "
            "month so far; at most 366 days). Staff get their tenant's figures, a customer user "
            "those of the tickets their ticket list shows. A target counts in the period in which "
            "it was decided: met on time at its `met_at`, breached at its `due_at`; running and "
            "paused targets do not count. `attainment` = met / (met + breached), 4 places, null "
            "when both are 0. `opened`: tickets created in the period; `resolved`: tickets "
            "resolved in it. `csat`: surveys answered in it (no surveys are recorded yet: "
            "responses 0, average null). Bad parameters: 400 naming each."
        ),
        parameters=[
            OpenApiParameter("from", str, description="First day, YYYY-MM-DD."),
            OpenApiParameter("to", str, description="Last day, YYYY-MM-DD."),
            OpenApiParameter("account", int, description="A customer account's id."),
            OpenApiParameter("site", int, description="A site's id."),
            OpenApiParameter(
                "product_area", int, description="A product area's id (the ticket's: its service's when it was opened)."
            ),
            OpenApiParameter("team", int, description="A team's id."),
            OpenApiParameter("priority", str, description="P1…P4, or several separated by commas."),
            OpenApiParameter("kind", str, description="incident · complaint · enquiry, or several."),
        ],
        responses={200: SlaReportSerializer},
        examples=[OpenApiExample("November", value=EXAMPLE, response_only=True)],
    )
    def get(self, request: Request) -> Response:
        actor = actor_of(request)
        zone = ZoneInfo(actor.tenant.time_zone if actor.tenant else "UTC")
        period, filters = read_report_query(request.query_params, zone=zone, now=timezone.now())
        return Response(sla_report(actor=actor, filters=filters, period=period).as_api())
