from typing import Any

from django.core.management.base import BaseCommand

from tongban.channels.serving import serve


class Command(BaseCommand):
    help = "Serve the web pages and the API on 127.0.0.1 (waitress, a production WSGI server)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)

    def handle(self, *args: Any, **options: Any) -> None:
        serve(port=options["port"], threads=options["threads"], say=self.stdout.write)
