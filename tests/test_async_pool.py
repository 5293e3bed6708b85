"""Async SDK clients shared by the calls in flight: least busy first, opened only when full."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import respx

from copyassist.backends import OpenAIBackend, OutputSpec, Prompt
from copyassist.backends.async_pool import AsyncClientPool


class Opened:
    def __init__(self, connections: int) -> None:
        self.connections = connections
        self.closed = False

    async def close(self) -> None:
        self.closed = True


def pool(per_client: int = 2, max_clients: int = 3) -> tuple[AsyncClientPool[Opened], list[Opened]]:
    opened: list[Opened] = []

    def factory(connections: int) -> Opened:
        opened.append(Opened(connections))
        return opened[-1]

    return AsyncClientPool(factory, lambda c: c.close(), per_client, max_clients), opened


def test_one_client_while_it_has_room_then_more_up_to_the_cap() -> None:
    clients, opened = pool(per_client=2, max_clients=3)
    used: list[Opened] = []

    async def main() -> None:
        release = asyncio.Event()

        async def call() -> None:
            async with clients.client() as client:
                used.append(client)
                await release.wait()

        tasks = [asyncio.create_task(call()) for _ in range(8)]
        await asyncio.sleep(0)
        assert len(opened) == 3 and [c.connections for c in opened] == [2, 2, 2]
        # 8 calls, 3 clients of 2: the two beyond the cap go to the least busy clients
        assert sorted(used.count(c) for c in opened) == [2, 3, 3]
        release.set()
        await asyncio.gather(*tasks)
        async with clients.client() as client:  # all idle again: the first one serves
            assert client is opened[0]
        await clients.aclose()

    asyncio.run(main())
    assert all(c.closed for c in opened)


def test_sequential_calls_keep_a_single_client() -> None:
    clients, opened = pool()

    async def main() -> None:
        for _ in range(5):
            async with clients.client():
                pass

    asyncio.run(main())
    assert len(opened) == 1


def test_a_new_event_loop_opens_new_clients() -> None:
    clients, opened = pool()

    async def once() -> Opened:
        async with clients.client() as client:
            return client

    first, second = asyncio.run(once()), asyncio.run(once())
    assert first is not second and len(opened) == 2


@respx.mock
def test_the_backend_spreads_concurrent_calls_over_clients_respx_still_sees() -> None:
    answer = {"id": "c", "object": "chat.completion", "created": 1, "model": "m",
              "choices": [{"index": 0, "finish_reason": "stop",
                           "message": {"role": "assistant", "content": '{"title": "Lampe"}'}}],
              "usage": {"prompt_tokens": 5, "completion_tokens": 3, "total_tokens": 8}}  # fmt: skip
    route = respx.post("http://127.0.0.1:9/v1/chat/completions").mock(
        return_value=httpx.Response(200, json=answer)
    )
    backend = OpenAIBackend(
        name="compatible", model="m", base_url="http://127.0.0.1:9/v1", structured="json_object"
    )
    prompt = Prompt([{"role": "user", "content": "x"}], OutputSpec(name="T", schema={"type": "object"}))

    async def main() -> list[Any]:
        try:
            return await asyncio.gather(*(backend.acomplete(prompt) for _ in range(20)))
        finally:
            await backend.aclose()

    results = asyncio.run(main())
    assert route.call_count == 20 and all(r.text == '{"title": "Lampe"}' for r in results)
