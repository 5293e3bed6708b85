"""Request lines of a batch file, and files cut to an engine's limits.

A line is the OpenAI Batch API's input format, which vLLM's ``run_batch`` reads too:
``{"custom_id", "method": "POST", "url": "/v1/chat/completions", "body"}``, the body exactly
what a live call sends. ``custom_id`` is the sha256 of the body as canonical JSON, so the same
request always has the same id: its answer is found again from the prompt, and a request is
never sent twice.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Final

from copyassist.backends.base import Backend, Prompt
from copyassist.backends.request import build_request

ENDPOINT: Final = "/v1/chat/completions"


@dataclass(frozen=True)
class FileLimits:
    """What one request file may hold (the OpenAI Batch API's bounds by default)."""

    requests: int = 50_000
    bytes: int = 200 * 1024 * 1024


BATCH_API_LIMITS = FileLimits()


def request_body(backend: Backend, prompt: Prompt) -> dict[str, Any]:
    """The body a live call of ``backend`` would send for ``prompt``, model included."""
    build = getattr(backend, "request", None)
    if callable(build):  # OpenAIBackend: its own max_tokens key
        body: dict[str, Any] = build(prompt)
        return body
    return build_request(prompt, backend.structured_mode).body(backend.model)


def _canonical(body: dict[str, Any]) -> str:
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def custom_id(body: dict[str, Any]) -> str:
    return hashlib.sha256(_canonical(body).encode("utf-8")).hexdigest()


def request_line(body: dict[str, Any], custom: str | None = None) -> bytes:
    """One line of a request file, newline included (``custom``: the body's custom_id, if known)."""
    line = {"custom_id": custom or custom_id(body), "method": "POST", "url": ENDPOINT, "body": body}
    return (json.dumps(line, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")


def split_lines(
    lines: Iterable[tuple[str, bytes]], limits: FileLimits = BATCH_API_LIMITS
) -> Iterator[list[tuple[str, bytes]]]:
    """``lines`` (custom_id, line) in order, cut into files of at most ``limits.requests`` lines
    and ``limits.bytes`` bytes each; a line longer than a whole file is refused (ValueError)."""
    current: list[tuple[str, bytes]] = []
    size = 0
    for custom, line in lines:
        if len(line) > limits.bytes:
            raise ValueError(f"request {custom} is {len(line)} bytes, more than a whole file may hold")
        if current and (len(current) >= limits.requests or size + len(line) > limits.bytes):
            yield current
            current, size = [], 0
        current.append((custom, line))
        size += len(line)
    if current:
        yield current
