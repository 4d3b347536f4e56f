from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "tongban.ledger"
    label = "ledger"
