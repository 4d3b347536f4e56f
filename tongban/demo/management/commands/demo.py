from typing import Any

from django.core.management.base import BaseCommand

from tongban.channels.serving import serve
from tongban.core import clock
from tongban.demo.province import demo_province, describe


class Command(BaseCommand):
    help = "Initialise, load a deterministic synthetic province, print the demo logins, and serve."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--scale", type=float, default=1.0, help="1 ≈ 20,000 people")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--no-serve", action="store_true")
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args: Any, **options: Any) -> None:
        info = demo_province(
            scale=options["scale"], seed=options["seed"], as_of=clock.today(), say=self.stdout.write
        )
        for line in describe(info, port=options["port"]):
            self.stdout.write(line)
        if not options["no_serve"]:
            serve(port=options["port"], say=self.stdout.write)
