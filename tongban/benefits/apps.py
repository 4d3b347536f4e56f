from django.apps import AppConfig


class BenefitsConfig(AppConfig):
    name = "tongban.benefits"
    label = "benefits"

    def ready(self) -> None:
        from tongban.benefits import returns

        returns.register()
