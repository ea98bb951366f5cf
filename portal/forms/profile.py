"""The profile form: language, time zone and which notification mails the user wants. The
rules (a known language and zone, the kinds offered to the user's role) are the service's
(servicedesk.services.update_profile); its errors come back next to the fields."""

from __future__ import annotations

import zoneinfo
from typing import Any, cast

from django import forms
from django.conf import settings
from django.core import signing
from django.utils.translation import gettext_lazy as _

from portal.forms.tickets import ServiceErrorsMixin
from portal.forms.widgets import LongSelect
from servicedesk.models import User
from servicedesk.notifications import mail_kinds_for
from servicedesk.services import profile_state


class _Lenient(forms.MultipleChoiceField):
    """Passes every submitted value on: the service says which are not offered."""

    def valid_value(self, value: str) -> bool:
        return True


# Every zone tzdata knows, by name (the service checks the chosen one against the same list).
ZONES = sorted(zoneinfo.available_timezones())


_SEEN_SALT = "portal.profile.seen"


def sign_seen(state: dict[str, str]) -> str:
    return signing.dumps(state, salt=_SEEN_SALT, compress=True)


def read_seen(token: str) -> dict[str, str] | None:
    """The settings a form showed, or None for a token this desk did not sign (no check)."""
    try:
        loaded = signing.loads(token, salt=_SEEN_SALT)
    except signing.BadSignature:
        return None
    return {str(name): str(value) for name, value in loaded.items()} if isinstance(loaded, dict) else None


def profile_words(user: User, state: dict[str, str]) -> dict[str, str]:
    """How each stored setting reads: the language's name, the zone, the mails wanted."""
    tenant = user.tenant
    languages = {code: str(name) for code, name in settings.LANGUAGES}
    language = state.get("language", "")
    zone = state.get("time_zone", "")
    opted_out = {kind for kind in state.get("mail_opt_outs", "").split(",") if kind}
    wanted = [str(kind.label) for kind in mail_kinds_for(user) if kind.value not in opted_out]
    default_language = languages.get(tenant.default_language, "") if tenant else ""
    default_zone = tenant.time_zone if tenant else ""
    return {
        "language": languages.get(language, language)
        if language
        else str(_("The desk's default (%(language)s)") % {"language": default_language}),
        "time_zone": zone.replace("_", " ") if zone else str(_("The desk's zone (%(zone)s)") % {"zone": default_zone}),
        "mail_opt_outs": ", ".join(wanted) if wanted else str(_("No notification mails")),
    }


class ProfileForm(ServiceErrorsMixin, forms.Form):
    #: The settings the form showed, signed (servicedesk.services.profile_state): a save made
    #: after they changed elsewhere is refused, with what is stored now.
    seen = forms.CharField(widget=forms.HiddenInput, required=False)
    # Text fields shown as lists: a value that is not offered reaches the service, which names it.
    language = forms.CharField(label=_("Language"), required=False, widget=forms.Select)
    time_zone = forms.CharField(
        label=_("Time zone"),
        required=False,
        widget=LongSelect,
        help_text=_("Dates and times on the pages are shown in this zone."),
    )
    mail = _Lenient(
        label=_("E-mail me about"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Untick what you do not want by mail. You still see everything in the portal."),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        tenant = user.tenant
        offered = mail_kinds_for(user)
        kwargs.setdefault(
            "initial",
            {
                "language": user.language,
                "time_zone": user.time_zone,
                "mail": [kind.value for kind in offered if kind.value not in (user.mail_opt_outs or [])],
                "seen": sign_seen(profile_state(user)),
            },
        )
        super().__init__(*args, **kwargs)
        default_language = dict(settings.LANGUAGES).get(tenant.default_language, "") if tenant else ""
        default_zone = tenant.time_zone if tenant else ""
        languages = [(code, str(name)) for code, name in settings.LANGUAGES]
        cast(forms.Select, self.fields["language"].widget).choices = [
            ("", _("The desk's default (%(language)s)") % {"language": default_language}),
            *languages,
        ]
        cast(forms.Select, self.fields["time_zone"].widget).choices = [
            ("", _("The desk's zone (%(zone)s)") % {"zone": default_zone}),
            *[(zone, zone.replace("_", " ")) for zone in ZONES],
        ]
        cast(_Lenient, self.fields["mail"]).choices = [(kind.value, kind.label) for kind in offered]
        if not offered:
            del self.fields["mail"]

    error_fields = {"mail": "mail"}

    def error_summary(self) -> list[dict[str, str]]:
        summary = []
        for name in self.fields:
            if self.errors.get(name):
                bound = self[name]
                target = f"{bound.auto_id}_0" if name == "mail" else bound.id_for_label
                summary.append({"id": target, "label": str(bound.label), "message": str(self.errors[name][0])})
        return summary
