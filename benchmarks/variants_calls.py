"""variants=3 as one call with n=3 against three separate calls: time and billed prompt tokens.

A local server on 127.0.0.1 answers every request after a fixed delay (a model's latency), with
as many choices as ``n`` asks; the same generations run once with ``n`` and once with the
backend told the server refuses it. Prints both runs and their ratios, measured in this run.

    python benchmarks/variants_calls.py [--rows 20] [--delay 0.05]
"""

from __future__ import annotations

import argparse
import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import copyassist
from copyassist.backends import OpenAIBackend, Usage

_TITLE = re.compile(r"Lampe de bureau LED modèle \d+")
REQUESTS: list[int] = []  # the n of every request the server answered
_WORDS = ("orientable", "compacte", "à intensité réglable")


def _server(delay: float) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["content-length"])))
            time.sleep(delay)
            title = _TITLE.findall(json.dumps(body["messages"], ensure_ascii=False))[0]
            count = body.get("n", 1)
            texts = [json.dumps({"title": f"{title} Lumio {_WORDS[i % 3]}"}) for i in range(count)]
            choices = [
                {"index": i, "finish_reason": "stop", "message": {"role": "assistant", "content": text}}
                for i, text in enumerate(texts)
            ]
            REQUESTS.append(count)
            usage = {"prompt_tokens": 200, "completion_tokens": 15 * count}
            answer = {"id": "c", "object": "chat.completion", "created": 1, "model": "bench"}
            answer.update(choices=choices, usage=usage)
            data = json.dumps(answer).encode()
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _run(base_url: str, rows: int, separate: bool) -> tuple[float, Usage, int]:
    backend = OpenAIBackend(name="compatible", model="bench", base_url=base_url, structured="json_schema")
    backend.one_choice_per_call = separate
    usage = Usage()
    before = len(REQUESTS)
    started = time.perf_counter()
    for number in range(rows):
        product = {"title": f"Lampe de bureau LED modèle {number}", "brand": "Lumio"}
        result = copyassist.generate("product-title", product, language="fr", backend=backend, variants=3)
        usage = usage + result.usage
    elapsed = time.perf_counter() - started
    backend.close()
    return elapsed, usage, len(REQUESTS) - before


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20)
    parser.add_argument("--delay", type=float, default=0.05, help="seconds the server takes per request")
    options = parser.parse_args()
    server = _server(options.delay)
    base_url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    _run(base_url, 1, separate=False)  # templates, rules and the language model loaded once
    with_n, n_usage, n_calls = _run(base_url, options.rows, separate=False)
    separate, separate_usage, separate_calls = _run(base_url, options.rows, separate=True)
    server.shutdown()
    print(f"{options.rows} generations, 3 candidates each, {options.delay * 1000:.0f} ms per request")
    print(f"n=3:            {with_n:6.2f} s  {n_calls} requests, prompt tokens {n_usage.input_tokens}")
    print(f"separate calls: {separate:6.2f} s  {separate_calls} requests, "
          f"prompt tokens {separate_usage.input_tokens}")  # fmt: skip
    print(f"time ratio separate/n: {separate / with_n:.2f}x · "
          f"prompt tokens ratio: {separate_usage.input_tokens / n_usage.input_tokens:.2f}x")  # fmt: skip


if __name__ == "__main__":
    main()
