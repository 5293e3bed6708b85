"""The embedded model streams its answer and says how many tokens it has written so far."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import copyassist
from copyassist.backends import local
from copyassist.backends.local import LocalBackend, TerminalProgress

ANSWER = ['{"title": ', '"Lampe de bureau', " LED Lumio", ' à bras articulé"}']


class FakeLlama:
    """What llama_cpp.Llama answers: a whole completion, or chunks when streaming."""

    def __init__(self) -> None:
        self.n_tokens = 0
        self.streamed: list[bool] = []

    def create_chat_completion(self, **arguments: Any) -> Any:
        stream = bool(arguments.get("stream"))
        self.streamed.append(stream)
        if not stream:
            message = {"role": "assistant", "content": "".join(ANSWER)}
            usage = {"prompt_tokens": 300, "completion_tokens": len(ANSWER)}
            return {"choices": [{"message": message, "finish_reason": "stop"}], "usage": usage}
        return self._chunks()

    def _chunks(self) -> Iterator[dict[str, Any]]:
        self.n_tokens = 300
        yield {"choices": [{"delta": {"role": "assistant"}, "finish_reason": None}]}
        for part in ANSWER:
            self.n_tokens += 1
            yield {"choices": [{"delta": {"content": part}, "finish_reason": None}]}
        yield {"choices": [{"delta": {}, "finish_reason": "stop"}]}


@pytest.fixture
def llama(monkeypatch: pytest.MonkeyPatch) -> FakeLlama:
    fake = FakeLlama()
    monkeypatch.setattr(local, "local_available", lambda: True)
    monkeypatch.setattr(local, "_load", lambda *args: fake)
    return fake


def test_a_callback_sees_the_tokens_as_they_come(llama: FakeLlama, tmp_path: Path) -> None:
    (tmp_path / "m.gguf").write_bytes(b"GGUF")
    seen: list[int] = []
    backend = LocalBackend(tmp_path / "m.gguf", on_token=seen.append)
    result = copyassist.generate("product-title", {"title": "Lampe de bureau LED Lumio"}, backend=backend)
    assert seen == [1, 2, 3, 4] and llama.streamed == [True]
    assert json.loads(result.raw)["title"].startswith("Lampe de bureau")
    assert (result.usage.input_tokens, result.usage.output_tokens) == (300, 4)


def test_without_a_callback_nothing_streams(llama: FakeLlama, tmp_path: Path) -> None:
    (tmp_path / "m.gguf").write_bytes(b"GGUF")
    result = copyassist.generate(
        "product-title", {"title": "Lampe"}, backend=LocalBackend(tmp_path / "m.gguf")
    )
    assert llama.streamed == [False] and result.usage.input_tokens == 300


def test_the_terminal_line_counts_then_clears() -> None:
    out = io.StringIO()
    progress = TerminalProgress(out)
    progress.start()
    progress(1)
    progress(12)
    progress.close()
    text = out.getvalue()
    assert "reading the prompt" in text and "1 token written" in text and "12 tokens written" in text
    assert text.endswith("\r\x1b[K")
