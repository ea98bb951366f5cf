"""The orders app's API: inventory, orders, suppliers and lead times, SSRs, change requests."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from orders import api

router = SimpleRouter(use_regex_path=False)
router.register("services", api.ServiceViewSet, basename="service")
router.register("orders", api.OrderViewSet, basename="order")
router.register("suppliers", api.SupplierViewSet, basename="supplier")
router.register("lead-times", api.LeadTimeViewSet, basename="lead-time")
router.register("ssr-catalogue", api.CatalogueViewSet, basename="ssr-catalogue")
router.register("ssrs", api.SsrViewSet, basename="ssr")
router.register("billing/ssr", api.SsrBillingViewSet, basename="ssr-billing")
router.register("change-requests", api.ChangeRequestViewSet, basename="change-request")

urlpatterns = [
    path("api/v1/", include(router.urls)),
]
