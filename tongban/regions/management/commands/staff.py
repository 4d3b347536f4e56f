import getpass
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tongban.core.actors import Actor
from tongban.core.errors import DomainError
from tongban.regions.models import Role
from tongban.regions.services import staff_create


class Command(BaseCommand):
    help = "Manage caseworkers: `tongban staff create --username U --office CODE --role ROLE`."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create a caseworker at one office")
        create.add_argument("--username", required=True)
        create.add_argument(
            "--office", required=True, help="office code, as listed by GET /offices"
        )
        create.add_argument(
            "--role",
            required=True,
            action="append",
            choices=[r.value for r in Role],
            help="repeat for several roles",
        )
        create.add_argument(
            "--password", help="omit to be asked (or to create without one with --no-input)"
        )
        create.add_argument("--name", default="", help="full name")
        create.add_argument("--no-input", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        password = options.get("password")
        if password is None and not options["no_input"]:
            password = getpass.getpass("Password (empty for none): ") or None
        try:
            member = staff_create(
                actor=Actor.operator("tongban staff create"),
                username=options["username"],
                office_code=options["office"],
                roles=options["role"],
                password=password,
                full_name=options["name"],
            )
        except DomainError as error:
            raise CommandError(error.message) from None
        self.stdout.write(
            f"created {member.user.username} at {member.office.code} ({member.office.name_zh}) "
            f"as {', '.join(options['role'])}"
        )
