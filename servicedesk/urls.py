"""The core's URLs: the health check, sign-in tokens, the signed-in user, accounts and sites, and
the tenant administrator's audit log."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from servicedesk import api, api_admin
from servicedesk.health import healthz

router = SimpleRouter(use_regex_path=False)
router.register("accounts", api.AccountViewSet, basename="account")
router.register("sites", api.SiteViewSet, basename="site")
router.register("admin/audit-entries", api_admin.AuditEntryViewSet, basename="admin-audit-entry")

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/v1/auth/token/", api.ObtainTokenView.as_view(), name="api-token"),
    path("api/v1/me/", api.MeView.as_view(), name="api-me"),
    path("api/v1/", include(router.urls)),
]
