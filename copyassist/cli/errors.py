"""How the CLI turns every error into one line on stderr and an exit code, never a traceback.

A copyassist error says what to do next; a file-system or store error names the file; anything
else is a bug, printed as one line with a hint to report it (``COPYASSIST_DEBUG=1`` shows the
traceback).
"""

from __future__ import annotations

import contextlib
import functools
import os
import sqlite3
import warnings
from collections.abc import Callable, Iterator
from typing import Any, ParamSpec, TextIO, TypeVar

import click
import typer
import typer.main

from copyassist.errors import CopyAssistError, one_line
from copyassist.feeds.sniffing import FeedNotice

#: Exit code of an error copyassist did not foresee.
UNEXPECTED_EXIT = 70  # EX_SOFTWARE
BUG_HINT = "this is a bug: please report it, with the output of the same command run with COPYASSIST_DEBUG=1"

#: Exceptions that are how a command ends on purpose (typer vendors its own click).
DELIBERATE_EXITS = (
    typer.Exit, typer.Abort, typer.exceptions.TyperException,
    click.exceptions.Exit, click.exceptions.Abort, click.ClickException,
)  # fmt: skip

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


def os_error_line(exc: OSError) -> str:
    """``cannot use out/x.csv: No space left on device`` (the file the system call was about)."""
    where = f" {exc.filename}" if exc.filename else ""
    return f"cannot use{where}: {exc.strerror or one_line(exc)}"


def debugging() -> bool:
    return os.environ.get("COPYASSIST_DEBUG", "").strip() not in ("", "0")


def friendly_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Run ``command``; any error becomes ``copyassist: error: ...`` and a non-zero exit code."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            with said_notices():
                return command(*args, **kwargs)
        except CopyAssistError as exc:
            raise fail(error_line(exc, command), exc.exit_code) from None
        except KeyboardInterrupt:
            raise fail("interrupted", 130) from None
        except DELIBERATE_EXITS:
            raise  # an exit code chosen on purpose, or a usage error click prints itself
        except OSError as exc:
            if debugging():
                raise
            raise fail(os_error_line(exc)) from None
        except sqlite3.Error as exc:  # a full disk or a broken file under the result store
            if debugging():
                raise
            raise fail(f"the result store cannot be used: {one_line(exc)} (its file: --db)") from None
        except Exception as exc:
            if debugging():
                raise
            raise fail(f"unexpected error: {one_line(exc)}; {BUG_HINT}", UNEXPECTED_EXIT) from None

    return wrapper
