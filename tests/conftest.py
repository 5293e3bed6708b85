"""Every test runs on an isolated copyassist home, with no provider configured from outside."""

from __future__ import annotations

import importlib.util
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

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


@pytest.fixture
def serve() -> Iterator[Callable[..., tuple[str, Any]]]:
    """``serve(**options) -> (base_url, server)``: the fake OpenAI-compatible server on 127.0.0.1
    in a background thread; every server started is stopped afterwards."""
    running: list[Any] = []

    def start(**options: Any) -> tuple[str, Any]:
        base_url, server = fake.start_fake_server(**options)
        running.append(server)
        return base_url, server

    yield start
    for server in running:
        server()


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    home = tmp_path / "copyassist-home"
    monkeypatch.setenv("COPYASSIST_HOME", str(home))
    for name in (
        "OPENAI_API_KEY",
        "OPENAI_BASE_URL",
        "COPYASSIST_MODEL",
        "COPYASSIST_PROVIDER",
        "COPYASSIST_LANG",
        "COPYASSIST_PROMPTS_PATH",
        "COPYASSIST_PERSONAS_PATH",
        "COPYASSIST_PRICES",
        "COPYASSIST_CONFIG",
        "COPYASSIST_LOCAL_MODEL",
        "COPYASSIST_PROFILES_PATH",
    ):
        monkeypatch.delenv(name, raising=False)
    yield home


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


@pytest.fixture
def example_product() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((ROOT / "examples" / "product.json").read_text("utf-8"))
    return data
