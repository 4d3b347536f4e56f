from django.apps import AppConfig


class BenchConfig(AppConfig):
    name = "tongban.bench"
    label = "bench"
