from django.apps import AppConfig


class ChannelsConfig(AppConfig):
    name = "tongban.channels"
    label = "channels"
    verbose_name = "Channels and API clients"
