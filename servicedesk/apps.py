from django.apps import AppConfig


class ServiceDeskConfig(AppConfig):
    name = "servicedesk"
    verbose_name = "Service desk core"

    def ready(self) -> None:
        from servicedesk import checks  # noqa: F401 - registers the deploy checks
