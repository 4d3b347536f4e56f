from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "tongban.registry"
    label = "registry"
    verbose_name = "Registry"

    def ready(self) -> None:
        from tongban.registry import imports

        imports.register()
