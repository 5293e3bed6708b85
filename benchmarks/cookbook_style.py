"""A parallel request processor of the OpenAI Cookbook's design, the third contender of ``compare.py``.

    python benchmarks/cookbook_style.py --requests FILE.jsonl --out FILE.jsonl --base-url URL
        [--rpm 1000000] [--tpm 1000000000] [--max-in-flight 64] [--max-attempts 5]
        [--pause-after-429 15] [--api-key KEY]

Written here from the design the Cookbook's ``api_request_parallel_processor.py`` describes
(none of its code): one ``aiohttp`` session; request bodies read lazily from a JSONL file; two
token buckets, requests and tokens per minute, refilled continuously and capped at a minute's
worth; a request's token cost estimated before it is sent (prompt characters / 4 plus its
``max_tokens``, cheaper than the tokenizer the Cookbook uses); a main loop that dispatches at
most one request per turn and sleeps 1 ms between turns; failed requests go back on a retry
queue until their attempts run out; after a 429 ("rate limit" in the error) the whole loop
pauses for 15 s from the last one; each result is appended to the output file as it lands
(the request and the answer, one JSON line), with the file opened for each.

One addition, so that the comparison is at the same concurrency: at most ``--max-in-flight``
requests at once (the Cookbook's design has no such cap, only its budgets). Its limits default
to far above anything a local run reaches, so without a server limit only concurrency binds.

It runs as its own process and imports nothing from copyassist. Prints one JSON line of its
counters (``ok``, ``failed``, ``rate_limited``, ``pauses``...).
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import dataclasses
import json
import sys
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import aiohttp

LOOP_SLEEP = 0.001
PAUSE_AFTER_429 = 15.0
DEFAULT_COMPLETION_TOKENS = 256


class TokenBucket:
    """``per_minute`` units, refilled continuously, never more than a minute's worth; starts full."""

    def __init__(self, per_minute: float, now: float) -> None:
        self.per_minute = per_minute
        self.level = per_minute
        self.updated = now

    def refill(self, now: float) -> None:
        self.level = min(self.per_minute, self.level + self.per_minute * (now - self.updated) / 60.0)
        self.updated = now

    def has(self, amount: float) -> bool:
        return self.level >= amount

    def take(self, amount: float) -> None:
        self.level -= amount


@dataclasses.dataclass
class Pending:
    row: int
    body: dict[str, Any]
    tokens: int
    attempts_left: int
    errors: list[str] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class Status:
    ok: int = 0
    failed: int = 0
    in_flight: int = 0
    rate_limited: int = 0
    api_errors: int = 0
    other_errors: int = 0
    pauses: int = 0
    last_rate_limit: float = float("-inf")  # time.monotonic() of the last 429 seen


def estimate_tokens(body: dict[str, Any]) -> int:
    """The budget a request takes from the token bucket: its prompt and its largest answer."""
    messages = body.get("messages") or []
    prompt = sum(4 + len(str(m.get("content") or "")) // 4 for m in messages if isinstance(m, dict)) + 3
    completion = body.get("max_completion_tokens") or body.get("max_tokens") or DEFAULT_COMPLETION_TOKENS
    return prompt + int(completion) * int(body.get("n") or 1)


def read_requests(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def append_result(out: Path, record: Any) -> None:
    with out.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(record, ensure_ascii=False) + "\n")


async def process(
    bodies: Iterable[dict[str, Any]],
    out: Path,
    *,
    base_url: str,
    api_key: str = "dummy",
    rpm: float = 1_000_000,
    tpm: float = 1_000_000_000,
    max_in_flight: int = 64,
    max_attempts: int = 5,
    pause_after_429: float = PAUSE_AFTER_429,
) -> Status:
    url = base_url.rstrip("/") + "/chat/completions"
    headers = {"Authorization": f"Bearer {api_key}"}
    status = Status()
    retries: collections.deque[Pending] = collections.deque()
    source = enumerate(bodies)
    requests = TokenBucket(rpm, time.monotonic())
    tokens = TokenBucket(tpm, time.monotonic())
    tasks: set[asyncio.Task[None]] = set()

    async def call(session: aiohttp.ClientSession, pending: Pending) -> None:
        error: str | None = None
        try:
            async with session.post(url, headers=headers, json=pending.body) as response:
                payload = await response.json(content_type=None)
            if isinstance(payload, dict) and "error" in payload:
                error = str((payload["error"] or {}).get("message", payload["error"]))
                if response.status == 429 or "rate limit" in error.lower():
                    status.rate_limited += 1
                    status.last_rate_limit = time.monotonic()
                else:
                    status.api_errors += 1
        except (TimeoutError, aiohttp.ClientError, ValueError) as exc:
            error = f"{type(exc).__name__}: {exc}"
            status.other_errors += 1
        finally:
            status.in_flight -= 1
        if error is None:
            status.ok += 1
            append_result(out, [pending.body, payload])
        elif pending.attempts_left > 0:
            pending.errors.append(error)
            retries.append(pending)
        else:
            status.failed += 1
            append_result(out, [pending.body, [*pending.errors, error]])

    connector = aiohttp.TCPConnector(limit=max_in_flight)
    timeout = aiohttp.ClientTimeout(total=600)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        upcoming: Pending | None = None
        exhausted = False
        while True:
            if upcoming is None:
                if retries:
                    upcoming = retries.popleft()
                elif not exhausted:
                    try:
                        row, body = next(source)
                        upcoming = Pending(row, body, estimate_tokens(body), max_attempts)
                    except StopIteration:
                        exhausted = True
            now = time.monotonic()
            requests.refill(now)
            tokens.refill(now)
            if (
                upcoming is not None
                and status.in_flight < max_in_flight
                and requests.has(1)
                and tokens.has(upcoming.tokens)
            ):
                requests.take(1)
                tokens.take(upcoming.tokens)
                upcoming.attempts_left -= 1
                status.in_flight += 1
                task = asyncio.create_task(call(session, upcoming))
                tasks.add(task)
                task.add_done_callback(tasks.discard)
                upcoming = None
            if exhausted and upcoming is None and not retries and status.in_flight == 0:
                break
            await asyncio.sleep(LOOP_SLEEP)
            since = time.monotonic() - status.last_rate_limit
            if since < pause_after_429:
                status.pauses += 1
                await asyncio.sleep(pause_after_429 - since)
    return status


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--requests", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--api-key", default="dummy")
    parser.add_argument("--rpm", type=float, default=1_000_000)
    parser.add_argument("--tpm", type=float, default=1_000_000_000)
    parser.add_argument("--max-in-flight", type=int, default=64)
    parser.add_argument("--max-attempts", type=int, default=5)
    parser.add_argument("--pause-after-429", type=float, default=PAUSE_AFTER_429)
    args = parser.parse_args(argv)
    args.out.write_text("", encoding="utf-8")
    status = asyncio.run(
        process(
            read_requests(args.requests),
            args.out,
            base_url=args.base_url,
            api_key=args.api_key,
            rpm=args.rpm,
            tpm=args.tpm,
            max_in_flight=args.max_in_flight,
            max_attempts=args.max_attempts,
            pause_after_429=args.pause_after_429,
        )
    )
    counters = dataclasses.asdict(status)
    counters.pop("last_rate_limit")
    print(json.dumps(counters))
    return 0 if status.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
