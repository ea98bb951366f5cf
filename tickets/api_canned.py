"""Canned responses API (staff): the tenant's ready-made replies, by language and title, to
put into a reply (``POST /tickets/{number}/comments/``) and adapt before sending. For anyone
else there are none."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from servicedesk.api_auth import actor_of
from servicedesk.api_pagination import DeskPagination
from servicedesk.api_params import id_param
from tickets.models import CannedResponse
from tickets.selectors import canned_responses_for, get_canned_response_for

LANGUAGES = [code for code, _name in settings.LANGUAGES]


class CannedResponseSerializer(serializers.ModelSerializer[CannedResponse]):
    class Meta:
        model = CannedResponse
        fields = ["id", "language", "title", "body", "created_at"]
        read_only_fields = fields


class CannedResponsePagination(DeskPagination):
    ordering = ("title", "id")


class CannedResponseViewSet(viewsets.GenericViewSet[CannedResponse]):
    """GET /api/v1/canned-responses/ (``?language=``) and …/{id}/."""

    serializer_class = CannedResponseSerializer
    pagination_class = CannedResponsePagination
    lookup_value_converter = "int"

    def get_queryset(self) -> Any:
        return canned_responses_for(actor=actor_of(self.request))

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "language", str, enum=LANGUAGES, description="Only the responses in this language (de, en or es)."
            )
        ]
    )
    def list(self, request: Request) -> Response:
        """The tenant's canned responses by title (staff; a customer's list is empty)."""
        responses = self.get_queryset()
        language = request.query_params.get("language")
        if language is not None:
            if language not in LANGUAGES:
                raise ValidationError({"language": [_("Choose one of: %(codes)s.") % {"codes": ", ".join(LANGUAGES)}]})
            responses = responses.filter(language=language)
        page = self.paginate_queryset(responses)
        return self.get_paginated_response(CannedResponseSerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: int) -> Response:
        # An id beyond the database's integers is no canned response either (404).
        found = get_canned_response_for(actor=actor_of(request), pk=id_param(str(pk)) or 0)
        return Response(CannedResponseSerializer(found).data)
