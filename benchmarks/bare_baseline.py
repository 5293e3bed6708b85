"""The reference for throughput ratios: the same chat requests, sent by a bare SDK loop.

    python benchmarks/bare_baseline.py [--base-url URL] [--n 640] [--concurrency 64] [--latency 0.2]

A bare ``AsyncOpenAI`` (its own retries off, an explicit ``httpx.AsyncClient`` with a pool sized
for the concurrency) and an ``asyncio.Semaphore(concurrency)``: no limiter, no validation, no
repair, no store. Only the transport the tool also pays for: the request, ``with_raw_response``
and parsing the answer into the SDK's model. The bodies sent are the tool's own, built by the
backend (``OpenAIBackend.request``), so that the ratio measures the tool's own overhead and
nothing else. Without ``--base-url`` it starts ``fake_server.py`` in a subprocess (so the server
does not share this process's GIL).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal, cast

import httpx
import httpx2
import openai

from copyassist.backends import OpenAIBackend
from copyassist.backends.async_pool import CONNECTIONS_PER_CLIENT, AsyncClientPool
from copyassist.pipeline import prepare


@dataclasses.dataclass(frozen=True)
class BaselineResult:
    elapsed: float  # seconds, first request sent to last answer parsed
    calls: int  # requests sent
    ok: int  # answered 200
    errors: int  # any failure (429s included: nothing is retried)

    @property
    def calls_per_second(self) -> float:
        return self.calls / self.elapsed if self.elapsed > 0 else 0.0


async def run_baseline(
    base_url: str,
    bodies: Sequence[Mapping[str, Any]],
    *,
    concurrency: int = 64,
    api_key: str = "not-needed",
    timeout: float = 120.0,
    http: Literal["httpx", "httpx2"] = "httpx",
    sharded: bool = False,
) -> BaselineResult:
    """Send each chat request body (``chat.completions.create``'s arguments), ``concurrency`` at a time.

    ``http="httpx"`` is the transport ``OpenAIBackend`` uses (httpx 0.28 on httpcore 1.0);
    ``"httpx2"`` the one openai 3.x picks by itself, to see what the transport alone costs.
    ``sharded``: spread the calls over clients of a few connections each, as the tool does
    (``AsyncClientPool``), so that a ratio against it measures the tool's own work only."""
    module: Any = httpx2 if http == "httpx2" else httpx

    def open_client(connections: int) -> openai.AsyncOpenAI:
        http_client = module.AsyncClient(
            limits=module.Limits(max_connections=connections, max_keepalive_connections=connections),
            timeout=module.Timeout(timeout, connect=min(10.0, timeout)),
        )
        # cast: openai 3.x types http_client as an httpx2 client; it drives an httpx one all the same
        return openai.AsyncOpenAI(
            api_key=api_key,
            base_url=base_url,
            max_retries=0,
            timeout=timeout,
            http_client=cast(Any, http_client),
        )

    per_client = CONNECTIONS_PER_CLIENT if sharded else concurrency
    clients = AsyncClientPool(open_client, lambda client: client.close(), per_client=per_client)
    gate = asyncio.Semaphore(concurrency)
    ok = errors = 0

    async def one(body: Mapping[str, Any]) -> None:
        nonlocal ok, errors
        async with gate, clients.client() as client:
            try:
                raw = await client.chat.completions.with_raw_response.create(**body)
                raw.parse()
                ok += 1
            except openai.OpenAIError:
                errors += 1

    started = time.perf_counter()
    try:
        await asyncio.gather(*(one(body) for body in bodies))
    finally:
        elapsed = time.perf_counter() - started
        await clients.aclose()
    return BaselineResult(elapsed=elapsed, calls=len(bodies), ok=ok, errors=errors)


def sample_bodies(n: int, model: str) -> list[dict[str, Any]]:
    """Product-title requests for ``n`` sample products, as the tool sends them to a compatible server."""
    backend = OpenAIBackend(name="compatible", model=model, base_url="http://unused/v1")
    products = ({"title": f"Sample product {i}", "brand": "Lumen"} for i in range(n))
    return [backend.request(prepare("product-title", product, language="en").prompt) for product in products]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--base-url", default=None, help="default: start fake_server.py")
    parser.add_argument("--n", type=int, default=640)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--latency", type=float, default=0.2, help="of the fake server started")
    parser.add_argument("--model", default="fake-model")
    parser.add_argument("--http", choices=("httpx", "httpx2"), default="httpx", help="the HTTP client")
    parser.add_argument("--sharded", action="store_true", help="clients of 8 connections, as the tool")
    args = parser.parse_args(argv)
    server: subprocess.Popen[str] | None = None
    base_url = args.base_url
    if base_url is None:
        script = Path(__file__).with_name("fake_server.py")
        command = [sys.executable, str(script), "--latency", str(args.latency)]
        server = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
        assert server.stdout is not None
        base_url = server.stdout.readline().strip()
    try:
        result = asyncio.run(
            run_baseline(
                base_url,
                sample_bodies(args.n, args.model),
                concurrency=args.concurrency,
                http=args.http,
                sharded=args.sharded,
            )
        )
    finally:
        if server is not None:
            server.terminate()
            server.wait(10)
    ideal = args.n / args.concurrency * args.latency if args.base_url is None else None
    print(
        f"{result.calls} calls ({result.ok} ok, {result.errors} errors) in {result.elapsed:.2f} s: "
        f"{result.calls_per_second:.1f} calls/s" + (f" (ideal {ideal:.2f} s)" if ideal else "")
    )
    return 0 if result.errors == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
