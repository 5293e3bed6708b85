"""A local OpenAI-compatible server for the bulk-mode benchmarks and tests (stdlib asyncio only).

    python benchmarks/fake_server.py [--port 0] [--latency 0.2] [--jitter 0.05] [--rpm 600]
        [--tpm 200000] [--window 60] [--error-rate 0.01] [--drop-rate 0] [--malformed-rate 0]
        [--timeout-rate 0] [--slow-seconds 60] [--seed 0] [--limit-headers all|429|none]
        [--reject-first 0]

prints its base URL (``http://127.0.0.1:PORT/v1``) as the first line of stdout and serves until
interrupted. In-process: ``base_url, server = start_fake_server(latency=0.2, rpm=600)`` runs it in
a background thread; ``server()`` (or ``server.stop()``) stops it, ``server.stats()`` reads the
counters. It listens on 127.0.0.1 only.

HTTP/1.1 with keep-alive; routes: ``POST /v1/chat/completions``, ``GET /v1/models``,
``GET /stats`` (``?prompts=0`` leaves out the per-prompt counts, ``?times=1`` adds the arrival
times), ``POST /stats/reset``.

* Latency: ``latency`` seconds plus or minus up to ``jitter``, slept with ``asyncio.sleep``.
* Limits: ``rpm`` and ``tpm`` over a sliding ``window`` (a minute by default; shorter windows
  enforce the per-minute limit pro rata, as providers do over short periods). Beyond them a
  real 429 with ``retry-after`` (whole seconds, rounded up), ``retry-after-ms`` and the
  ``x-ratelimit-*`` headers, which every chat answer carries too, OpenAI-style:
  ``x-ratelimit-limit-requests``, ``-remaining-``, and ``-reset-`` as a Go duration ("1s",
  "6m0s", "20ms"), the same for ``-tokens``; ``limit_headers`` "429" sends them on the 429s
  only, "none" sends a bare ``retry-after`` (whole seconds) and nothing else. A request
  counts ``prompt + completion`` tokens; a 429 counts nothing. ``reject_first`` answers the
  first N chat requests 429 (``retry-after: 1``) whatever the limits.
* Faults, decided per (prompt, attempt) from ``seed`` so a run is reproducible whatever the
  order of arrival: ``error_rate`` 500s, ``drop_rate`` connections closed without an answer,
  ``malformed_rate`` answers whose JSON content is cut in half, ``timeout_rate`` answers held
  ``slow_seconds`` (a client with a shorter timeout gives up).
* Answers: a JSON object built from the request's ``response_format`` schema when there is one
  (``json_schema``, or ``json_object`` with a ``schema``), its strings made from the product
  data in the prompt ("- Name: ...", "- Brand: ...", "- Key features: ..."), so copy validators
  can pass; plain text otherwise. Usage is estimated from text length (4 characters a token);
  an answer longer than ``max_tokens`` is cut and ends with ``finish_reason="length"``.
* Counters: calls per prompt hash (``prompt_hash(messages)``: a test counts the calls made for
  one row), 200s per prompt hash, 429s, faults by kind, calls in flight and their maximum; the
  wall-clock time (``time.time()``) of the first chat request and of the last 200 sent, and with
  ``times`` the arrival time of every chat request and the admission time (and tokens) of every
  one let through (benchmarks: time to first request from another process's start, rate achieved).
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import dataclasses
import hashlib
import json
import math
import random
import re
import signal
import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

HOST = "127.0.0.1"
WINDOW = 60.0
FAULTS = ("error", "drop", "malformed", "timeout")
_REASONS = {
    200: "OK",
    400: "Bad Request",
    404: "Not Found",
    429: "Too Many Requests",
    500: "Internal Server Error",
}
_FACT = re.compile(r"^\s*-\s*([^:\n]{1,40}?)\s*:\s*(.+?)\s*$", re.MULTILINE)
_NAME, _BRAND, _CATEGORY = {"name", "nom", "title", "titre"}, {"brand", "marque"}, {"category", "catégorie"}
_DESCRIPTION = {"current description", "description actuelle", "description"}
_FEATURES = {"key features", "points forts", "features"}
_SKIPPED = {"price", "prix"}
_LONG_FIELDS = ("description", "body", "text", "answer", "summary", "content", "paragraph")

Response = tuple[int, dict[str, str], bytes]


@dataclasses.dataclass
class FakeOptions:
    latency: float = 0.0
    jitter: float = 0.0
    rpm: int | None = None
    tpm: int | None = None
    window: float = 60.0  # seconds over which rpm/tpm are enforced, scaled: 1.0 allows rpm/60 a second
    error_rate: float = 0.0
    drop_rate: float = 0.0
    malformed_rate: float = 0.0
    timeout_rate: float = 0.0
    slow_seconds: float = 60.0
    seed: int = 0
    model: str = "fake-model"
    #: which answers carry the ``x-ratelimit-*`` headers: "all", "429" (only the refusals, as
    #: some proxies do) or "none" (a bare ``retry-after`` on a 429)
    limit_headers: str = "all"
    reject_first: int = 0  # the first N chat requests answered 429, whatever the limits


def prompt_hash(messages: Any) -> str:
    """The key the counters use for a request: its messages, canonically encoded."""
    canonical = json.dumps(messages, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def go_duration(seconds: float) -> str:
    """``x-ratelimit-reset-*`` as OpenAI writes it: "20ms", "1s", "1.5s", "6m0s", "1h0m0s"."""
    if seconds <= 0:
        return "0s"
    if seconds < 1:
        return f"{max(1, round(seconds * 1000))}ms"
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    text = f"{secs:.3f}".rstrip("0").rstrip(".") + "s"
    if hours or minutes:
        text = f"{int(minutes)}m{text}"
    return f"{int(hours)}h{text}" if hours else text


def estimate_tokens(text: str) -> int:
    return math.ceil(len(text) / 4)


def _text(content: Any) -> str:
    if isinstance(content, list):  # content parts
        return " ".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
    return "" if content is None else str(content)


class Counters:
    """What the server did; safe to read from another thread."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.requests = self.ok = self.rate_limited = self.in_flight = self.max_in_flight = 0
            self.prompt_tokens = self.completion_tokens = 0
            self.faults: collections.Counter[str] = collections.Counter({kind: 0 for kind in FAULTS})
            self.by_prompt: collections.Counter[str] = collections.Counter()
            self.ok_by_prompt: collections.Counter[str] = collections.Counter()
            self.admitted_at: list[float] = []  # wall-clock times of the requests let through
            self.request_times: list[float] = []  # of every chat request's arrival
            self.admitted_tokens: list[int] = []  # the tokens of each admitted request, in order
            self.first_request_at: float | None = None
            self.last_ok_at: float | None = None

    def snapshot(self, prompts: bool = True, times: bool = False) -> dict[str, Any]:
        with self.lock:
            stats: dict[str, Any] = {
                "requests": self.requests,
                "ok": self.ok,
                "rate_limited": self.rate_limited,
                "faults": dict(self.faults),
                "in_flight": self.in_flight,
                "max_in_flight": self.max_in_flight,
                "prompt_tokens": self.prompt_tokens,
                "completion_tokens": self.completion_tokens,
                "prompts": len(self.by_prompt),
                "prompts_called_more_than_once": sum(1 for n in self.by_prompt.values() if n > 1),
                "prompts_answered_more_than_once": sum(1 for n in self.ok_by_prompt.values() if n > 1),
                "first_admitted_at": self.admitted_at[0] if self.admitted_at else None,
                "first_request_at": self.first_request_at,
                "last_ok_at": self.last_ok_at,
            }
            if times:
                stats["request_times"] = list(self.request_times)
                stats["admitted_times"] = list(self.admitted_at)
                stats["admitted_tokens"] = list(self.admitted_tokens)
            if prompts:
                stats["by_prompt"] = dict(self.by_prompt)
                stats["ok_by_prompt"] = dict(self.ok_by_prompt)
        return stats


