from typing import Any

from django.core.management.base import BaseCommand

from tongban.core.outbox import outbox_deliver


class Command(BaseCommand):
    help = "Deliver pending outbox events to their handlers (retries failed deliveries)."

    def handle(self, *args: Any, **options: Any) -> None:
        total = 0
        while delivered := outbox_deliver(limit=1000):
            total += delivered
        self.stdout.write(f"delivered {total} events")
