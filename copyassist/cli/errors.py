"""How the CLI turns copyassist errors into one line on stderr and an exit code."""

from __future__ import annotations

import contextlib
import functools
import warnings
from collections.abc import Callable, Iterator
from typing import Any, ParamSpec, TextIO, TypeVar

import typer
import typer.main

from copyassist.errors import CopyAssistError
from copyassist.feeds.sniffing import FeedNotice

P = ParamSpec("P")
R = TypeVar("R")


def fail(message: str, code: int = 1) -> typer.Exit:
    typer.secho(f"copyassist: error: {message}", err=True, fg=typer.colors.RED)
    return typer.Exit(code)


def flags_of(command: Callable[..., Any]) -> dict[str, str]:
    """Each option of a command function -> its long flag, named the way typer names it."""
    probe = typer.Typer()
    probe.command()(command)
    params = typer.main.get_command(probe).params
    return {
        param.name: next(o for o in param.opts if o.startswith("--"))
        for param in params
        if param.name and any(o.startswith("--") for o in param.opts)
    }


def error_line(exc: CopyAssistError, command: Callable[..., Any]) -> str:
    """The error's message, then the flags that fix it (``exc.hint_options``) when ``command`` has them."""
    if not exc.hint_options:
        return str(exc)
    flags_by_name = flags_of(command)
    flags = [flags_by_name[name] for name in exc.hint_options if name in flags_by_name]
    if not flags:
        return str(exc)
    return f"{exc} (option{'s' if len(flags) > 1 else ''} {', '.join(flags)})"


@contextlib.contextmanager
def said_notices() -> Iterator[None]:
    """While a command runs, each ``FeedNotice`` is printed once as ``copyassist: note: ...``."""
    shown: set[str] = set()
    with warnings.catch_warnings():
        default = warnings.showwarning

        def show(message: Warning | str, category: type[Warning], filename: str, lineno: int,
                 file: TextIO | None = None, line: str | None = None) -> None:  # fmt: skip
            if not issubclass(category, FeedNotice):
                default(message, category, filename, lineno, file, line)
            elif str(message) not in shown:
                shown.add(str(message))
                typer.secho(f"copyassist: note: {message}", err=True, fg=typer.colors.YELLOW)

        warnings.showwarning = show
        warnings.simplefilter("always", FeedNotice)
        yield


def friendly_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Run ``command``; a CopyAssistError becomes ``copyassist: error: ...`` and its exit code."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            with said_notices():
                return command(*args, **kwargs)
        except CopyAssistError as exc:
            raise fail(error_line(exc, command), exc.exit_code) from None
        except KeyboardInterrupt:
            raise fail("interrupted", 130) from None

    return wrapper
