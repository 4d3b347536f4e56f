from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "tongban.web"
    label = "web"
