from django.apps import AppConfig


class BenefitsConfig(AppConfig):
    name = "tongban.benefits"
    label = "benefits"
