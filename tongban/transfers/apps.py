from django.apps import AppConfig


class TransfersConfig(AppConfig):
    name = "tongban.transfers"
    label = "transfers"

    def ready(self) -> None:
        from tongban.benefits.hooks import ENTITLEMENT_ENDED, ENTITLEMENT_RESUMED
        from tongban.core.hooks import subscribe
        from tongban.registry.hooks import RESIDENCES_CHANGED, SPELLS_STARTED
        from tongban.transfers import services

        subscribe(SPELLS_STARTED)(services.on_spells_started)
        subscribe(RESIDENCES_CHANGED)(services.on_residences_changed)
        subscribe(ENTITLEMENT_RESUMED)(services.on_entitlement_resumed)
        subscribe(ENTITLEMENT_ENDED)(services.on_entitlement_ended)
