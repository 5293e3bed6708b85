"""What the batch store keeps and gives back: a finished row (``StoredResult``), a run
(``RunInfo``) and its failed rows (``RowFailure``)."""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = ["RowFailure", "RunInfo", "StoredResult", "pid_alive"]


@dataclass(frozen=True)
class StoredResult:
    """One finished row: the copy, how it came out, and what it cost.

    ``output`` is the output model as JSON text. ``fields`` and ``violations`` are copied on
    creation (a dict and a tuple), so a stored result compares equal to the one read back.
    ``key``, ``run_id`` and ``created_at`` are filled in by the store on reads.
    """

    output: str
    fields: Mapping[str, str]
    status: str
    violations: Sequence[str] = ()
    input_tokens: int = 0
    output_tokens: int = 0
    cost: float | None = None
    model: str | None = None
    template: str | None = None
    template_version: int | None = None
    persona: str | None = None
    key: str | None = field(default=None, compare=False)
    run_id: int | None = field(default=None, compare=False)
    created_at: str | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "fields", dict(self.fields))
        object.__setattr__(self, "violations", tuple(self.violations))


@dataclass(frozen=True)
class RowFailure:
    row_number: int
    status: str
    error: str | None
    key: str | None


@dataclass(frozen=True)
class RunInfo:
    """One run. ``counts`` maps each row ``Status`` to its rows; for a run still marked ``running``,
    counts, tokens and cost are summed from the rows stored so far. ``alive`` is False for a
    ``running`` run whose process is gone on this machine (killed, crashed), None if unknown."""

    id: int
    started_at: str
    finished_at: str | None
    status: str
    feed: str | None
    output: str | None
    template: str | None
    persona: str | None
    channel: str | None
    model: str | None
    language: str | None
    command: list[str] | None
    args: dict[str, Any] | None
    counts: dict[str, int]
    input_tokens: int
    output_tokens: int
    cost: float | None
    note: str | None
    pid: int | None
    alive: bool | None = None
    failure_count: int = 0
    failures: list[RowFailure] = field(default_factory=list)  # filled by get_run only

    @property
    def display_status(self) -> str:
        return "interrupted" if self.status == "running" and self.alive is False else self.status


def pid_alive(pid: int | None, host: str | None) -> bool | None:
    if pid is None or host != socket.gethostname() or os.name != "posix":
        return None  # os.kill(pid, 0) would terminate the process on Windows
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    return True