class SlidingWindow:
    """Requests and tokens admitted over the last ``window`` seconds, and OpenAI-style headers.

    Limits are per minute, enforced over ``window`` seconds pro rata, as providers do when they
    enforce a per-minute limit over shorter periods: rpm 600 over a 1 s window admits 10 requests in
    any second, not 600 at once. The headers speak per minute, as OpenAI's do."""

    def __init__(self, rpm: int | None, tpm: int | None, window: float = WINDOW) -> None:
        self.window = window
        scale = window / WINDOW
        self.limits = {"requests": rpm, "tokens": tpm}
        self.rpm = None if rpm is None else max(1, int(rpm * scale))
        self.tpm = None if tpm is None else max(1, int(tpm * scale))
        self.events: collections.deque[tuple[float, int]] = collections.deque()
        self.tokens = 0

    def _prune(self, now: float) -> None:
        while self.events and self.events[0][0] <= now - self.window:
            self.tokens -= self.events.popleft()[1]

    def admit(self, now: float, tokens: int) -> float | None:
        """None when admitted (and counted), else the seconds until it would be."""
        self._prune(now)
        wait = 0.0
        if self.rpm is not None and len(self.events) >= self.rpm:
            wait = self.events[len(self.events) - self.rpm][0] + self.window - now
        if self.tpm is not None and self.tokens + tokens > self.tpm:
            excess, tpm_wait = self.tokens + tokens - self.tpm, self.window  # it never fits
            for at, spent in self.events:
                excess -= spent
                if excess <= 0:
                    tpm_wait = at + self.window - now
                    break
            wait = max(wait, tpm_wait)
        if wait > 0:
            return wait
        self.events.append((now, tokens))
        self.tokens += tokens
        return None

    def headers(self, now: float) -> dict[str, str]:
        self._prune(now)
        reset = go_duration(self.events[-1][0] + self.window - now) if self.events else "0s"
        headers: dict[str, str] = {}
        for kind, quota, used in (
            ("requests", self.rpm, len(self.events)),
            ("tokens", self.tpm, self.tokens),
        ):
            limit = self.limits[kind]
            if limit is not None and quota is not None:
                headers[f"x-ratelimit-limit-{kind}"] = str(limit)
                left = int((quota - used) * WINDOW / self.window)
                headers[f"x-ratelimit-remaining-{kind}"] = str(max(0, left))
                headers[f"x-ratelimit-reset-{kind}"] = reset
        return headers


