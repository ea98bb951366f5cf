"""Intake questionnaires: which questions apply, and server-side validation of answers.

The same validation runs for every channel (portal, API, an agent logging a call). A
question with ``shown_when`` applies only when the answer it names is one of the listed
values; an answer to a question that does not apply is refused, so nothing hidden is stored.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
from collections.abc import Iterable, Mapping
from typing import Any

from django.utils import translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from servicedesk.errors import InvalidInput
from servicedesk.validators import date_in_range, date_range_message
from tickets.models import QuestionnaireField

FT = QuestionnaireField.FieldType
YES_NO = ("yes", "no", "unknown")
_PHONE = re.compile(r"^\+?[0-9 ()./-]{3,30}$")
MAX_TEXT = 2000


def applies(question: QuestionnaireField, answers: Mapping[str, Any]) -> bool:
    condition = question.shown_when
    if not condition:
        return True
    return answers.get(condition["field"]) in condition.get("in", [])


def _clean_value(question: QuestionnaireField, value: Any) -> Any:
    kind = question.field_type
    if kind == FT.DATETIME_LIST:
        items = value if isinstance(value, list) else [value]
        cleaned = []
        for item in items:
            parsed = parse_datetime(str(item)) if isinstance(item, str) else None
            if parsed is None or parsed.tzinfo is None:
                raise ValueError(
                    _("Give dates and times as ISO 8601 with a time zone, e.g. 2026-11-20T14:05:00+01:00.")
                )
            if not date_in_range(parsed):
                raise ValueError(date_range_message())
            cleaned.append(parsed.astimezone(dt.UTC).isoformat())
        if not cleaned:
            raise ValueError(_("Give at least one date and time."))
        return cleaned
    if not isinstance(value, str):
        raise ValueError(_("Give text."))
    value = value.strip()
    if kind == FT.YES_NO:
        if value not in YES_NO:
            raise ValueError(_("Answer yes, no or unknown."))
    elif kind == FT.CHOICE:
        allowed = [choice["value"] for choice in question.choices]
        if value not in allowed:
            raise ValueError(_("Choose one of: %(choices)s.") % {"choices": ", ".join(allowed)})
    elif kind == FT.IP_ADDRESS:
        try:
            value = str(ipaddress.ip_address(value))
        except ValueError:
            raise ValueError(_("Give an IPv4 or IPv6 address, e.g. 192.0.2.10.")) from None
    elif kind == FT.PHONE:
        if not _PHONE.match(value):
            raise ValueError(_("Give a phone number, e.g. +49 69 1234567."))
    elif len(value) > MAX_TEXT:
        raise ValueError(_("At most %(max)d characters.") % {"max": MAX_TEXT})
    return value


def validate_answers(questions: Iterable[QuestionnaireField], answers: Mapping[str, Any] | None) -> dict[str, Any]:
    """Return the cleaned answers, or raise InvalidInput naming each bad answer as
    ``answers.<field name>``."""
    answers = dict(answers or {})
    questions = list(questions)
    by_name = {q.name: q for q in questions}
    errors: dict[str, list[str]] = {}
    for name in answers:
        if name not in by_name:
            errors[f"answers.{name}"] = [_("There is no such question for this service.")]
    cleaned: dict[str, Any] = {}
    # Questions come in position order, and a condition names an earlier question, so the
    # answer it depends on is already cleaned when it is checked.
    for question in questions:
        value = answers.get(question.name)
        blank = value is None or value == "" or value == []
        if not applies(question, cleaned):
            if not blank:
                errors[f"answers.{question.name}"] = [_("This question does not apply to your other answers.")]
            continue
        if blank:
            if question.required:
                errors[f"answers.{question.name}"] = [_("This answer is required.")]
            continue
        try:
            cleaned[question.name] = _clean_value(question, value)
        except ValueError as exc:
            errors[f"answers.{question.name}"] = [str(exc)]
    if errors:
        raise InvalidInput(errors)
    return cleaned


def _yes_no_choices(language: str) -> list[dict[str, str]]:
    with translation.override(language):
        labels = {"yes": _("Yes"), "no": _("No"), "unknown": _("Don't know")}
    return [{"value": value, "label": labels[value]} for value in YES_NO]


def describe(question: QuestionnaireField, language: str) -> dict[str, Any]:
    """The question as the API and the pages present it, in one language."""
    return {
        "name": question.name,
        "type": question.field_type,
        "label": question.label(language),
        "help_text": str(question.help_texts.get(language) or question.help_texts.get("en") or ""),
        "required": question.required,
        "choices": [
            {"value": c["value"], "label": str(c["labels"].get(language) or c["labels"].get("en") or c["value"])}
            for c in question.choices
        ]
        if question.field_type == FT.CHOICE
        else (_yes_no_choices(language) if question.field_type == FT.YES_NO else []),
        "shown_when": question.shown_when,
    }
