from django.apps import AppConfig


class IntegrityConfig(AppConfig):
    name = "tongban.integrity"
    label = "integrity"
