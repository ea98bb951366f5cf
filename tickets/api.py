"""Tickets API: list, open, read, update (optimistic concurrency), lifecycle actions, the
conversation, attachments, the timeline, and each service's intake questionnaire.

Endpoints parse input, fetch through a selector (which applies the caller's walls: what is
not theirs is a 404), call one service, and render. Domain refusals become structured
errors in servicedesk.api_errors.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.http import FileResponse, Http404
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.fields import SkipField
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from orders.selectors import get_service_for
from servicedesk import api_fields
from servicedesk.api_auth import actor_of
from servicedesk.api_pagination import DeskPagination, paginated
from servicedesk.api_params import MAX_INTEGER, id_param, list_param
from servicedesk.api_parsers import DeskFormParser, DeskJSONParser, DeskMultiPartParser
from servicedesk.errors import run_use_cases
from servicedesk.http import attachment_response
from servicedesk.idempotency import PARAMETER as IDEMPOTENCY_KEY
from servicedesk.idempotency import idempotent
from servicedesk.models import User
from servicedesk.timeline import TIMELINE_ORDERING
from tickets.models import Attachment, Comment, Impact, QuestionnaireField, Ticket, TicketEvent, Urgency
from tickets.questionnaires import describe
from tickets.selectors import (
    TicketFilters,
    attach_clock_summaries,
    attachments_visible_to,
    comments_visible_to,
    filter_tickets,
    for_api_list,
    get_attachment_for,
    get_merge_target_for,
    get_ticket_for,
    get_ticket_to_write,
    share_actor_tenant,
    tickets_visible_to,
    timeline_for,
)
from tickets.services.attachments import add_attachment
from tickets.services.conversation import comment_on_locked, log_callback
from tickets.services.intake import TicketDraft, draft_errors, open_ticket
from tickets.services.lifecycle import ACTIONS, available_actions, transition_ticket
from tickets.services.merging import merge_ticket
from tickets.services.sla import summary as sla_summary
from tickets.services.updates import (
    DeskOnlyChange,
    assign_ticket,
    edit_ticket_details,
    override_priority,
    reassess_ticket,
)

# Marked for the catalogues here, translated where it is shown (API and pages).
ENTITLEMENT_NOTICE = gettext_noop(
    "This service has no current maintenance contract or warranty. The ticket is logged and the desk will "
    "contact you, but technical support may be charged or limited until a contract is in place."
)


def _ref(obj: Any, name: str = "name") -> dict[str, Any] | None:
    return None if obj is None else {"id": obj.pk, "name": str(getattr(obj, name))}


class ContactSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=200)
    email = serializers.EmailField(required=False, allow_blank=True)
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True)


class TicketSerializer(api_fields.RepresentedDirectly, api_fields.FieldsBuiltOnce, serializers.ModelSerializer[Ticket]):
    service = serializers.SerializerMethodField()
    site = serializers.SerializerMethodField()
    account = serializers.SerializerMethodField()
    team = serializers.SerializerMethodField()
    assignee = serializers.SerializerMethodField()
    entitled = serializers.BooleanField(source="is_entitled")
    # Blank when the customer did not say (the schema's enum carries the blank too).
    occurrence = serializers.ChoiceField(choices=Ticket.Occurrence.choices, allow_blank=True, read_only=True)
    entitlement_notice = serializers.SerializerMethodField()
    sla = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField()

    class Meta:
        model = Ticket
        fields = [
            "number", "kind", "status", "channel", "impact", "urgency", "priority", "priority_overridden",
            "priority_reason", "subject", "description", "description_html", "service", "site", "account",
            "problem_started_at", "occurrence", "customer_reference", "contacts", "answers", "caller_name",
            "caller_company", "caller_phone", "product_name", "serial_number", "entitled", "entitlement_notice",
            "escalation_level", "sla", "team", "assignee", "created_at", "updated_at", "resolved_at", "closed_at",
            "version", "actions",
        ]  # fmt: skip
        read_only_fields = fields

    def get_service(self, ticket: Ticket) -> dict[str, Any] | None:
        service = ticket.service
        if service is None:
            return None
        return {"service_id": service.service_id, "name": service.product, "type": service.service_type.code}

    def get_site(self, ticket: Ticket) -> dict[str, Any] | None:
        return _ref(ticket.site)

    def get_account(self, ticket: Ticket) -> dict[str, Any] | None:
        return _ref(ticket.account)

    def get_team(self, ticket: Ticket) -> dict[str, Any] | None:
        return _ref(ticket.team)

    def get_assignee(self, ticket: Ticket) -> dict[str, Any] | None:
        return _ref(ticket.assignee, "full_name")

    def get_entitlement_notice(self, ticket: Ticket) -> str | None:
        return None if ticket.is_entitled else _(ENTITLEMENT_NOTICE)

    @extend_schema_field(
        {
            "type": "object",
            "description": "Per target (respond, callback, restore, rfo): due_at, met_at, state "
            "(running · paused · met · breached · stopped).",
            "additionalProperties": {
                "type": "object",
                "properties": {
                    "due_at": {"type": "string", "format": "date-time"},
                    "met_at": {"type": "string", "format": "date-time", "nullable": True},
                    "state": {"type": "string", "enum": ["running", "paused", "met", "breached", "stopped"]},
                },
            },
        }
    )
    def get_sla(self, ticket: Ticket) -> dict[str, Any]:
        field = serializers.DateTimeField()
        return {
            target: {"due_at": field.to_representation(v["due_at"]),
                     "met_at": field.to_representation(v["met_at"]) if v["met_at"] else None,
                     "state": v["state"]}
            for target, v in sla_summary(ticket).items()
        }  # fmt: skip

    def get_actions(self, ticket: Ticket) -> list[str]:
        return available_actions(ticket=ticket, actor=self.context["request"].user)


class TicketCreateSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(
        choices=Ticket.Kind.choices,
        error_messages={
            "invalid_choice": gettext_lazy(
                '"{input}" is not a ticket kind: tickets are incidents, complaints and enquiries. Ask for a '
                "service request at /api/v1/ssrs/ and for a change at /api/v1/change-requests/."
            )
        },
    )
    service = serializers.CharField(required=False, allow_blank=True, help_text="The service's service_id.")
    site = serializers.IntegerField(required=False)
    account = serializers.IntegerField(required=False, help_text="Staff: the customer account, if no service or site.")
    subject = serializers.CharField(max_length=Ticket.MAX_SUBJECT)
    description = serializers.CharField(max_length=Ticket.MAX_DESCRIPTION)
    impact = serializers.ChoiceField(choices=Impact.choices, required=False)
    urgency = serializers.ChoiceField(choices=Urgency.choices, default=Urgency.MEDIUM)
    problem_started_at = api_fields.DateTimeField(required=False)
    occurrence = serializers.ChoiceField(choices=Ticket.Occurrence.choices, required=False)
    customer_reference = serializers.CharField(
        max_length=Ticket.MAX_CUSTOMER_REFERENCE, required=False, allow_blank=True
    )
    contacts = serializers.DictField(child=ContactSerializer(), required=False)
    answers = api_fields.AnswersField(required=False)
    channel = serializers.ChoiceField(choices=Ticket.Channel.choices, default=Ticket.Channel.API)
    caller_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    caller_company = serializers.CharField(max_length=200, required=False, allow_blank=True)
    caller_phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    product_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    serial_number = serializers.CharField(max_length=60, required=False, allow_blank=True)

    def is_valid_naming_every_field(self, actor: User) -> None:
        """Validate as ``is_valid(raise_exception=True)`` does, but when some fields are bad,
        check the others as opening the ticket would (service, impact, answers, …) and name
        every bad field in one 400, not the serializer's first and the intake's after a retry."""
        if self.is_valid():
            return
        errors: dict[str, Any] = dict(self.errors)
        passed = {name: value for name, value in self._passed.items() if name not in errors}
        passed.setdefault("kind", self.initial_data.get("kind") if isinstance(self.initial_data, dict) else "")
        if not isinstance(passed["kind"], str):
            passed["kind"] = ""
        passed.setdefault("subject", "")
        passed.setdefault("description", "")
        for name, messages in draft_errors(actor=actor, draft=self._draft(passed)).items():
            if name.split(".")[0] not in errors:
                errors[name] = messages
        raise serializers.ValidationError(errors)

    def to_internal_value(self, data: Any) -> Any:
        # Keep what each field made of its input even when others fail (DRF keeps nothing),
        # for is_valid_naming_every_field.
        self._passed: dict[str, Any] = {}
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError:
            if isinstance(data, dict):
                for name, serializer_field in self.fields.items():
                    try:
                        value = serializer_field.run_validation(serializer_field.get_value(data))
                    except (serializers.ValidationError, DjangoValidationError, SkipField):
                        continue
                    self._passed[name] = value
            raise

    def to_draft(self) -> TicketDraft:
        return self._draft(dict(self.validated_data))

    @staticmethod
    def _draft(data: dict[str, Any]) -> TicketDraft:
        return TicketDraft(
            kind=data.pop("kind"),
            subject=data.pop("subject"),
            description=data.pop("description"),
            service_id=data.pop("service", None) or None,
            site_id=data.pop("site", None),
            account_id=data.pop("account", None),
            **data,
        )


class TicketUpdateSerializer(serializers.Serializer[Any]):
    version = serializers.IntegerField(help_text="The version you read; a stale one is refused with 409.")
    subject = serializers.CharField(max_length=Ticket.MAX_SUBJECT, required=False)
    description = serializers.CharField(max_length=Ticket.MAX_DESCRIPTION, required=False)
    customer_reference = serializers.CharField(
        max_length=Ticket.MAX_CUSTOMER_REFERENCE, required=False, allow_blank=True
    )
    occurrence = serializers.ChoiceField(choices=[("", ""), *Ticket.Occurrence.choices], required=False)
    contacts = serializers.DictField(child=ContactSerializer(), required=False)
    impact = serializers.ChoiceField(choices=Impact.choices, required=False, help_text="Staff only.")
    urgency = serializers.ChoiceField(choices=Urgency.choices, required=False, help_text="Staff only.")
    priority = serializers.ChoiceField(choices=["P1", "P2", "P3", "P4"], required=False, help_text="Staff only.")
    priority_reason = serializers.CharField(
        max_length=Ticket.MAX_PRIORITY_REASON, required=False, allow_blank=True, help_text="Staff only."
    )
    team = serializers.IntegerField(required=False, allow_null=True, help_text="Staff only.")
    assignee = serializers.IntegerField(required=False, allow_null=True, help_text="Staff only.")

    DESK_FIELDS = ("impact", "urgency", "priority", "priority_reason", "team", "assignee")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        refused = sorted(set(attrs) & set(self.DESK_FIELDS))
        if refused and not self.context["actor"].is_desk_staff:
            raise DeskOnlyChange(refused)
        return attrs


DETAIL_FIELDS = ("subject", "description", "customer_reference", "contacts", "occurrence")


def _update_ticket(ticket: Ticket, actor: User, data: dict[str, Any]) -> None:
    """One PATCH: each kind of change its use case, in one transaction, each on the version the
    one before left; every bad field of every kind is reported at once (and nothing changes)."""
    version = data.pop("version")
    steps: list[Callable[[int], Ticket]] = []
    details = {name: data[name] for name in DETAIL_FIELDS if name in data}
    # Without a detail, the details' use case still checks the version and that the ticket is
    # open: a PATCH that changes nothing is refused for the same reasons as one that does.
    if details or not set(data) - {"priority_reason"}:
        steps.append(lambda v: edit_ticket_details(ticket=ticket, actor=actor, version=v, **details))
    if "impact" in data or "urgency" in data:
        steps.append(
            lambda v: reassess_ticket(
                ticket=ticket, actor=actor, version=v, impact=data.get("impact"), urgency=data.get("urgency")
            )
        )
    if "team" in data or "assignee" in data:
        team_id, assignee_id = data.get("team", ticket.team_id), data.get("assignee", ticket.assignee_id)
        steps.append(
            lambda v: assign_ticket(ticket=ticket, actor=actor, version=v, team_id=team_id, assignee_id=assignee_id)
        )
    if "priority" in data:
        steps.append(
            lambda v: override_priority(
                ticket=ticket, actor=actor, version=v, priority=data["priority"], reason=data.get("priority_reason", "")
            )
        )
    run_use_cases(steps, version=version)


class MergeSerializer(serializers.Serializer[Any]):
    target = serializers.CharField(
        max_length=40, help_text="The number of the open ticket of the same customer account to merge this one into."
    )
    version = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_INTEGER,
        help_text="The version of this ticket you read; a stale one is refused with 409. Without it: as it is now.",
    )


class TransitionSerializer(serializers.Serializer[Any]):
    action = serializers.ChoiceField(choices=ACTIONS)
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class CommentSerializer(api_fields.FieldsBuiltOnce, serializers.ModelSerializer[Comment]):
    author = serializers.SerializerMethodField()

    class Meta:
        model = Comment
        fields = ["id", "author", "body", "body_html", "internal", "created_at"]
        read_only_fields = ["id", "author", "body_html", "created_at"]

    def get_author(self, comment: Comment) -> dict[str, Any]:
        return {"id": comment.author_id, "name": comment.author.full_name}


class AttachmentSerializer(serializers.ModelSerializer[Attachment]):
    uploaded_by = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = [
            "id",
            "name",
            "content_type",
            "size",
            "sha256",
            "internal",
            "uploaded_by",
            "created_at",
            "download_url",
        ]
        read_only_fields = fields

    def get_uploaded_by(self, attachment: Attachment) -> dict[str, Any]:
        return {"id": attachment.uploaded_by_id, "name": attachment.uploaded_by.full_name}

    def get_download_url(self, attachment: Attachment) -> str:
        return f"/api/v1/tickets/{attachment.ticket.number}/attachments/{attachment.pk}/"


class AttachmentUploadSerializer(serializers.Serializer[Any]):
    file = serializers.FileField(help_text="The file (multipart).")
    internal = serializers.BooleanField(default=False, help_text="Staff only: hide the file from the customer.")


class EventSerializer(serializers.ModelSerializer[TicketEvent]):
    actor = serializers.SerializerMethodField()

    class Meta:
        model = TicketEvent
        fields = ["id", "kind", "at", "actor", "field", "from_value", "to_value", "reason"]
        read_only_fields = fields

    def get_actor(self, event: TicketEvent) -> dict[str, Any] | None:
        return _ref(event.actor, "full_name")


_LIST_FILTERS = [
    OpenApiParameter("status", str, description="One status, or several separated by commas."),
    OpenApiParameter("priority", str, description="P1…P4, or several separated by commas."),
    OpenApiParameter("kind", str),
    OpenApiParameter("site", int),
    OpenApiParameter("service", str, description="A service_id."),
    OpenApiParameter("account", int),
    OpenApiParameter("assignee", str, description='A user id, or "me".'),
    OpenApiParameter("team", int),
    OpenApiParameter("q", str, description="Full text over subject, description and public replies."),
    OpenApiParameter("ordering", str, enum=["created_at", "-created_at", "updated_at", "-updated_at"]),
]


class TicketPagination(DeskPagination):
    def get_ordering(self, request: Request, queryset: Any, view: Any) -> tuple[str, ...]:
        ordering = request.query_params.get("ordering", "-created_at")
        allowed = {"created_at", "-created_at", "updated_at", "-updated_at"}
        return (ordering if ordering in allowed else "-created_at",)


class TicketViewSet(viewsets.GenericViewSet[Ticket]):
    """Tickets inside the caller's walls, by ``number``."""

    lookup_field = "number"
    lookup_value_converter = "str"
    # Every write here is one use case, a transaction of its own (a PATCH's steps run in one
    # through run_use_cases): no request-wide transaction around it (AtomicWritesMiddleware).
    atomic_requests = False
    serializer_class = TicketSerializer
    pagination_class = TicketPagination
    parser_classes = [DeskJSONParser, DeskMultiPartParser, DeskFormParser]

    def get_queryset(self) -> Any:
        return tickets_visible_to(actor=actor_of(self.request))

    def _ticket(self) -> Ticket:
        return get_ticket_for(actor=actor_of(self.request), number=self.kwargs["number"])

    def _filters(self) -> TicketFilters:
        """The list's query parameters (``_LIST_FILTERS``; ``ordering`` is the pagination's)."""
        params = self.request.query_params
        assignee = params.get("assignee")
        return TicketFilters(
            statuses=list_param(params, "status"),
            priorities=list_param(params, "priority"),
            kinds=list_param(params, "kind"),
            account_id=id_param(params.get("account")),
            site_id=id_param(params.get("site")),
            service_id=params.get("service", ""),
            team_id=id_param(params.get("team")),
            assignee_id=actor_of(self.request).pk if assignee == "me" else id_param(assignee),
            q=params.get("q", ""),
        )

    @extend_schema(parameters=_LIST_FILTERS)
    def list(self, request: Request) -> Response:
        tickets = for_api_list(filter_tickets(actor=actor_of(request), filters=self._filters()))
        page = self.paginate_queryset(tickets) or []
        attach_clock_summaries(page)
        share_actor_tenant(page, actor_of(request))
        return self.get_paginated_response(TicketSerializer(page, many=True, context={"request": request}).data)

    @extend_schema(
        request=TicketCreateSerializer,
        responses={201: TicketSerializer},
        examples=[
            OpenApiExample(
                "An incident",
                request_only=True,
                value={
                    "kind": "incident",
                    "service": "NW-MPLS-1001",
                    "subject": "MPLS link down in Frankfurt",
                    "description": "Since 09:10 the site cannot reach the data centre.",
                    "impact": "outage",
                    "urgency": "high",
                    "problem_started_at": "2026-11-20T08:10:00Z",
                    "answers": {"symptom": "no_service", "power_at_site": "yes"},
                },
            )
        ],
    )
    @idempotent
    def create(self, request: Request) -> Response:
        serializer = TicketCreateSerializer(data=request.data)
        serializer.is_valid_naming_every_field(actor_of(request))
        # The new ticket comes back with what it refers to and its clocks: no second read.
        ticket = open_ticket(actor=actor_of(request), draft=serializer.to_draft())
        return Response(TicketSerializer(ticket, context={"request": request}).data, status=status.HTTP_201_CREATED)

    def retrieve(self, request: Request, number: str) -> Response:
        return Response(TicketSerializer(self._ticket(), context={"request": request}).data)

    @extend_schema(request=TicketUpdateSerializer, responses={200: TicketSerializer})
    def partial_update(self, request: Request, number: str) -> Response:
        ticket = self._ticket()
        actor = actor_of(request)
        serializer = TicketUpdateSerializer(data=request.data, context={"actor": actor})
        serializer.is_valid(raise_exception=True)
        _update_ticket(ticket, actor, dict(serializer.validated_data))
        return Response(TicketSerializer(self._ticket(), context={"request": request}).data)

    @extend_schema(request=TransitionSerializer, responses={200: TicketSerializer})
    @action(detail=True, methods=["post"])
    def transition(self, request: Request, number: str) -> Response:
        """Run a lifecycle action the caller may take now (see the ticket's ``actions``)."""
        ticket = self._ticket()
        serializer = TransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        transition_ticket(ticket=ticket, actor=actor_of(request), **serializer.validated_data)
        return Response(TicketSerializer(self._ticket(), context={"request": request}).data)

    @extend_schema(
        methods=["GET"], responses={200: CommentSerializer(many=True)}, parameters=[OpenApiParameter("cursor", str)]
    )
    @extend_schema(
        methods=["POST"],
        request=inline_serializer(
            "CommentCreate", {"body": serializers.CharField(), "internal": serializers.BooleanField(default=False)}
        ),
        responses={201: CommentSerializer},
        parameters=[IDEMPOTENCY_KEY],
    )
    @action(detail=True, methods=["get", "post"])
    @idempotent
    def comments(self, request: Request, number: str) -> Response:
        """Public replies (and, for staff, internal notes)."""
        actor = actor_of(request)
        if request.method == "POST":
            # One transaction: the ticket found inside the walls and locked in one statement.
            with transaction.atomic():
                ticket = get_ticket_to_write(actor=actor, number=number, lock=True)
                serializer = CommentSerializer(data=request.data)
                serializer.is_valid(raise_exception=True)
                comment = comment_on_locked(
                    ticket=ticket, actor=actor, body=serializer.validated_data["body"],
                    internal=serializer.validated_data.get("internal", False),
                )  # fmt: skip
            return Response(CommentSerializer(comment).data, status=status.HTTP_201_CREATED)
        ticket = self._ticket()
        comments = comments_visible_to(actor=actor, ticket=ticket)
        return paginated(request, self, comments, "created_at", lambda page: CommentSerializer(page, many=True).data)

    @extend_schema(methods=["GET"], responses={200: AttachmentSerializer(many=True)})
    @extend_schema(
        methods=["POST"],
        request={
            "multipart/form-data": inline_serializer(
                "AttachmentUpload",
                {"file": serializers.FileField(), "internal": serializers.BooleanField(default=False)},
            )
        },
        responses={201: AttachmentSerializer},
    )
    @action(detail=True, methods=["get", "post"])
    def attachments(self, request: Request, number: str) -> Response:
        """The ticket's files; upload one as multipart ``file``."""
        ticket = self._ticket()
        actor = actor_of(request)
        if request.method == "POST":
            upload = AttachmentUploadSerializer(data=request.data)
            upload.is_valid(raise_exception=True)
            attachment = add_attachment(
                ticket=ticket,
                actor=actor,
                upload=upload.validated_data["file"],
                internal=upload.validated_data["internal"],
            )
            return Response(AttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)
        attachments = attachments_visible_to(actor=actor, ticket=ticket).select_related("ticket")
        return paginated(
            request, self, attachments, "created_at", lambda page: AttachmentSerializer(page, many=True).data
        )

    attachments.stores_files = True  # type: ignore[attr-defined]  # (a 507 when the storage is full)

    # Served with the type its content was checked to have (a PDF, an image, a text log, …).
    @extend_schema(responses={(200, "*/*"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], url_path="attachments/<int:attachment_id>")
    def download(self, request: Request, number: str, attachment_id: int) -> FileResponse:
        """The file, always as a download, never rendered by the browser."""
        attachment = get_attachment_for(actor=actor_of(request), ticket=self._ticket(), pk=int(attachment_id))
        return attachment_response(attachment)

    @extend_schema(
        request=inline_serializer("CallbackLog", {"note": serializers.CharField(required=False, allow_blank=True)}),
        responses={200: TicketSerializer},
    )
    @action(detail=True, methods=["post"])
    def callback(self, request: Request, number: str) -> Response:
        """Staff: record that a specialist called the customer back (meets the call-back target)."""
        note = request.data.get("note", "") if isinstance(request.data, dict) else ""
        log_callback(ticket=self._ticket(), actor=actor_of(request), note=str(note))
        return Response(TicketSerializer(self._ticket(), context={"request": request}).data)

    @extend_schema(
        request=MergeSerializer,
        responses={200: TicketSerializer},
        parameters=[IDEMPOTENCY_KEY],
        examples=[OpenApiExample("Into the first report", request_only=True, value={"target": "INC-000041"})],
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def merge(self, request: Request, number: str) -> Response:
        """Staff: merge this ticket, a duplicate, into another open ticket of the same customer
        account. Its replies, notes and files move there, the customer is told there in a public
        reply, and this ticket is closed; its history stays on it and its number leads to the
        target. Answers the target. Into itself or a ticket no longer open: a 400 on ``target``;
        another account's or tenant's ticket, or a customer asking: 404."""
        actor = actor_of(request)
        if not actor.is_desk_staff:
            raise Http404
        ticket = self._ticket()
        serializer = MergeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        target_number = serializer.validated_data["target"].strip()
        into = (
            ticket
            if target_number == ticket.number
            else get_merge_target_for(actor=actor, ticket=ticket, number=target_number)
        )
        version = serializer.validated_data.get("version", ticket.version)
        merged = merge_ticket(ticket=ticket, into=into, actor=actor, version=version)
        target = get_ticket_for(actor=actor, number=merged.number)
        return Response(TicketSerializer(target, context={"request": request}).data)

    @extend_schema(responses={200: EventSerializer(many=True)})
    @action(detail=True, methods=["get"])
    def timeline(self, request: Request, number: str) -> Response:
        """Every change, transition, reply and attachment, oldest first."""
        events = timeline_for(actor=actor_of(request), ticket=self._ticket())
        return paginated(request, self, events, TIMELINE_ORDERING, lambda page: EventSerializer(page, many=True).data)


class QuestionnaireView(APIView):
    """GET /api/v1/services/{service_id}/questionnaire/: the intake questions of the
    service's type, in the caller's language."""

    @extend_schema(
        responses={
            200: inline_serializer(
                "Question",
                {
                    "name": serializers.CharField(),
                    "type": serializers.CharField(),
                    "label": serializers.CharField(),
                    "help_text": serializers.CharField(),
                    "required": serializers.BooleanField(),
                    "choices": serializers.ListField(child=serializers.DictField()),
                    "shown_when": serializers.DictField(allow_null=True),
                },
                many=True,
            )
        },
        tags=["services"],
    )
    def get(self, request: Request, service_id: str) -> Response:
        service = get_service_for(actor=actor_of(request), service_id=service_id)
        language = (translation.get_language() or "en")[:2]
        questions = QuestionnaireField.objects.filter(service_type_id=service.service_type_id, is_active=True)
        return Response([describe(question, language) for question in questions])
