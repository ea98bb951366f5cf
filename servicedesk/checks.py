from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register


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
