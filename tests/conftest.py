"""Every test runs on an isolated copyassist home, with no provider configured from outside."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from copyassist.assets import file_stamp
from tests.helpers import ROOT, fake


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
    monkeypatch.setenv("COPYASSIST_HTTP", "httpx")  # the client respx intercepts
    # a file written by a test is seen at once, not within the second (tests/test_stamps.py)
    monkeypatch.setattr(file_stamp, "ttl", 0.0)
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


@pytest.fixture
def example_product() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((ROOT / "examples" / "product.json").read_text("utf-8"))
    return data
