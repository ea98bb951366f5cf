"""Simple service requests API: the SSR catalogue, requests by SSR ID, and the monthly SSR
billing report (CSV)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import renderers, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings

from orders.api.common import STATUS_ACCOUNT_SITE_FILTERS, enum_field, ref, request_filters, service_ref
from orders.models import CatalogueItem, SimpleServiceRequest
from orders.selectors import (
    BillingReport,
    catalogue_visible_to,
    filter_ssrs,
    get_catalogue_item_for,
    get_ssr_for,
    ssr_billing_report,
    ssrs_visible_to,
)
from orders.services import ssr as ssr_services
from servicedesk import api_fields
from servicedesk.api_auth import actor_of
from servicedesk.api_pagination import DeskPagination
from servicedesk.idempotency import idempotent
from servicedesk.selectors import get_account_for
from servicedesk.validators import EARLIEST_DATE, LATEST_DATE

# --- The SSR catalogue ------------------------------------------------------------------------


class CatalogueItemSerializer(serializers.ModelSerializer[CatalogueItem]):
    details = serializers.SerializerMethodField()
    #: The name and description in the caller's language (the desk's default ones where the
    #: item has no translation).
    name = serializers.CharField(source="shown_name", read_only=True)
    description = serializers.CharField(source="shown_description", read_only=True)

    class Meta:
        model = CatalogueItem
        fields = [
            "code", "name", "description", "price", "currency", "lead_time_hours", "weekend_notice_days", "details",
            "is_active",
        ]  # fmt: skip
        read_only_fields = fields

    def get_details(self, item: CatalogueItem) -> list[dict[str, Any]]:
        """The fields of the request form, answered in an SSR's ``answers``: name, type, label
        (in the caller's language), required, choices."""
        language = (translation.get_language() or "en")[:2]
        out = []
        for spec in item.fields or []:
            labels = spec.get("labels") or {}
            out.append(
                {
                    "name": spec.get("name"),
                    "type": spec.get("type", "text"),
                    "label": labels.get(language) or labels.get("en") or spec.get("name"),
                    "required": bool(spec.get("required")),
                    "choices": spec.get("choices") or [],
                }
            )
        return out


class CataloguePagination(DeskPagination):
    ordering = ("position", "code")


class CatalogueViewSet(viewsets.ReadOnlyModelViewSet[CatalogueItem]):
    """The tenant's SSR catalogue: what can be asked for, its price, its details and how far
    ahead (business hours). Looked up by ``code``."""

    serializer_class = CatalogueItemSerializer
    pagination_class = CataloguePagination
    lookup_field = "code"
    lookup_value_converter = "str"

    def get_queryset(self) -> Any:
        return catalogue_visible_to(actor=actor_of(self.request))

    def get_object(self) -> CatalogueItem:
        return get_catalogue_item_for(actor=actor_of(self.request), code=self.kwargs["code"])


# --- Simple service requests ------------------------------------------------------------------


class SsrSerializer(serializers.ModelSerializer[SimpleServiceRequest]):
    ssr_id = serializers.CharField(source="number")
    status = enum_field("SsrStatusEnum", SimpleServiceRequest.Status.choices, read_only=True)
    item = serializers.SerializerMethodField()
    account = serializers.SerializerMethodField()
    site = serializers.SerializerMethodField()
    service = serializers.SerializerMethodField()
    completed_by = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField()

    class Meta:
        model = SimpleServiceRequest
        fields = [
            "ssr_id", "status", "item", "account", "site", "service", "requested_start", "answers",
            "customer_reference", "notes", "quoted_price", "price", "currency", "created_at", "completed_at",
            "completed_by", "completion_note", "cancelled_at", "cancel_reason", "actions",
        ]  # fmt: skip
        read_only_fields = fields

    def get_item(self, ssr: SimpleServiceRequest) -> dict[str, str]:
        return {"code": ssr.item.code, "name": ssr.item.shown_name}

    def get_account(self, ssr: SimpleServiceRequest) -> dict[str, Any] | None:
        return ref(ssr.account)

    def get_site(self, ssr: SimpleServiceRequest) -> dict[str, Any] | None:
        return ref(ssr.site)

    def get_service(self, ssr: SimpleServiceRequest) -> dict[str, Any] | None:
        return service_ref(ssr.service)

    def get_completed_by(self, ssr: SimpleServiceRequest) -> dict[str, Any] | None:
        return ref(ssr.completed_by, "full_name")

    def get_actions(self, ssr: SimpleServiceRequest) -> list[str]:
        return ssr_services.available_actions(ssr=ssr, actor=self.context["request"].user)


class SsrCreateSerializer(serializers.Serializer[Any]):
    item = serializers.CharField(help_text="The catalogue item's code.")
    site = serializers.IntegerField(required=False, help_text="Default: the service's site.")
    service = serializers.CharField(required=False, allow_blank=True, help_text="A service_id, if the work is on one.")
    requested_start = api_fields.DateTimeField(
        help_text="At least the item's lead time (48 hours or more, counted on the site's business days) ahead; "
        "on a weekend or public holiday at the site, also at least 5 days ahead."
    )
    answers = api_fields.AnswersField(required=False, help_text="The item's fields, by name.")
    customer_reference = serializers.CharField(max_length=100, required=False, allow_blank=True)
    notes = serializers.CharField(max_length=10_000, required=False, allow_blank=True)


class SsrCompleteSerializer(serializers.Serializer[Any]):
    price = serializers.DecimalField(
        max_digits=10, decimal_places=2, required=False, min_value=Decimal(0), help_text="Default: the quoted price."
    )
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class SsrCancelSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=2000)


