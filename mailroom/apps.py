from django.apps import AppConfig


class MailroomConfig(AppConfig):
    name = "mailroom"
    verbose_name = "Mail room"

    def ready(self) -> None:
        # Services hand work to tasks by name (they never import tasks): register the tasks in
        # every process, not only in a worker, whose autodiscovery would.
        import mailroom.tasks  # noqa: F401, PLC0415 - the app registry is ready now