class _Copy:
    """Strings for a schema's fields, made from the product data found in the prompt."""

    def __init__(self, messages: list[Any]) -> None:
        prompt = "\n".join(
            _text(m.get("content")) for m in messages if isinstance(m, dict) and m.get("role") == "user"
        )
        facts: dict[str, str] = {}
        extras: list[str] = []
        block = False  # inside the "- Name: ..." block of product data
        for line in prompt.splitlines():
            match = _FACT.match(line)
            key = match.group(1).strip().lower() if match else ""
            block = bool(match) and (block or key in _NAME)
            if not block or match is None:
                continue
            if key in _NAME | _BRAND | _CATEGORY | _DESCRIPTION | _FEATURES:
                facts.setdefault(key, match.group(2))
            elif key not in _SKIPPED:
                extras.append(match.group(2))

        def pick(keys: set[str]) -> str:
            return next((facts[k] for k in keys if k in facts), "")

        name, brand = pick(_NAME), pick(_BRAND)
        name = "" if name.startswith("(") else name  # "(not given)"
        if not name:
            words = list(dict.fromkeys(re.findall(r"[^\W\d_]{4,}", prompt)))
            name = " ".join(words[-6:]) or "Product"
        if brand and brand.lower() not in name.lower():
            name = f"{brand} {name}"
        features = [f.strip() for f in re.split(r"[;|]", pick(_FEATURES)) if f.strip()]
        self.pool = [name, *filter(None, [pick(_DESCRIPTION).rstrip(".")]), *features, *extras]
        if category := pick(_CATEGORY):
            self.pool.append(category)
        self.count = 0

    def string(self, field: str, schema: dict[str, Any]) -> str:
        k, self.count = self.count, self.count + 1
        low, high = int(schema.get("minLength", 1)), int(schema.get("maxLength", 10_000))
        parts = 3 if any(word in field.lower() for word in _LONG_FIELDS) else 1
        pieces = [self.pool[(k + i) % len(self.pool)] for i in range(len(self.pool))]
        text = ". ".join(pieces[:parts])
        for piece in pieces[parts:] * 50:
            if len(text) >= low:
                break
            text = f"{text}. {piece}"
        if len(text) > high:
            text = text[: text.rfind(" ", 0, high + 1)] if " " in text[:high] else text[:high]
            text = text.rstrip(" .,;:-")
        return text.ljust(low, ".")


