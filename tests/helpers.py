"""What several test files use that is not a fixture: an in-process backend, the fake
OpenAI-compatible server script, a feed of desk lamps, and a check that a CLI command exited
instead of crashing."""

from __future__ import annotations

import csv
import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from click.testing import Result

from copyassist.backends.base import Completion, Prompt, StructuredMode, Usage
from copyassist.backends.request import build_request
from copyassist.backends.retry import RetryPolicy

ROOT = Path(__file__).resolve().parent.parent


def _load_fake_server() -> ModuleType:
    """``benchmarks/fake_server.py``, which is a script, not part of the package."""
    spec = importlib.util.spec_from_file_location("fake_server", ROOT / "benchmarks" / "fake_server.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


fake = _load_fake_server()


class FakeBackend:
    """An in-process backend that answers from a list and records what it was sent."""

    name = "fake"
    model = "fake-model"

    def __init__(self, answers: list[str | dict[str, Any]], mode: StructuredMode = "json_object_schema"):
        self.answers = [a if isinstance(a, str) else json.dumps(a) for a in answers]
        self.calls: list[list[dict[str, str]]] = []
        self.params: list[dict[str, Any]] = []
        self._mode = mode

    @property
    def structured_mode(self) -> StructuredMode:
        return self._mode

    def complete(self, prompt: Prompt, *, retry: RetryPolicy | None = None) -> Completion:
        self.calls.append(build_request(prompt, self._mode).messages)
        self.params.append(dict(prompt.params))
        text = self.answers[min(len(self.calls), len(self.answers)) - 1]
        return Completion(text=text, model=self.model, usage=Usage(100, 20), finish_reason="stop")

    async def acomplete(self, prompt: Prompt, *, retry: RetryPolicy | None = None) -> Completion:
        return self.complete(prompt)

    def close(self) -> None:
        pass

    async def aclose(self) -> None:
        pass


def assert_exited(result: Result, exit_code: int) -> None:
    """The command under CliRunner ended with ``exit_code`` and not with an uncaught exception.

    CliRunner catches exceptions and never prints a traceback, so "Traceback" is never in its
    output: an exception other than SystemExit (raised by typer.Exit, or by click for a usage
    error) in ``result.exception`` is the crash.
    """
    crash = result.exception
    if crash is not None and not isinstance(crash, SystemExit):
        raise AssertionError(f"the command crashed: {crash!r}\n{result.output}") from crash
    assert result.exit_code == exit_code, result.output


def write_lamp_feed(path: Path, rows: int = 3, start: int = 0) -> Path:
    """A CSV feed of ``rows`` desk lamps (sku, title, brand, category), numbered from ``start``."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["sku", "title", "brand", "category"])
        for number in range(start, start + rows):
            writer.writerow([f"SKU-{number}", f"Lampe de bureau LED modèle {number}", "Lumio", "Luminaires"])
    return path
