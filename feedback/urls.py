"""The feedback app's API: the caller's satisfaction surveys."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from feedback.api import SurveyViewSet

router = SimpleRouter(use_regex_path=False)
router.register("surveys", SurveyViewSet, basename="survey")

urlpatterns = [path("api/v1/", include(router.urls))]
