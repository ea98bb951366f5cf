from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register  # noqa: A004 - Django's check class


@register(Tags.security, deploy=True)
def demo_mode_off(app_configs: Any, **kwargs: Any) -> list[Error]:
    if settings.DEMO_MODE:
        return [
            Error(
                "DEMO_MODE is on: the published demo password signs in and seed_demo may run.",
                hint="Unset DEMO_MODE (it defaults to DEBUG) in production.",
                id="servicedesk.E001",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def public_base_url_set(app_configs: Any, **kwargs: Any) -> list[Warning]:
    if not settings.PUBLIC_BASE_URL:
        return [
            Warning(
                "PUBLIC_BASE_URL is not set: links in mails are built from the first ALLOWED_HOSTS entry, over https.",
                hint="Set PUBLIC_BASE_URL to the address people reach the desk at, e.g. https://desk.example.com.",
                id="servicedesk.W001",
            )
        ]
    return []
