from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from servicedesk.auth import AccountDeactivated, InvalidCredentials, SignInThrottled, sign_in


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
