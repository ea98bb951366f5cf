"""The root URLconf: it composes every app's URLs (and so may import from every layer)."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from escalation import api as escalation_api
from orders.api import (
    CatalogueViewSet,
    ChangeRequestViewSet,
    LeadTimeViewSet,
    OrderViewSet,
    ServiceViewSet,
    SsrBillingViewSet,
    SsrViewSet,
    SupplierViewSet,
)
from servicedesk import api as core_api
from servicedesk.health import healthz
from tickets.api import QuestionnaireView, TicketViewSet
from tickets.api_problems import ProblemViewSet, RfoView

router = DefaultRouter(use_regex_path=False)
router.register("accounts", core_api.AccountViewSet, basename="account")
router.register("sites", core_api.SiteViewSet, basename="site")
router.register("services", ServiceViewSet, basename="service")
router.register("orders", OrderViewSet, basename="order")
router.register("suppliers", SupplierViewSet, basename="supplier")
router.register("lead-times", LeadTimeViewSet, basename="lead-time")
router.register("ssr-catalogue", CatalogueViewSet, basename="ssr-catalogue")
router.register("ssrs", SsrViewSet, basename="ssr")
router.register("billing/ssr", SsrBillingViewSet, basename="ssr-billing")
router.register("change-requests", ChangeRequestViewSet, basename="change-request")
router.register("tickets", TicketViewSet, basename="ticket")
router.register("problems", ProblemViewSet, basename="problem")

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/v1/auth/token/", core_api.ObtainTokenView.as_view(), name="api-token"),
    path("api/v1/me/", core_api.MeView.as_view(), name="api-me"),
    path("api/v1/services/<str:service_id>/questionnaire/", QuestionnaireView.as_view(), name="api-questionnaire"),
    path(
        "api/v1/tickets/<str:number>/rfo/",
        RfoView.as_view({"get": "retrieve", "post": "create"}),
        name="api-ticket-rfo",
    ),
    path(
        "api/v1/tickets/<str:number>/rfo/publish/", RfoView.as_view({"post": "publish"}), name="api-ticket-rfo-publish"
    ),
    path("api/v1/tickets/<str:number>/escalate/", escalation_api.EscalateView.as_view(), name="api-ticket-escalate"),
    path(
        "api/v1/tickets/<str:number>/deescalate/", escalation_api.DeescalateView.as_view(), name="api-ticket-deescalate"
    ),
    path(
        "api/v1/tickets/<str:number>/escalations/",
        escalation_api.TicketEscalationsView.as_view(),
        name="api-ticket-escalations",
    ),
    path("api/v1/escalation-matrix/", escalation_api.EscalationMatrixView.as_view(), name="api-escalation-matrix"),
    path(
        "api/v1/escalation-acknowledgements/",
        escalation_api.AcknowledgeView.as_view(),
        name="api-escalation-acknowledge",
    ),
    path("api/v1/escalation-notices/", escalation_api.NoticesView.as_view(), name="api-escalation-notices"),
    path("api/v1/", include(router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("platform-admin/", admin.site.urls),
    path("", include("portal.urls")),
]

handler400 = "portal.views.bad_request"
handler403 = "portal.views.permission_denied"
handler404 = "portal.views.page_not_found"
handler500 = "portal.views.server_error"
