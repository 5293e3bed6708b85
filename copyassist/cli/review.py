"""``copyassist review``: the review page of a batch run, served on 127.0.0.1 until Ctrl-C."""

from __future__ import annotations

import os
import socket
import threading
import time
import webbrowser
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from copyassist.backends import Backend, get_backend
from copyassist.batch.store import default_path
from copyassist.cli.backend_options import BaseUrlOpt, ModelOpt, ProviderOpt
from copyassist.cli.errors import error_line, fail, friendly_errors
from copyassist.errors import CopyAssistError, InputError
from copyassist.review.security import new_token

if TYPE_CHECKING:  # the web stack loads when the review starts, not with every command
    import uvicorn

    from copyassist.review.routes import AppContext

Opt = typer.Option
HOST = "127.0.0.1"  # never another: the page holds unpublished copy and acts on the store

REVIEW_HELP = (
    "Review a batch run in your browser: approve, reject, edit or regenerate each row, then "
    "'copyassist export'.\n\n"
    "The page is served on 127.0.0.1 only, behind a random token (in the address printed); "
    "Ctrl-C stops it. Every decision is saved at once. Regenerating a row calls the model given by "
    "--provider, --model and --base-url, as 'batch' does."
)


def listening_socket(port: int | None) -> socket.socket:
    """A socket bound to ``HOST``: on ``port``, or on a free one."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if os.name != "nt":  # on Windows this would let two servers share the port
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((HOST, port or 0))
    except OSError as exc:
        sock.close()
        reason = exc.strerror or exc
        raise InputError(
            f"port {port} on {HOST} is busy ({reason}): give another --port, or none for a free one"
        ) from None
    return sock


def _backend(provider: str, model: str | None, base_url: str | None) -> tuple[Backend | None, str | None]:
    """The model regenerate calls, or None and why not."""
    try:
        return get_backend(provider, model=model, base_url=base_url), None
    except CopyAssistError as exc:
        said = error_line(exc, review_command)  # with the flag that sets it right
        return None, f"regenerate is off: {said}"


def _open_when_started(server: uvicorn.Server, url: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not server.started and time.monotonic() < deadline and not server.should_exit:
        time.sleep(0.05)
    if server.started:
        webbrowser.open(url)


@friendly_errors
def review_command(
    run_id: Annotated[
        int | None,
        typer.Argument(
            metavar="RUN", help="Run id (see 'copyassist runs list'). Default: the last batch run."
        ),
    ] = None,
    store: Annotated[
        Path | None,
        Opt("--store", "--db", metavar="FILE", help="Result store (default: your copyassist folder)."),
    ] = None,
    port: Annotated[
        int | None, Opt(min=1, max=65535, help="Port on 127.0.0.1. Default: a free one.", show_default=False)
    ] = None,
    no_browser: Annotated[bool, Opt("--no-browser", help="Print the address only; open no browser.")] = False,
    provider: ProviderOpt = "auto",
    model: ModelOpt = None,
    base_url: BaseUrlOpt = None,
) -> None:
    """Review a batch run in your browser (see REVIEW_HELP)."""
    path = (store or default_path()).expanduser()
    if not path.is_file():
        raise fail(f"no result store at {path}: run 'copyassist batch' first, or give --store FILE", 2)
    token = new_token()
    slow = threading.Timer(1.0, typer.secho, ["copyassist review: reading the run (its first opening copies "
                           "the feed's rows)...", ], {"err": True, "dim": True})  # fmt: skip
    slow.start()
    try:
        from copyassist.review.app import review_app

        app = review_app(path, run_id, token=token)  # no such run: refused before anything listens
    finally:
        slow.cancel()
    context: AppContext = app.state.context
    sock = listening_socket(port)
    context.backend, off = _backend(provider, model, base_url)
    if off:
        context.regenerate_off = off
    bound = sock.getsockname()[1]
    url = f"http://{HOST}:{bound}/?token={token}"
    run = context.worker.run_id
    typer.echo(f"copyassist review: run {run} at\n  {url}")
    if off:
        typer.secho(off, err=True, fg=typer.colors.YELLOW)
    typer.secho("Ctrl-C stops it; every decision is already saved.", err=True, dim=True)
    import uvicorn

    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on"))
    if not no_browser:
        threading.Thread(target=_open_when_started, args=(server, url), daemon=True).start()
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass  # uvicorn has shut down cleanly and raises the signal again
    finally:
        sock.close()
    typer.echo("copyassist review: stopped")
