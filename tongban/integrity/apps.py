from django.apps import AppConfig


class IntegrityConfig(AppConfig):
    name = "tongban.integrity"
    label = "integrity"

    def ready(self) -> None:
        from tongban.benefits.hooks import ENTITLEMENT_ENDED
        from tongban.cases.hooks import REEMPLOYMENT_REPORT_RECORDED
        from tongban.core.hooks import subscribe
        from tongban.integrity import comparison, services
        from tongban.registry.hooks import CONTRIBUTIONS_RECORDED, SPELLS_STARTED

        # Real-time checks run inside the registry's transaction (core.hooks, not the outbox).
        subscribe(SPELLS_STARTED)(services.on_spells_started)
        subscribe(CONTRIBUTIONS_RECORDED)(services.on_contributions_recorded)
        subscribe(ENTITLEMENT_ENDED)(services.on_entitlement_ended)
        subscribe(REEMPLOYMENT_REPORT_RECORDED)(services.on_reemployment_reported)
        comparison.register()
