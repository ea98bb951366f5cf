"""Use cases of the surveys: ask (after a ticket's resolution, after an order's handover),
invite by mail with a signed link, answer once."""

from __future__ import annotations

import datetime as dt

from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from feedback.models import Survey
from orders.models import Order
from servicedesk.dispatch import send_on_commit
from servicedesk.errors import Conflict, InvalidInput
from servicedesk.mailing import public_url, send_notification
from servicedesk.models import User
from servicedesk.notifications import MailKind, wants_mail
from tickets.models import Ticket

# The task that mails an invitation, found by name (tasks import services, never the reverse).
INVITE_TASK = "feedback.tasks.invite_to_survey_task"
LINK_SALT = "feedback.survey"
#: How long the link in the invitation answers the survey without signing in.
LINK_MAX_AGE = dt.timedelta(days=30)
COMMENT_MAX_LENGTH = 4000


class InvalidSurveyLink(Exception):
    """The link is not one we signed, or it is too old."""


def _may_be_asked(user: User) -> bool:
    # Only customer users answer surveys (a ticket an agent logged from a phone call has no
    # customer user as its opener: nobody is asked).
    return bool(user.is_customer and user.is_active)


def _ask(survey: Survey) -> Survey:
    send_on_commit(INVITE_TASK, tenant_id=survey.tenant_id, survey_id=survey.pk)
    return survey


@transaction.atomic
def survey_ticket_resolution(*, ticket_id: int) -> Survey | None:
    """Ask the ticket's opener about its current resolution, once per resolution.

    A ticket reopened and resolved again is a second repair: it is asked about again. If the
    survey of the earlier resolution is still unanswered it is moved to the new resolution
    (the same survey, its link still works), so a user never has two open surveys about one
    ticket; an answered one stays as it was and a new survey is made. Idempotent: a second
    call for the same resolution does nothing."""
    # The ticket's lock orders concurrent calls about one ticket; it is read afresh, so a
    # ticket reopened since the event is not asked about.
    ticket = Ticket.objects.select_for_update(of=("self",)).select_related("created_by").filter(pk=ticket_id).first()
    if ticket is None or ticket.status != Ticket.Status.RESOLVED or ticket.resolved_at is None:
        return None
    if not _may_be_asked(ticket.created_by):
        return None
    surveys = list(Survey.objects.filter(ticket=ticket).order_by("-created_at"))
    if any(survey.occasion_at == ticket.resolved_at for survey in surveys):
        return None
    now = timezone.now()
    pending = next((survey for survey in surveys if survey.answered_at is None), None)
    if pending is not None:
        pending.occasion_at, pending.created_at, pending.invited_at = ticket.resolved_at, now, None
        pending.save(update_fields=["occasion_at", "created_at", "invited_at"])
        return _ask(pending)
    survey = Survey.objects.create(
        tenant_id=ticket.tenant_id, about=Survey.About.TICKET, ticket=ticket, account_id=ticket.account_id,
        site_id=ticket.site_id, user=ticket.created_by, occasion_at=ticket.resolved_at, created_at=now,
    )  # fmt: skip
    return _ask(survey)


@transaction.atomic
def survey_order_handover(*, order_id: int) -> Survey | None:
    """Ask the user who placed the order how its delivery went, once per order."""
    order = Order.objects.select_related("created_by").filter(pk=order_id).first()
    if order is None or order.handed_over_at is None or not _may_be_asked(order.created_by):
        return None
    try:
        with transaction.atomic():
            survey = Survey.objects.create(
                tenant_id=order.tenant_id, about=Survey.About.ORDER, order=order, account_id=order.account_id,
                site_id=order.site_id, user=order.created_by, occasion_at=order.handed_over_at,
            )  # fmt: skip
    except IntegrityError:  # asked already (a repeated event)
        return None
    return _ask(survey)


def answer_survey(*, survey: Survey, score: object, comment: str = "") -> Survey:
    """Record the answer to ``survey`` (which the caller fetched inside the user's walls).

    Raises InvalidInput (a score that is not a whole number from 1 to 5, a comment too
    long) or Conflict (answered already: an answer is never changed)."""
    errors: dict[str, list[str]] = {}
    value = score if isinstance(score, int) and not isinstance(score, bool) else None
    if isinstance(score, str) and score.strip().isdigit():
        value = int(score.strip())
    if value not in Survey.SCORES:
        errors["score"] = [_("Choose a score from 1 (very dissatisfied) to 5 (very satisfied).")]
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX_LENGTH:
        errors["comment"] = [_("Keep the comment under %(n)s characters.") % {"n": COMMENT_MAX_LENGTH}]
    if errors:
        raise InvalidInput(errors)
    # One conditional UPDATE: of two answers sent at once exactly one finds the survey open.
    now = timezone.now()
    answered = Survey.objects.filter(pk=survey.pk, answered_at__isnull=True).update(
        score=value, comment=comment, answered_at=now
    )
    if answered != 1:
        raise Conflict(_("This survey has been answered already."), code="survey_answered")
    survey.score, survey.comment, survey.answered_at = value, comment, now
    return survey


# --- the invitation ---------------------------------------------------------------------------


def survey_token(survey: Survey) -> str:
    return signing.dumps({"t": survey.tenant_id, "s": survey.pk}, salt=LINK_SALT)


def read_survey_token(token: str) -> tuple[int, int]:
    """(tenant id, survey id) of a signed survey link; InvalidSurveyLink if forged or too old."""
    try:
        data = signing.loads(token, salt=LINK_SALT, max_age=LINK_MAX_AGE)
    except signing.BadSignature:  # SignatureExpired is one too
        raise InvalidSurveyLink(token) from None
    if not isinstance(data, dict) or not isinstance(data.get("t"), int) or not isinstance(data.get("s"), int):
        raise InvalidSurveyLink(token)
    return data["t"], data["s"]


def survey_url(survey: Survey) -> str:
    return public_url(reverse("portal:survey-link", args=[survey_token(survey)]))


@transaction.atomic
def invite_to_survey(*, survey_id: int) -> bool:
    """Mail the survey's user the link to it, once (a retried task sends nothing twice), if
    they want survey mail and have not answered yet. Returns whether a mail was sent."""
    survey = (
        Survey.objects.select_for_update(of=("self",))
        .select_related("user", "ticket", "order", "tenant")
        .filter(pk=survey_id, invited_at__isnull=True, answered_at__isnull=True)
        .first()
    )
    if survey is None:
        return False
    survey.invited_at = timezone.now()
    survey.save(update_fields=["invited_at"])
    person = survey.user
    if not wants_mail(person, MailKind.SURVEY):
        return False
    language = person.language or survey.tenant.default_language
    with translation.override(language):
        if survey.about == Survey.About.TICKET:
            subject = _("[%(number)s] How did we do?") % {"number": survey.about_number}
            question = _("Your ticket %(number)s has been resolved. How satisfied are you with how we handled it?")
        else:
            subject = _("[%(number)s] How did your delivery go?") % {"number": survey.about_number}
            question = _("Your order %(number)s has been handed over. How satisfied are you with the delivery?")
        body = _(
            "%(question)s\n\nOne question, a score from 1 to 5 and a comment if you like:\n%(link)s\n\n"
            "The link works for %(days)s days; after that, answer in the portal under Surveys."
        ) % {"question": question % {"number": survey.about_number}, "link": survey_url(survey),
             "days": LINK_MAX_AGE.days}  # fmt: skip
    send_notification(
        tenant=survey.tenant, to=[person.email], subject=subject, body=body, language=language,
        number=survey.about_number, kind=MailKind.SURVEY,
    )  # fmt: skip
    return True
