"""Escalation API: escalate and de-escalate a ticket, its escalation events, the matrix that
applies to the caller, acknowledging an escalation, the caller's in-app notices.

Endpoints parse input, fetch through a selector (what is not the caller's is a 404), call one
service, and render. Domain refusals become structured errors in servicedesk.api_errors.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from escalation.models import EscalationAttempt, EscalationEvent, EscalationNotice
from escalation.selectors import ContactView, MatrixView, escalations_for, matrices_for, notices_for
from escalation.services.manual import acknowledge_attempt, deescalate_ticket, escalate_ticket
from escalation.services.notifications import InvalidAcknowledgeLink, read_ack_token
from servicedesk.api_auth import actor_of
from servicedesk.api_pagination import DeskPagination, paginated
from servicedesk.errors import InvalidInput
from servicedesk.models import User
from servicedesk.tenancy import tenant_context
from tickets.api import TicketSerializer
from tickets.selectors import get_ticket_for


class EscalateSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(
        max_length=20, allow_blank=True, help_text="progress · missed_target · other (other needs a comment)."
    )
    comment = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    level = serializers.IntegerField(
        required=False, min_value=1, help_text="Desk staff only: the level to go to (default: the next)."
    )


class DeescalateSerializer(serializers.Serializer[Any]):
    comment = serializers.CharField(max_length=2000, allow_blank=True, help_text="Why the level goes down.")
    level = serializers.IntegerField(required=False, min_value=0, help_text="Default: one level down.")


class AttemptSerializer(serializers.ModelSerializer[EscalationAttempt]):
    class Meta:
        model = EscalationAttempt
        fields = ["number", "name", "role", "is_manager", "at", "ack_due_at", "notified_at", "acknowledged_at"]
        read_only_fields = fields


class EscalationEventSerializer(serializers.ModelSerializer[EscalationEvent]):
    actor = serializers.SerializerMethodField()
    notified = AttemptSerializer(source="attempts", many=True, read_only=True)
    deescalation = serializers.BooleanField(source="is_deescalation", read_only=True)

    class Meta:
        model = EscalationEvent
        fields = [
            "id", "level", "from_level", "title", "trigger", "is_skipped", "deescalation", "reason", "comment",
            "actor", "at", "notified", "acknowledged_at", "acknowledged_by",
        ]  # fmt: skip
        read_only_fields = fields

    def get_actor(self, event: EscalationEvent) -> dict[str, Any] | None:
        return None if event.actor is None else {"id": event.actor.pk, "name": event.actor.full_name}


def _ticket_response(request: Request, number: str, code: int = status.HTTP_200_OK) -> Response:
    ticket = get_ticket_for(actor=actor_of(request), number=number)
    return Response(TicketSerializer(ticket, context={"request": request}).data, status=code)


class EscalateView(APIView):
    """POST /api/v1/tickets/{number}/escalate/: the next escalation level (staff may name one).

    Customers: only an open ticket, at most once per the tenant's interval (409 ``too_soon``
    with ``next_allowed_at``). A resolved, closed or cancelled ticket is a 409
    ``ticket_not_open``; another tenant's or account's ticket a 404."""

    @extend_schema(
        request=EscalateSerializer,
        responses={200: TicketSerializer},
        examples=[
            OpenApiExample("Unhappy with progress", request_only=True, value={"reason": "progress", "comment": ""}),
            OpenApiExample(
                "Other", request_only=True, value={"reason": "other", "comment": "Our CEO's office is offline."}
            ),
        ],
        tags=["tickets"],
    )
    def post(self, request: Request, number: str) -> Response:
        serializer = EscalateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ticket = get_ticket_for(actor=actor_of(request), number=number)
        escalate_ticket(ticket=ticket, by=actor_of(request), **serializer.validated_data)
        return _ticket_response(request, number)


class DeescalateView(APIView):
    """POST /api/v1/tickets/{number}/deescalate/: desk staff lower the level, saying why."""

    @extend_schema(request=DeescalateSerializer, responses={200: TicketSerializer}, tags=["tickets"])
    def post(self, request: Request, number: str) -> Response:
        serializer = DeescalateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ticket = get_ticket_for(actor=actor_of(request), number=number)
        deescalate_ticket(ticket=ticket, by=actor_of(request), **serializer.validated_data)
        return _ticket_response(request, number)


class TicketEscalationsView(APIView):
    """GET /api/v1/tickets/{number}/escalations/: every level reached, skipped or lowered to,
    why, who was tried and who acknowledged, oldest first."""

    pagination_class = DeskPagination  # (the schema: a page of results, as `paginated` answers)

    @extend_schema(responses={200: EscalationEventSerializer(many=True)}, tags=["tickets"])
    def get(self, request: Request, number: str) -> Response:
        ticket = get_ticket_for(actor=actor_of(request), number=number)
        events = escalations_for(actor=actor_of(request), ticket=ticket)
        return paginated(request, self, events, "at", lambda page: EscalationEventSerializer(page, many=True).data)


_CONTACT = type(
    inline_serializer(
        "EscalationContact",
        {
            "name": serializers.CharField(),
            "role": serializers.CharField(),
            "phone": serializers.CharField(),
            "email": serializers.CharField(),
            "user_id": serializers.IntegerField(allow_null=True, required=False, help_text="Staff only."),
            "language": serializers.CharField(required=False, help_text="Staff only."),
        },
    )
)


def _contacts() -> Any:
    """A list of contacts (one component for the levels' and the escalation managers')."""
    return _CONTACT(many=True)


class EscalationMatrixView(APIView):
    """GET /api/v1/escalation-matrix/: the matrix that applies to the caller (a customer: their
    account's, with the levels of their services' product areas and those for all areas),
    or every matrix of the tenant (staff)."""

    @extend_schema(
        responses={
            200: inline_serializer(
                "EscalationMatrices",
                {
                    "results": inline_serializer(
                        "EscalationMatrix",
                        {
                            "id": serializers.IntegerField(),
                            "name": serializers.CharField(),
                            "account": serializers.CharField(allow_null=True),
                            "levels": inline_serializer(
                                "EscalationLevel",
                                {
                                    "number": serializers.IntegerField(),
                                    "title": serializers.CharField(),
                                    "product_area": serializers.CharField(allow_null=True),
                                    "contacts": _contacts(),
                                },
                                many=True,
                            ),
                            "escalation_managers": _contacts(),
                            "thresholds": inline_serializer(
                                "EscalationThreshold",
                                {
                                    "priority": serializers.CharField(),
                                    "level_minutes": serializers.ListField(child=serializers.IntegerField()),
                                    "business_calendar": serializers.CharField(allow_null=True),
                                    "breach_level": serializers.IntegerField(allow_null=True),
                                },
                                many=True,
                            ),
                        },
                        many=True,
                    )
                },
            )
        },
        tags=["escalation"],
    )
    def get(self, request: Request) -> Response:
        actor = actor_of(request)
        return Response({"results": [matrix_data(m, staff=actor.is_desk_staff) for m in matrices_for(actor=actor)]})


def _contact_data(contact: ContactView, staff: bool) -> dict[str, Any]:
    data: dict[str, Any] = {"name": contact.name, "role": contact.role, "phone": contact.phone, "email": contact.email}
    if staff:
        data.update(user_id=contact.user_id, language=contact.language)
    return data


def matrix_data(matrix: MatrixView, *, staff: bool) -> dict[str, Any]:
    """A matrix as the API returns it (customers: no ids of users, no languages)."""
    data: dict[str, Any] = {"id": matrix.id, "name": matrix.name, "account": matrix.account}
    data["levels"] = [
        {"number": level.number, "title": level.title, "product_area": level.product_area,
         "contacts": [_contact_data(c, staff) for c in level.contacts]}
        for level in matrix.levels
    ]  # fmt: skip
    data["escalation_managers"] = [_contact_data(c, staff) for c in matrix.escalation_managers]
    data["thresholds"] = [asdict(t) for t in matrix.thresholds]
    return data


class AcknowledgeView(APIView):
    """POST /api/v1/escalation-acknowledgements/ ``{"token": …}``: the contact takes the
    escalation on (the token is the one in their notification's link; no sign-in needed)."""

    permission_classes = [AllowAny]

    @extend_schema(
        request=inline_serializer("EscalationAcknowledge", {"token": serializers.CharField()}),
        responses={
            200: inline_serializer(
                "EscalationAcknowledged",
                {
                    "ticket": serializers.CharField(),
                    "level": serializers.IntegerField(),
                    "acknowledged_at": serializers.DateTimeField(),
                },
            )
        },  # fmt: skip
        tags=["escalation"],
    )
    def post(self, request: Request) -> Response:
        token = str(request.data.get("token", "")) if isinstance(request.data, dict) else ""
        try:
            tenant_id, attempt_id = read_ack_token(token)
        except InvalidAcknowledgeLink:
            raise InvalidInput.single("token", _("This acknowledgement link is invalid or has expired.")) from None
        user = request.user if isinstance(request.user, User) and request.user.tenant_id == tenant_id else None
        with tenant_context(tenant_id):
            try:
                attempt = acknowledge_attempt(attempt_id=attempt_id, by=user)
            except EscalationAttempt.DoesNotExist:
                raise InvalidInput.single("token", _("This acknowledgement link is invalid or has expired.")) from None
            event = EscalationEvent.objects.select_related("ticket").get(pk=attempt.event_id)
        return Response(
            {
                "ticket": event.ticket.number,
                "level": event.level,
                "acknowledged_at": serializers.DateTimeField().to_representation(attempt.acknowledged_at)
                if attempt.acknowledged_at
                else None,
            }
        )


class NoticeSerializer(serializers.ModelSerializer[EscalationNotice]):
    ticket = serializers.CharField(source="event.ticket.number")
    level = serializers.IntegerField(source="event.level")

    class Meta:
        model = EscalationNotice
        fields = ["id", "ticket", "level", "text", "created_at", "read_at"]
        read_only_fields = fields


class NoticesView(APIView):
    """GET /api/v1/escalation-notices/: the caller's in-app escalation notices, newest first."""

    pagination_class = DeskPagination  # (the schema: a page of results, as `paginated` answers)

    @extend_schema(responses={200: NoticeSerializer(many=True)}, tags=["escalation"])
    def get(self, request: Request) -> Response:
        notices = notices_for(actor=actor_of(request))
        return paginated(request, self, notices, "-created_at", lambda page: NoticeSerializer(page, many=True).data)
