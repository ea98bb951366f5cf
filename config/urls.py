"""The root URLconf: it only includes each app's URLs (wiring, outside the layer contract)."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

urlpatterns = [
    path("", include("servicedesk.urls")),
    path("", include("orders.urls")),
    # Escalation's ticket routes (…/escalate/) before the tickets router's detail routes.
    path("", include("escalation.urls")),
    path("", include("tickets.urls")),
    path("", include("feedback.urls")),
    path("", include("reports.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view: its script is a file of its own (the Content-Security-Policy allows no inline script).
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("platform-admin/", admin.site.urls),
    path("", include("portal.urls")),
]

handler400 = "portal.views.errors.bad_request"
handler403 = "portal.views.errors.permission_denied"
handler404 = "portal.views.errors.page_not_found"
handler500 = "portal.views.errors.server_error"
