from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "tongban.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from tongban.core import notices  # noqa: F401  (registers the notice delivery handler)
