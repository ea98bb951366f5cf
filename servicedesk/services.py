"""Use cases of the core that change state."""

from __future__ import annotations

from collections.abc import Collection

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from servicedesk.errors import InvalidInput
from servicedesk.models import User
from servicedesk.notifications import mail_kinds_for
from servicedesk.validators import validate_time_zone

_LANGUAGES = {code for code, _name in settings.LANGUAGES}


class UnknownLanguage(ValueError):
    """The language is not one the desk speaks."""


@transaction.atomic
def set_user_language(*, user: User, language: str) -> User:
    """Remember the user's interface language (one of settings.LANGUAGES)."""
    if language not in _LANGUAGES:
        raise UnknownLanguage(language)
    user.language = language
    user.save(update_fields=["language"])
    return user


@transaction.atomic
def update_profile(*, user: User, language: str, time_zone: str, mail_wanted: Collection[str]) -> User:
    """Save the user's own settings: interface language ("" for the tenant's), time zone (an
    IANA zone of tzdata, "" for the tenant's), and which kinds of notification mail they want
    (of those ``mail_kinds_for`` offers them; the others are left as they were).

    Raises InvalidInput naming every bad field."""
    errors: dict[str, list[str]] = {}
    if language and language not in _LANGUAGES:
        errors["language"] = [_("Choose one of the languages offered.")]
    if time_zone:
        try:
            validate_time_zone(time_zone)
        except ValidationError as error:
            errors["time_zone"] = list(error.messages)
    offered = {str(kind) for kind in mail_kinds_for(user)}
    unknown = set(mail_wanted) - offered
    if unknown:
        errors["mail"] = [_("Choose among the notifications offered.")]
    if errors:
        raise InvalidInput(errors)
    kept = [kind for kind in (user.mail_opt_outs or []) if kind not in offered]
    user.language = language
    user.time_zone = time_zone
    user.mail_opt_outs = sorted({*kept, *(offered - set(mail_wanted))})
    user.save(update_fields=["language", "time_zone", "mail_opt_outs"])
    return user
