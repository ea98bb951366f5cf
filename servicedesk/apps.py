from django.apps import AppConfig


class ServiceDeskConfig(AppConfig):
    name = "servicedesk"
    verbose_name = "Service desk core"

    def ready(self) -> None:
        from servicedesk import (
            checks,  # noqa: F401 - registers the deploy checks
            identity_stamps,
        )

        identity_stamps.connect()  # a user's or token's change tells the API's token look-ups
