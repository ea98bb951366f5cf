"""Problems API (staff) and the RFO of an incident (customers ask, the desk publishes)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from servicedesk.api_auth import actor_of
from tickets.models import Problem, Rfo, SlaTarget
from tickets.selectors import get_problem_for, get_ticket_for, problems_visible_to, rfo_of
from tickets.services.problems import (
    link_incident,
    open_problem,
    publish_rfo,
    request_rfo,
    unlink_incident,
    update_problem,
)


class ProblemSerializer(serializers.ModelSerializer[Problem]):
    incidents = serializers.SerializerMethodField()

    class Meta:
        model = Problem
        fields = [
            "number", "title", "analysis", "status", "root_cause", "workaround", "preventive_measures",
            "incidents", "created_at", "updated_at", "version",
        ]  # fmt: skip
        read_only_fields = ["number", "incidents", "created_at", "updated_at", "version"]

    def get_incidents(self, problem: Problem) -> list[dict[str, str]]:
        return [{"number": link.ticket.number, "subject": link.ticket.subject} for link in problem.links.all()]


class ProblemUpdateSerializer(serializers.Serializer[Any]):
    version = serializers.IntegerField()
    title = serializers.CharField(max_length=200, required=False)
    analysis = serializers.ChoiceField(choices=Problem.Analysis.choices, required=False)
    status = serializers.ChoiceField(choices=Problem.Status.choices, required=False)
    root_cause = serializers.CharField(required=False, allow_blank=True)
    workaround = serializers.CharField(required=False, allow_blank=True)
    preventive_measures = serializers.CharField(required=False, allow_blank=True)


class ProblemViewSet(viewsets.GenericViewSet[Problem]):
    """Problem records behind incidents (staff only; for anyone else there are none)."""

    lookup_field = "number"
    lookup_value_converter = "str"
    serializer_class = ProblemSerializer

    def get_queryset(self) -> Any:
        return problems_visible_to(actor=actor_of(self.request)).prefetch_related("links__ticket")

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(ProblemSerializer(page, many=True).data)

    def create(self, request: Request) -> Response:
        serializer = ProblemSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        problem = open_problem(actor=actor_of(request), **serializer.validated_data)
        return Response(ProblemSerializer(problem).data, status=status.HTTP_201_CREATED)

    def retrieve(self, request: Request, number: str) -> Response:
        return Response(ProblemSerializer(get_problem_for(actor=actor_of(request), number=number)).data)

    @extend_schema(request=ProblemUpdateSerializer, responses={200: ProblemSerializer})
    def partial_update(self, request: Request, number: str) -> Response:
        problem = get_problem_for(actor=actor_of(request), number=number)
        serializer = ProblemUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        changes = dict(serializer.validated_data)
        problem = update_problem(
            problem=problem, actor=actor_of(request), version=changes.pop("version"), changes=changes
        )
        return Response(ProblemSerializer(problem).data)

    @extend_schema(
        request=inline_serializer("ProblemLink", {"ticket": serializers.CharField(help_text="An incident's number.")}),
        responses={200: ProblemSerializer},
    )
    @action(detail=True, methods=["post"])
    def incidents(self, request: Request, number: str) -> Response:
        """Link an incident to this problem."""
        actor = actor_of(request)
        problem = get_problem_for(actor=actor, number=number)
        ticket = get_ticket_for(actor=actor, number=str(request.data.get("ticket", "")))
        link_incident(problem=problem, actor=actor, ticket=ticket)
        return Response(ProblemSerializer(get_problem_for(actor=actor, number=number)).data)

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["delete"], url_path="incidents/<str:ticket>")
    def unlink(self, request: Request, number: str, ticket: str) -> Response:
        """Unlink the incident ``ticket`` (its number) from this problem; an incident that is
        not linked stays so (204 all the same). The ticket's and the problem's timelines say so."""
        actor = actor_of(request)
        problem = get_problem_for(actor=actor, number=number)
        incident = get_ticket_for(actor=actor, number=ticket)
        unlink_incident(problem=problem, actor=actor, ticket=incident)
        return Response(status=status.HTTP_204_NO_CONTENT)


class RfoSerializer(serializers.ModelSerializer[Rfo]):
    ticket = serializers.CharField(source="ticket.number")
    due_at = serializers.SerializerMethodField()
    problem = serializers.SerializerMethodField()

    class Meta:
        model = Rfo
        fields = [
            "ticket", "status", "requested_at", "due_at", "summary", "summary_html", "preventive_measures",
            "published_at", "problem",
        ]  # fmt: skip
        read_only_fields = fields

    def get_due_at(self, rfo: Rfo) -> Any:
        clock = rfo.ticket.sla_clocks.filter(target=SlaTarget.RFO).first()
        return serializers.DateTimeField().to_representation(clock.due_at) if clock else None

    def get_problem(self, rfo: Rfo) -> dict[str, str] | None:
        problem = rfo.problem
        return {"number": problem.number, "title": problem.title} if problem else None

    def to_representation(self, rfo: Rfo) -> dict[str, Any]:
        data = super().to_representation(rfo)
        if rfo.status != Rfo.Status.PUBLISHED and not self.context["actor"].is_desk_staff:
            for name in ("summary", "summary_html", "preventive_measures", "problem"):
                data[name] = None  # the draft is the desk's until it is published
        return data


class RfoView(viewsets.ViewSet):
    """GET/POST /api/v1/tickets/{number}/rfo/ and POST …/rfo/publish/."""

    @extend_schema(responses={200: RfoSerializer})
    def retrieve(self, request: Request, number: str) -> Response:
        actor = actor_of(request)
        rfo = rfo_of(actor=actor, ticket=get_ticket_for(actor=actor, number=number))
        return Response(RfoSerializer(rfo, context={"actor": actor}).data)

    @extend_schema(request=None, responses={201: RfoSerializer})
    def create(self, request: Request, number: str) -> Response:
        """Ask for the reason for outage of a resolved P1/P2 incident (due in 5 business days)."""
        actor = actor_of(request)
        rfo = request_rfo(ticket=get_ticket_for(actor=actor, number=number), actor=actor)
        return Response(RfoSerializer(rfo, context={"actor": actor}).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=inline_serializer(
            "RfoPublish",
            {
                "summary": serializers.CharField(),
                "preventive_measures": serializers.CharField(required=False, allow_blank=True),
                "problem": serializers.CharField(required=False, help_text="A problem's number."),
            },
        ),
        responses={200: RfoSerializer},
    )
    def publish(self, request: Request, number: str) -> Response:
        actor = actor_of(request)
        rfo = rfo_of(actor=actor, ticket=get_ticket_for(actor=actor, number=number))
        problem_number = request.data.get("problem")
        problem = get_problem_for(actor=actor, number=str(problem_number)) if problem_number else None
        rfo = publish_rfo(
            rfo=rfo, actor=actor, summary=str(request.data.get("summary", "")),
            preventive_measures=str(request.data.get("preventive_measures", "")), problem=problem,
        )  # fmt: skip
        return Response(RfoSerializer(rfo, context={"actor": actor}).data)
