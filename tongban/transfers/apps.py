from django.apps import AppConfig


class TransfersConfig(AppConfig):
    name = "tongban.transfers"
    label = "transfers"