class SsrPagination(DeskPagination):
    ordering = ("-created_at", "-id")


class SsrViewSet(viewsets.GenericViewSet[SimpleServiceRequest]):
    """Simple service requests inside the caller's walls, by SSR ID (``SSR-000001``)."""

    serializer_class = SsrSerializer
    pagination_class = SsrPagination
    lookup_field = "number"
    lookup_url_kwarg = "ssr_id"
    lookup_value_converter = "str"

    def get_queryset(self) -> Any:
        return ssrs_visible_to(actor=actor_of(self.request))

    def _ssr(self) -> SimpleServiceRequest:
        return get_ssr_for(actor=actor_of(self.request), number=self.kwargs["ssr_id"])

    def _render(self, ssr: SimpleServiceRequest, code: int = status.HTTP_200_OK) -> Response:
        fresh = get_ssr_for(actor=actor_of(self.request), number=ssr.number)
        return Response(SsrSerializer(fresh, context={"request": self.request}).data, status=code)

    @extend_schema(parameters=STATUS_ACCOUNT_SITE_FILTERS)
    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(
            filter_ssrs(actor=actor_of(request), filters=request_filters(request.query_params))
        )
        return self.get_paginated_response(SsrSerializer(page, many=True, context={"request": request}).data)

    @extend_schema(
        request=SsrCreateSerializer,
        responses={201: SsrSerializer},
        examples=[
            OpenApiExample(
                "Change a port's VLAN",
                request_only=True,
                value={
                    "item": "port-config",
                    "service": "NW-MPLS-1001",
                    "requested_start": "2026-11-26T08:00:00Z",
                    "answers": {"port": "ge-0/0/3", "vlan": 120},
                },
            ),
            OpenApiExample(
                "Too early: the earliest allowed start",
                response_only=True,
                status_codes=["400"],
                value={
                    "requested_start": [
                        "Too early: this request needs 48 hours' notice, counted on business days at Frankfurt. "
                        "The earliest allowed start is 2026-11-24T14:00:00Z."
                    ],
                    "earliest_allowed": "2026-11-24T14:00:00Z",
                },
            ),
        ],
    )
    @idempotent
    def create(self, request: Request) -> Response:
        """Ask for a catalogue item; confirmed at once with its SSR ID, or refused with the
        earliest allowed start."""
        serializer = SsrCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        ssr = ssr_services.submit_ssr(
            actor=actor_of(request),
            draft=ssr_services.SsrDraft(
                item=data["item"],
                requested_start=data["requested_start"],
                site_id=data.get("site"),
                service=data.get("service", ""),
                answers=data.get("answers", {}),
                customer_reference=data.get("customer_reference", ""),
                notes=data.get("notes", ""),
            ),
        )
        return self._render(ssr, status.HTTP_201_CREATED)

    def retrieve(self, request: Request, ssr_id: str) -> Response:
        return Response(SsrSerializer(self._ssr(), context={"request": request}).data)

    @extend_schema(request=SsrCompleteSerializer, responses={200: SsrSerializer})
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, ssr_id: str) -> Response:
        """The desk records the work as done and the price to bill."""
        ssr = self._ssr()
        serializer = SsrCompleteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ssr_services.complete_ssr(ssr=ssr, actor=actor_of(request), **serializer.validated_data)
        return self._render(ssr)

    @extend_schema(request=SsrCancelSerializer, responses={200: SsrSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, ssr_id: str) -> Response:
        """Cancel a confirmed request (a customer only before its start)."""
        ssr = self._ssr()
        serializer = SsrCancelSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ssr_services.cancel_ssr(ssr=ssr, actor=actor_of(request), reason=serializer.validated_data["reason"])
        return self._render(ssr)


# --- The monthly SSR billing report -------------------------------------------------------------


class CsvRenderer(renderers.BaseRenderer):
    """text/csv: a CSV body as is (errors, which are objects, as JSON text)."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        if isinstance(data, str):
            return data.encode()
        return json.dumps(data).encode()


def _cell(value: Any) -> str:
    """A CSV cell that no spreadsheet runs as a formula."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def billing_csv(report: BillingReport) -> str:
    """One row per completed SSR, a TOTAL row after each account (per currency), and TOTAL
    rows over all accounts (per currency)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["account", "ssr_id", "completed_at", "site", "item_code", "item", "price", "currency"])
    by_account: dict[str, list[Any]] = {}
    for line in report.lines:
        by_account.setdefault(line.account, []).append(line)
    for account, lines in by_account.items():
        for line in lines:
            completed = line.completed_at.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
            writer.writerow(
                [_cell(account), line.number, completed, _cell(line.site), line.item_code, _cell(line.item_name),
                 f"{line.price:.2f}", line.currency]
            )  # fmt: skip
        for (name, currency), total in sorted(report.account_totals.items()):
            if name == account:
                writer.writerow([_cell(account), "TOTAL", "", "", "", "", f"{total:.2f}", currency])
    for currency, total in sorted(report.totals.items()):
        writer.writerow(["ALL ACCOUNTS", "TOTAL", "", "", "", "", f"{total:.2f}", currency])
    return buffer.getvalue()


class SsrBillingQuerySerializer(serializers.Serializer[Any]):
    # ASCII digits only: \d would take any script's digits.
    month = serializers.RegexField(r"^[0-9]{4}-(0[1-9]|1[0-2])$", help_text="YYYY-MM, in the desk's time zone.")
    account = serializers.IntegerField(required=False, help_text="Staff: one account only.")

    def validate_month(self, value: str) -> dt.date:
        """The month's first day; the month lies within the years the desk records."""
        year = int(value[:4])  # before it makes a date: year 0 is none
        if not EARLIEST_DATE.year <= year <= LATEST_DATE.year:
            raise serializers.ValidationError(
                _("Give a month between %(earliest)s and %(latest)s.")
                % {"earliest": f"{EARLIEST_DATE:%Y-%m}", "latest": f"{LATEST_DATE:%Y-%m}"}
            )
        return dt.date(year, int(value[5:7]), 1)


class SsrBillingViewSet(viewsets.ViewSet):
    """GET /api/v1/billing/ssr/?month=2026-11: the SSRs completed in a month, per account, with
    totals, as CSV. Staff see every account (or one, with ``account``); a customer user only
    their own."""

    renderer_classes = [renderers.JSONRenderer, CsvRenderer]

    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        """JSON is how the report's errors come, not a format of the report: ``?format=json``
        is a 400 naming ``format`` (the error itself then in JSON)."""
        negotiated = super().perform_content_negotiation(request, force)
        if not force and request.query_params.get(api_settings.URL_FORMAT_OVERRIDE or "format") == "json":
            raise serializers.ValidationError({"format": [_("Choose one of: %(formats)s.") % {"formats": "csv"}]})
        return negotiated

    @extend_schema(
        parameters=[SsrBillingQuerySerializer],
        responses={(200, "text/csv"): OpenApiTypes.STR},
        examples=[
            OpenApiExample(
                "November 2026",
                response_only=True,
                media_type="text/csv",
                value="account,ssr_id,completed_at,site,item_code,item,price,currency\r\n"
                "Acme Logistics GmbH,SSR-000001,2026-11-05T09:30:00Z,Frankfurt,port-config,Port configuration change,"
                "95.00,EUR\r\nAcme Logistics GmbH,TOTAL,,,,,95.00,EUR\r\nALL ACCOUNTS,TOTAL,,,,,95.00,EUR\r\n",
            )
        ],
        tags=["billing"],
    )
    def list(self, request: Request) -> HttpResponse:
        query = SsrBillingQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        month = query.validated_data["month"]
        account = query.validated_data.get("account")
        actor = actor_of(request)
        if account is not None:
            get_account_for(actor=actor, pk=account)  # another tenant's or account's: 404
        report = ssr_billing_report(actor=actor, month=month, account_id=account)
        response = HttpResponse(billing_csv(report), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="ssr-billing-{month:%Y-%m}.csv"'
        return response
