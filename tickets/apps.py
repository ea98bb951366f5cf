from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "tickets"

    def ready(self) -> None:
        # Services hand work to tasks by name (they never import tasks): register the tasks in
        # every process, not only in a worker, whose autodiscovery would.
        import tickets.tasks  # noqa: F401, PLC0415 - the app registry is ready now
