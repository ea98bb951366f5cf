"""The tenant administrator's read-only API: the audit log of the desk's administration
(``GET /api/v1/admin/audit-entries/``), for export into other tools. Other roles are refused
(403); another tenant's entry is not there (404)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from servicedesk import audit
from servicedesk.api_pagination import DeskPagination
from servicedesk.models import AuditEntry, User


class IsTenantAdmin(BasePermission):
    message = _lazy("Only the tenant administrator reads the administration's audit log.")

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return isinstance(user, User) and user.tenant_id is not None and user.is_tenant_admin


class AuditEntrySerializer(serializers.ModelSerializer[AuditEntry]):
    actor = serializers.SerializerMethodField()
    # Each field changed: {"field", "label", "before", "after"}, the values as words.
    changes = serializers.ListField(child=serializers.DictField(child=serializers.CharField(allow_blank=True)))

    class Meta:
        model = AuditEntry
        fields = ["id", "at", "actor", "action", "object_type", "object_id", "object_name", "changes"]
        read_only_fields = fields

    def get_actor(self, entry: AuditEntry) -> dict[str, Any]:
        return {"id": entry.actor_id, "name": entry.actor_name}


class AuditEntryPagination(DeskPagination):
    ordering = "-id"


SEARCHED = ("actor_name", "object_type", "object_name", "action", "changes")


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("q", str, description="Words each found in who, what or a value before or after."),
            OpenApiParameter("action", str, enum=AuditEntry.Action.values),
        ],
        tags=["admin"],
    ),
    retrieve=extend_schema(tags=["admin"]),
)
class AuditEntryViewSet(viewsets.ReadOnlyModelViewSet[AuditEntry]):
    """Every change made in the desk's administration, newest first."""

    serializer_class = AuditEntrySerializer
    pagination_class = AuditEntryPagination
    permission_classes = [IsTenantAdmin]
    lookup_value_converter = "int"

    def get_queryset(self) -> Any:
        entries = AuditEntry.objects.all()
        query = str(self.request.query_params.get("q") or "").strip()[:200]
        if query:
            entries = audit.search(entries, query, SEARCHED)
        action = self.request.query_params.get("action")
        if action:
            if action not in AuditEntry.Action.values:
                raise serializers.ValidationError(
                    {"action": [_("One of: %(values)s.") % {"values": ", ".join(AuditEntry.Action.values)}]}
                )
            entries = entries.filter(action=action)
        return entries
