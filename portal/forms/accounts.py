from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from servicedesk.auth import AccountDeactivated, InvalidCredentials, SignInThrottled, sign_in
from servicedesk.mailing import public_url, send_notification


class SignInForm(AuthenticationForm):
    """Sign-in under the failure throttle shared with the API token endpoint."""

    username = forms.EmailField(
        label=_("E-mail address"), widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "username"})
    )

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("That e-mail address and password do not match an active account."),
        "throttled": _("Too many failed sign-ins. Wait a few minutes and try again."),
        "account_deactivated": _(
            "Your company's customer account with this desk is deactivated, so its users cannot sign in. "
            "If that is a mistake, contact the desk."
        ),
    }

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username and password:
            try:
                self.user_cache = sign_in(request=self.request, username=username, password=password)
            except SignInThrottled:
                raise forms.ValidationError(self.error_messages["throttled"], code="throttled") from None
            except AccountDeactivated:
                raise forms.ValidationError(
                    self.error_messages["account_deactivated"], code="account_deactivated"
                ) from None
            except InvalidCredentials:
                raise self.get_invalid_login_error() from None
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


class DeskPasswordResetForm(PasswordResetForm):
    """Django's password reset, its mail sent as the desk sends every mail
    (``servicedesk.mailing``): a signed Message-ID (the desk knows it if it comes back),
    Reply-To the user's desk, ``Auto-Submitted: auto-generated``, a plain-text and an HTML
    part, in the user's language, the link from the public address (``public_url``)."""

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        user = context["user"]
        tenant = user.tenant
        language = user.language or (tenant.default_language if tenant else translation.get_language())
        link = public_url(reverse("portal:password-reset-confirm", args=[context["uid"], context["token"]]))
        with translation.override(language):
            subject = "".join(render_to_string(subject_template_name, context).splitlines())
            body = render_to_string(email_template_name, {**context, "link": link})
        send_notification(tenant=tenant, to=[to_email], subject=subject, body=body.strip(), language=language)
