"""The escalation app's API: escalating a ticket, its history, the matrix, acknowledgements."""

from django.urls import path

from escalation import api

urlpatterns = [
    path("api/v1/tickets/<str:number>/escalate/", api.EscalateView.as_view(), name="api-ticket-escalate"),
    path("api/v1/tickets/<str:number>/deescalate/", api.DeescalateView.as_view(), name="api-ticket-deescalate"),
    path(
        "api/v1/tickets/<str:number>/escalations/", api.TicketEscalationsView.as_view(), name="api-ticket-escalations"
    ),
    path("api/v1/escalation-matrix/", api.EscalationMatrixView.as_view(), name="api-escalation-matrix"),
    path("api/v1/escalation-acknowledgements/", api.AcknowledgeView.as_view(), name="api-escalation-acknowledge"),
    path("api/v1/escalation-notices/", api.NoticesView.as_view(), name="api-escalation-notices"),
]
