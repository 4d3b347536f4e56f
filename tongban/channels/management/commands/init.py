from typing import Any

from django.core.management.base import BaseCommand

from tongban.channels.setup import platform_init
from tongban.core.actors import Actor


class Command(BaseCommand):
    help = "Create or upgrade the database schema and load the reference data; safe to run again."

    def handle(self, *args: Any, **options: Any) -> None:
        platform_init(actor=Actor.operator("tongban init"), say=self.stdout.write)