def build(schema: Any, copy: _Copy, root: dict[str, Any], field: str = "", depth: int = 0) -> Any:
    """A value that fits ``schema`` (the JSON-schema subset that structured outputs use)."""
    if not isinstance(schema, dict) or depth > 12:
        return None
    if "$ref" in schema:
        target: Any = root
        for part in str(schema["$ref"]).lstrip("#/").split("/"):
            target = target.get(part, {}) if isinstance(target, dict) and part else target
        return build(target, copy, root, field, depth + 1)
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        return schema["enum"][0]
    for key in ("anyOf", "oneOf", "allOf"):
        if schema.get(key):
            options = [o for o in schema[key] if isinstance(o, dict) and o.get("type") != "null"]
            return build((options or schema[key])[0], copy, root, field, depth + 1)
    kind = schema.get("type", "object" if "properties" in schema else "string")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object":
        properties = schema.get("properties") or {}
        return {name: build(sub, copy, root, name, depth + 1) for name, sub in properties.items()}
    if kind == "array":
        size = max(int(schema.get("minItems", 0)), min(int(schema.get("maxItems", 3)), 3))
        return [build(schema.get("items", {}), copy, root, field, depth + 1) for _ in range(size)]
    if kind in ("integer", "number"):
        value = schema.get("minimum", schema.get("exclusiveMinimum", -1) + 1)
        value = min(value, schema.get("maximum", value))
        return int(value) if kind == "integer" else float(value)
    if kind == "boolean":
        return True
    if kind == "null":
        return None
    return copy.string(field, schema)


def answer(request: dict[str, Any]) -> str:
    """The deterministic content for a chat request."""
    messages = request.get("messages") or []
    copy = _Copy(messages)
    response_format = request.get("response_format") or {}
    schema: Any = None
    if response_format.get("type") == "json_schema":
        schema = (response_format.get("json_schema") or {}).get("schema")
    elif response_format.get("type") == "json_object":
        schema = response_format.get("schema") or {"type": "object", "properties": {"text": {}}}
    if schema is None:
        return ". ".join(copy.pool[:3]) + "."
    return json.dumps(build(schema, copy, schema), ensure_ascii=False)


def _json(status: int, payload: Any, headers: dict[str, str] | None = None) -> Response:
    return status, headers or {}, json.dumps(payload, ensure_ascii=False).encode()


def _error(status: int, message: str, kind: str, code: str | None = None) -> Response:
    return _json(status, {"error": {"message": message, "type": kind, "param": None, "code": code}})


