"""The ``tongban`` operator command: contract commands plus Django's own management commands.

``tongban import KIND FILE`` maps to the ``import_file`` management command
(``import`` is a Python keyword); everything else is passed through unchanged.
"""

from __future__ import annotations

import os
import sys

ALIASES = {"import": "import_file"}


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongban.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else argv)
    if len(args) > 1:
        args[1] = ALIASES.get(args[1], args[1])
    args[0] = "tongban"
    try:
        execute_from_command_line(args)
    except BrokenPipeError:
        # `tongban books | head`: the reader has what it wanted; say nothing more.
        sys.stderr.close()
        sys.exit(0)


if __name__ == "__main__":
    main()
