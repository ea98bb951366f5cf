"""Surveys API: the caller's own satisfaction surveys, and answering one (API.md
"Satisfaction surveys"). Another user's survey is a 404; a second answer a 409."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from feedback.models import Survey
from feedback.selectors import STATES, get_survey_for, surveys_of
from feedback.services import COMMENT_MAX_LENGTH, answer_survey
from servicedesk.api_auth import actor_of
from servicedesk.api_pagination import DeskPagination


class SurveySerializer(serializers.ModelSerializer[Survey]):
    about = serializers.SerializerMethodField()

    class Meta:
        model = Survey
        fields = ["id", "about", "created_at", "answered_at", "score", "comment"]

    @extend_schema_field(
        {
            "type": "object",
            "properties": {"kind": {"type": "string", "enum": ["ticket", "order"]}, "number": {"type": "string"}},
        }
    )
    def get_about(self, survey: Survey) -> dict[str, Any]:
        return {"kind": survey.about, "number": survey.about_number}


class AnswerSerializer(serializers.Serializer[Any]):
    score = serializers.IntegerField(min_value=1, max_value=5, help_text="1 (very dissatisfied) to 5 (very satisfied)")
    comment = serializers.CharField(required=False, allow_blank=True, max_length=COMMENT_MAX_LENGTH, default="")


class SurveyPagination(DeskPagination):
    ordering = ("-created_at", "-id")


class SurveyViewSet(viewsets.ReadOnlyModelViewSet[Survey]):
    """The caller's satisfaction surveys, newest first (``?state=pending`` or ``answered``)."""

    serializer_class = SurveySerializer
    pagination_class = SurveyPagination

    def get_queryset(self) -> Any:
        state = self.request.query_params.get("state", "")
        if state and state not in STATES:
            raise ValidationError({"state": [_("Use one of: %(states)s.") % {"states": ", ".join(STATES)}]})
        return surveys_of(actor=actor_of(self.request), state=state)

    def get_object(self) -> Survey:
        try:
            pk = int(self.kwargs["pk"])
        except (TypeError, ValueError):
            pk = 0
        return get_survey_for(actor=actor_of(self.request), pk=pk)

    @extend_schema(parameters=[OpenApiParameter("state", OpenApiTypes.STR, enum=list(STATES))])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(
        request=AnswerSerializer,
        responses={200: SurveySerializer},
        description="Answer once: a score outside 1–5 is a 400 naming `score`; a second answer a 409; "
        "another user's survey a 404.",
    )
    @action(detail=True, methods=["post"])
    def answer(self, request: Request, pk: str) -> Response:
        survey = self.get_object()
        serializer = AnswerSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        survey = answer_survey(survey=survey, **serializer.validated_data)
        return Response(SurveySerializer(survey).data)
