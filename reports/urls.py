"""The reports app's API."""

from django.urls import path

from reports import api

urlpatterns = [
    path("api/v1/reports/sla/", api.SlaReportView.as_view(), name="api-report-sla"),
]