class FakeServer:
    """The server itself, on the running event loop: ``await start()``, ``await close()``."""

    def __init__(self, options: FakeOptions | None = None) -> None:
        self.options = options or FakeOptions()
        self.counters = Counters()
        self.window = SlidingWindow(self.options.rpm, self.options.tpm, self.options.window)
        self._random = random.Random(self.options.seed)
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._ids = 0
        self.port = 0

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}/v1"

    def stats(self, prompts: bool = True, times: bool = False) -> dict[str, Any]:
        return self.counters.snapshot(prompts, times)

    def calls_for(self, messages: Any) -> int:
        """Chat requests received so far with exactly these messages."""
        with self.counters.lock:
            return self.counters.by_prompt[prompt_hash(messages)]

    async def start(self, port: int = 0) -> None:
        self._server = await asyncio.start_server(self._connection, HOST, port, backlog=1024)
        self.port = self._server.sockets[0].getsockname()[1]

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        try:
            while True:
                head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
                request_line, *lines = head.split("\r\n")
                method, target, version = [*request_line.split(" ", 2), "", ""][:3]
                headers = {k.strip().lower(): v.strip() for k, _, v in (x.partition(":") for x in lines if x)}
                body = await self._body(reader, headers)
                keep_alive = version == "HTTP/1.1" and headers.get("connection", "").lower() != "close"
                response = await self._route(method, target, body)
                if response is None:  # a dropped connection
                    break
                status, extra, payload = response
                head_lines = [
                    f"HTTP/1.1 {status} {_REASONS.get(status, 'Error')}",
                    "content-type: application/json",
                    f"content-length: {len(payload)}",
                    f"connection: {'keep-alive' if keep_alive else 'close'}",
                    *(f"{name}: {value}" for name, value in extra.items()),
                ]
                writer.write(("\r\n".join(head_lines) + "\r\n\r\n").encode("latin-1") + payload)
                await writer.drain()
                if not keep_alive:
                    break
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError, ValueError):
            pass
        except asyncio.CancelledError:  # closing; Python 3.11 would log a cancelled handler as an error
            pass
        finally:
            writer.close()
            if task is not None:
                self._tasks.discard(task)

    async def _body(self, reader: asyncio.StreamReader, headers: dict[str, str]) -> bytes:
        if "content-length" in headers:
            return await reader.readexactly(int(headers["content-length"]))
        if headers.get("transfer-encoding", "").lower() == "chunked":
            chunks = []
            while size := int((await reader.readuntil(b"\r\n")).split(b";")[0], 16):
                chunks.append(await reader.readexactly(size))
                await reader.readexactly(2)
            await reader.readuntil(b"\r\n")
            return b"".join(chunks)
        return b""

    async def _route(self, method: str, target: str, body: bytes) -> Response | None:
        url = urlsplit(target)
        path = url.path.rstrip("/")
        if method == "POST" and path in ("/v1/chat/completions", "/chat/completions"):
            return await self._chat(body)
        if method == "GET" and path in ("/v1/models", "/models"):
            model = {"id": self.options.model, "object": "model", "created": 0, "owned_by": "fake"}
            return _json(200, {"object": "list", "data": [model]})
        if method == "GET" and path in ("/stats", "/v1/stats"):
            query = parse_qs(url.query)
            prompts = query.get("prompts", ["1"])[0] not in ("0", "false", "no")
            times = query.get("times", ["0"])[0] not in ("0", "false", "no")
            return _json(200, self.stats(prompts, times))
        if method == "POST" and path in ("/stats/reset", "/v1/stats/reset"):
            self.counters.reset()
            return _json(200, {"reset": True})
        return _error(404, f"no route for {method} {url.path}", "invalid_request_error", "not_found")

    def _fault(self, key: str, attempt: int) -> str | None:
        digest = hashlib.sha256(f"{self.options.seed}:{key}:{attempt}".encode()).digest()
        draw = int.from_bytes(digest[:8], "big") / 2**64
        rates = (self.options.error_rate, self.options.drop_rate, self.options.malformed_rate)
        for kind, rate in zip(FAULTS, (*rates, self.options.timeout_rate), strict=True):
            if draw < rate:
                return kind
            draw -= rate
        return None

    async def _chat(self, body: bytes) -> Response | None:
        try:
            request = json.loads(body)
            messages = request["messages"]
            if not isinstance(messages, list):
                raise TypeError
        except (ValueError, TypeError, KeyError):
            return _error(400, "the body must be JSON with a messages list", "invalid_request_error")
        key = prompt_hash(messages)
        arrived = time.time()
        with self.counters.lock:
            if self.counters.first_request_at is None:
                self.counters.first_request_at = arrived
            self.counters.request_times.append(arrived)
            rejected = self.counters.requests < self.options.reject_first
            self.counters.requests += 1
            self.counters.by_prompt[key] += 1
            attempt = self.counters.by_prompt[key]
        try:
            content, finish = answer(request), "stop"
        except (AttributeError, TypeError, ValueError, IndexError, KeyError):
            return _error(400, "cannot answer this response_format", "invalid_request_error")
        limit = request.get("max_completion_tokens") or request.get("max_tokens")
        if isinstance(limit, int) and limit > 0 and estimate_tokens(content) > limit:
            content, finish = content[: limit * 4], "length"
        prompt_tokens = 3 + sum(
            4 + estimate_tokens(_text(m.get("content"))) for m in messages if isinstance(m, dict)
        )
        completion_tokens = estimate_tokens(content)
        now = time.monotonic()
        wait = 1.0 if rejected else self.window.admit(now, prompt_tokens + completion_tokens)
        if wait is not None:
            with self.counters.lock:
                self.counters.rate_limited += 1
            status, _, payload = _error(
                429,
                f"Rate limit reached. Please try again in {wait:.3f}s.",
                "requests",
                "rate_limit_exceeded",
            )
            headers = {"retry-after": str(math.ceil(wait))}
            if self.options.limit_headers != "none":
                headers |= {"retry-after-ms": str(math.ceil(wait * 1000)), **self.window.headers(now)}
            return status, headers, payload
        limit_headers = self.window.headers(now) if self.options.limit_headers == "all" else {}
        with self.counters.lock:
            self.counters.admitted_at.append(time.time())
            self.counters.admitted_tokens.append(prompt_tokens + completion_tokens)
            self.counters.in_flight += 1
            self.counters.max_in_flight = max(self.counters.max_in_flight, self.counters.in_flight)
        try:
            jitter = self._random.uniform(-self.options.jitter, self.options.jitter)
            await asyncio.sleep(max(0.0, self.options.latency + jitter))
            fault = self._fault(key, attempt)
            if fault is not None:
                with self.counters.lock:
                    self.counters.faults[fault] += 1
            if fault == "error":
                return _error(500, "The server had an error while processing your request.", "server_error")
            if fault == "drop":
                return None
            if fault == "timeout":
                await asyncio.sleep(self.options.slow_seconds)
            if fault == "malformed":
                content = content[: len(content) // 2]
        finally:
            with self.counters.lock:
                self.counters.in_flight -= 1
        with self.counters.lock:
            self.counters.ok += 1
            self.counters.ok_by_prompt[key] += 1
            self.counters.prompt_tokens += prompt_tokens
            self.counters.completion_tokens += completion_tokens
            self.counters.last_ok_at = time.time()
        self._ids += 1
        message = {"role": "assistant", "content": content, "refusal": None}
        return _json(
            200,
            {
                "id": f"chatcmpl-fake-{self._ids}",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": str(request.get("model") or self.options.model),
                "choices": [{"index": 0, "message": message, "finish_reason": finish, "logprobs": None}],
                "usage": {
                    "prompt_tokens": prompt_tokens,
                    "completion_tokens": completion_tokens,
                    "total_tokens": prompt_tokens + completion_tokens,
                },
            },
            limit_headers,
        )


class RunningServer:
    """A server running in a background thread. Calling it stops it."""

    def __init__(self, server: FakeServer, loop: asyncio.AbstractEventLoop, thread: threading.Thread) -> None:
        self.server, self._loop, self._thread = server, loop, thread

    @property
    def base_url(self) -> str:
        return self.server.base_url

    def stats(self, prompts: bool = True, times: bool = False) -> dict[str, Any]:
        return self.server.stats(prompts, times)

    def calls_for(self, messages: Any) -> int:
        return self.server.calls_for(messages)

    def reset(self) -> None:
        self.server.counters.reset()

    def stop(self) -> None:
        if self._thread.is_alive():
            with contextlib.suppress(RuntimeError):  # the loop already closed
                self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)

    __call__ = stop


