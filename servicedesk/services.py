"""Use cases of the core that change state."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction

from servicedesk.models import User

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
