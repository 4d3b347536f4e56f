from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tongban.channels.setup import platform_init
from tongban.core.actors import Actor
from tongban.rules.params import ParameterError


class Command(BaseCommand):
    help = "Create or upgrade the database schema and load the reference data; safe to run again."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            platform_init(actor=Actor.operator("tongban init"), say=self.stdout.write)
        except ParameterError as error:
            raise CommandError(f"policy parameters: {error}") from None
