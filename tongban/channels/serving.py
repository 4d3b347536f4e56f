"""Serving the WSGI application with waitress on the loopback interface."""

from __future__ import annotations

from collections.abc import Callable

HOST = "127.0.0.1"


def serve(*, port: int, threads: int = 8, say: Callable[[str], None] = print) -> None:
    from waitress import serve as waitress_serve

    from tongban.wsgi import application

    say(f"Tongban is served at http://{HOST}:{port}/ (staff: /office/, API: /api/v1/docs)")
    waitress_serve(application, host=HOST, port=port, threads=threads, ident="tongban")
