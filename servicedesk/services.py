"""Use cases of the core that change state."""

from __future__ import annotations

from collections.abc import Collection, Iterable

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from servicedesk import audit
from servicedesk.errors import InvalidInput
from servicedesk.mailing import public_url, send_notification
from servicedesk.models import AuditEntry, Site, SiteRestriction, Team, TeamMembership, User
from servicedesk.notifications import mail_kinds_for
from servicedesk.reference_data import reference_data_changed
from servicedesk.tenancy import require_tenant_id
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


#: The profile's stored settings, by name, as the stale-save check compares them.
PROFILE_FIELDS = ("language", "time_zone", "mail_opt_outs")


class StaleProfile(Exception):
    """The profile changed (in another tab or window) since the form was shown: ``fields``
    names the settings that differ from what the form showed."""

    def __init__(self, fields: list[str]) -> None:
        super().__init__("stale profile")
        self.fields = fields


def profile_state(user: User) -> dict[str, str]:
    """The profile's settings as stored, each as a string (what a form shows and sends back)."""
    return {
        "language": user.language or "",
        "time_zone": user.time_zone or "",
        "mail_opt_outs": ",".join(sorted(user.mail_opt_outs or [])),
    }


@transaction.atomic
def update_profile(
    *,
    user: User,
    language: str,
    time_zone: str,
    mail_wanted: Collection[str],
    seen: dict[str, str] | None = None,
) -> User:
    """Save the user's own settings: interface language ("" for the tenant's), time zone (an
    IANA zone of tzdata, "" for the tenant's), and which kinds of notification mail they want
    (of those ``mail_kinds_for`` offers them; the others are left as they were).

    ``seen``: the settings the form showed (``profile_state``); when a stored one differs now,
    nothing is saved (StaleProfile). Raises InvalidInput naming every bad field."""
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
    stored = User.objects.select_for_update().only(*PROFILE_FIELDS).get(pk=user.pk)
    if seen is not None:
        now = profile_state(stored)
        changed = [name for name in PROFILE_FIELDS if name in seen and seen[name] != now[name]]
        if changed:
            raise StaleProfile(changed)
    kept = [kind for kind in (stored.mail_opt_outs or []) if kind not in offered]
    user.language = language
    user.time_zone = time_zone
    user.mail_opt_outs = sorted({*kept, *(offered - set(mail_wanted))})
    user.save(update_fields=["language", "time_zone", "mail_opt_outs"])
    return user


def send_invitation(*, user: User) -> str:
    """E-mail a new user the link to set a password, after commit, as the desk sends its mail
    (``servicedesk.mailing``: a signed Message-ID, Reply-To the desk, the link from the
    public address). The link is one use (its token covers the password hash, which setting
    the password changes) and expires after ``PASSWORD_RESET_TIMEOUT``. Returns the link's
    path."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    path = reverse("portal:password-reset-confirm", args=[uid, default_token_generator.make_token(user)])
    language = user.language or (user.tenant.default_language if user.tenant else "en")
    with translation.override(language):
        desk = user.tenant.name if user.tenant else ""
        subject = _("You are invited to the %(desk)s service desk") % {"desk": desk}
        body = _(
            "Hello %(name)s,\n\nyou now have an account at the %(desk)s service desk. Set your password here "
            "(the link works once and expires in %(days)d days):\n\n%(link)s\n\nThen sign in with %(email)s."
        ) % {
            "name": user.full_name,
            "desk": desk,
            "days": settings.PASSWORD_RESET_TIMEOUT // 86400,
            "link": public_url(path),
            "email": user.email,
        }
    tenant, to = user.tenant, [user.email]
    transaction.on_commit(
        lambda: send_notification(tenant=tenant, to=to, subject=subject, body=body, language=language)
    )
    return path


def set_team_members(*, team: Team, users: Iterable[User]) -> tuple[list[str], list[str]]:
    """Make exactly these users the team's members (call inside the team's save); returns the
    members' names before and after, for the audit entry."""
    wanted = {user.pk: user for user in users}
    current = {m.user_id: m for m in TeamMembership.objects.filter(team=team).select_related("user")}
    before = sorted(m.user.full_name for m in current.values())
    TeamMembership.objects.filter(team=team, user_id__in=set(current) - set(wanted)).delete()
    TeamMembership.objects.bulk_create(
        [
            TeamMembership(tenant_id=team.tenant_id, team=team, user=user)
            for pk, user in wanted.items()
            if pk not in current
        ]
    )
    return before, sorted(user.full_name for user in wanted.values())


def set_site_restrictions(*, user: User, sites: Iterable[Site], actor: User) -> None:
    """Limit a customer user to these sites of their account (none: every site), with the
    audit entry."""
    with transaction.atomic():
        wanted = {site.pk: site for site in sites}
        current = {r.site_id: r for r in SiteRestriction.objects.filter(user=user).select_related("site")}
        if set(wanted) == set(current):
            return
        before = ", ".join(sorted(r.site.name for r in current.values()))
        SiteRestriction.objects.filter(user=user, site_id__in=set(current) - set(wanted)).delete()
        SiteRestriction.objects.bulk_create(
            [SiteRestriction(tenant_id=require_tenant_id(), user=user, site=site) for pk, site in wanted.items()
             if pk not in current]
        )  # fmt: skip
        # Neither the delete nor bulk_create calls save/delete: the walls' cached copy is told here.
        reference_data_changed(require_tenant_id())
        after = ", ".join(sorted(site.name for site in wanted.values()))
        audit.record(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            instance=user,
            changes=[audit.Change("site_restrictions", _("limited to sites"), before, after)],
        )
