from django.apps import AppConfig


class RegionsConfig(AppConfig):
    name = "tongban.regions"
    label = "regions"
    verbose_name = "Regions and offices"
