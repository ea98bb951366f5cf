"""The customer's satisfaction surveys: the list (waiting and answered), answering one in
the portal, and answering from the signed link in the invitation mail (no sign-in needed;
the link answers that one survey only, and only for 30 days)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from feedback.models import Survey
from feedback.selectors import get_survey_for, surveys_of
from feedback.services import InvalidSurveyLink, answer_survey, read_survey_token
from portal.forms.feedback import SurveyAnswerForm
from portal.views.access import customer_required, signed_in_user
from servicedesk.errors import Conflict, InvalidInput
from servicedesk.models import User
from servicedesk.tenancy import tenant_context

ANSWERED_SHOWN = 20
WAITING_ON_HOME = 5


def surveys_waiting(user: User) -> list[Survey]:
    """The newest few surveys waiting for ``user``'s answer (the home page's block)."""
    return list(surveys_of(actor=user, state="pending")[:WAITING_ON_HOME])


@customer_required
@require_GET
def customer_surveys(request: HttpRequest) -> HttpResponse:
    actor = signed_in_user(request)
    return render(
        request,
        "portal/surveys.html",
        {
            "pending": list(surveys_of(actor=actor, state="pending")),
            "answered": list(surveys_of(actor=actor, state="answered")[:ANSWERED_SHOWN]),
        },
    )


def _answer_page(request: HttpRequest, survey: Survey, *, action: str, signed_in: bool) -> HttpResponse:
    """GET shows the question; POST answers it (once). Shared by the portal and the link."""
    form = SurveyAnswerForm(request.POST or None)
    status = 200
    if request.method == "POST" and not survey.is_answered:
        form.is_valid()
        try:
            answer_survey(
                survey=survey, score=form.cleaned_data.get("score"), comment=form.cleaned_data.get("comment", "")
            )
        except InvalidInput as invalid:
            form.add_service_errors(invalid.errors)
            status = 400
        except Conflict as conflict:
            messages.warning(request, conflict.detail)
        else:
            messages.success(request, _("Thank you for your answer."))
            if signed_in:
                return redirect("portal:customer-surveys")
    context = {"survey": survey, "form": form, "action": action, "signed_in": signed_in}
    return render(request, "portal/survey_answer.html", context, status=status)


@customer_required
@require_http_methods(["GET", "POST"])
def customer_survey(request: HttpRequest, pk: int) -> HttpResponse:
    survey = get_survey_for(actor=signed_in_user(request), pk=pk)
    return _answer_page(request, survey, action=request.path, signed_in=True)


@require_http_methods(["GET", "POST"])
def survey_link(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the invitation: the survey it names, without signing in."""
    try:
        tenant_id, survey_id = read_survey_token(token)
    except InvalidSurveyLink:
        return render(request, "portal/survey_link_invalid.html", status=404)
    with tenant_context(tenant_id):
        survey = Survey.objects.select_related("ticket", "order").filter(pk=survey_id).first()
        if survey is None:
            return render(request, "portal/survey_link_invalid.html", status=404)
        user = request.user
        signed_in = getattr(user, "pk", None) == survey.user_id
        return _answer_page(request, survey, action=request.path, signed_in=signed_in)
