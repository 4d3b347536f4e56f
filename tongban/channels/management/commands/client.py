from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tongban.channels.services import client_create
from tongban.core.actors import Actor
from tongban.core.errors import DomainError


class Command(BaseCommand):
    help = "Manage API clients: `tongban client create --kind channel|employer|staff`."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="register a client and print its token once")
        create.add_argument("--kind", required=True, choices=["channel", "employer", "staff"])
        create.add_argument("--name")
        create.add_argument("--uscc", help="the employer's credit code (employer clients)")
        create.add_argument("--user", help="the caseworker's username (staff clients)")
        create.add_argument(
            "--channel",
            choices=["alipay", "gov_site", "online_hall", "portal"],
            help="which online channel a channel client is (default: online_hall)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            created = client_create(
                actor=Actor.operator("tongban client create"),
                kind=options["kind"],
                name=options.get("name"),
                uscc=options.get("uscc"),
                username=options.get("user"),
                channel=options.get("channel"),
            )
        except DomainError as error:
            raise CommandError(error.message) from None
        client = created.client
        self.stdout.write(
            f"created {client.kind} client #{client.pk} {client.name!r}; the token is shown once:"
        )
        self.stdout.write(created.token)
