"""The tickets app's API: tickets, their questionnaires, problems and RFOs, canned responses."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from tickets.api import QuestionnaireView, TicketViewSet
from tickets.api_canned import CannedResponseViewSet
from tickets.api_problems import ProblemViewSet, RfoView

router = SimpleRouter(use_regex_path=False)
router.register("tickets", TicketViewSet, basename="ticket")
router.register("problems", ProblemViewSet, basename="problem")
router.register("canned-responses", CannedResponseViewSet, basename="canned-response")

urlpatterns = [
    path("api/v1/services/<str:service_id>/questionnaire/", QuestionnaireView.as_view(), name="api-questionnaire"),
    path(
        "api/v1/tickets/<str:number>/rfo/",
        RfoView.as_view({"get": "retrieve", "post": "create"}),
        name="api-ticket-rfo",
    ),
    path(
        "api/v1/tickets/<str:number>/rfo/publish/", RfoView.as_view({"post": "publish"}), name="api-ticket-rfo-publish"
    ),
    path("api/v1/", include(router.urls)),
]