def start_fake_server(*, port: int = 0, **options: Any) -> tuple[str, RunningServer]:
    """Start a server on 127.0.0.1 in a daemon thread: ``(base_url, server)``; ``server()`` stops it.

    ``options`` are the fields of ``FakeOptions``."""
    server = FakeServer(FakeOptions(**options))
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    failure: list[BaseException] = []

    def run() -> None:
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(server.start(port))
        except BaseException as exc:
            failure.append(exc)
            ready.set()
            loop.close()
            return
        ready.set()
        try:
            loop.run_forever()
        finally:
            loop.run_until_complete(server.close())
            loop.close()

    thread = threading.Thread(target=run, name="fake-openai-server", daemon=True)
    thread.start()
    ready.wait(10)
    if failure or not ready.is_set():
        raise RuntimeError(f"the fake server did not start: {failure[0] if failure else 'timeout'}")
    return server.base_url, RunningServer(server, loop, thread)


async def serve(options: FakeOptions, port: int = 0, on_ready: Callable[[str], None] = print) -> None:
    """Run until SIGINT or SIGTERM (the command line)."""
    server = FakeServer(options)
    await server.start(port)
    on_ready(server.base_url)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        await server.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--port", type=int, default=0, help="0: a free port (default)")
    defaults = FakeOptions()
    for field in dataclasses.fields(FakeOptions):
        default = getattr(defaults, field.name)
        integers = ("rpm", "tpm", "seed", "reject_first")
        kind = str if field.name in ("model", "limit_headers") else int if field.name in integers else float
        parser.add_argument(f"--{field.name.replace('_', '-')}", type=kind, default=default)
    args = vars(parser.parse_args(argv))
    port = args.pop("port")
    asyncio.run(serve(FakeOptions(**args), port, on_ready=lambda url: print(url, flush=True)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
