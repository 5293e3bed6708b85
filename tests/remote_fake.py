"""A fake of OpenAI's ``/v1/files`` and ``/v1/batches``, in process, for the SDK through an
explicit httpx client (``httpx.MockTransport``: the SDK's own requests, nothing on the network).

Each batch walks the statuses of its ``script`` (one step per ``retrieve``): by default
validating -> in_progress -> finalizing -> completed. On reaching completed (or expired) its
output and error files are made by ``answer``, called with each request's body: it returns a
chat completion's text, ``Fail(message)`` for a failed line, or ``UNFINISHED`` for a request an
expired batch never ran. Counters say how many uploads and batch creations there were.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast

import httpx
import openai

NAME = re.compile(r"^- (?:Nom|Name) ?: (.+)$", re.MULTILINE)
DEFAULT_SCRIPT = ("validating", "in_progress", "finalizing", "completed")


@dataclass(frozen=True)
class Fail:
    message: str
    status: int = 400


UNFINISHED = object()
Answerer = Callable[[dict[str, Any]], "str | Fail | object"]


def product_name(body: dict[str, Any]) -> str:
    for message in body["messages"]:
        found = NAME.search(message["content"])
        if found:
            return found.group(1).strip()
    return "Produit"


def echo_title(body: dict[str, Any]) -> str:
    """A title that passes the rules: the product's own name, read back from the prompt."""
    return json.dumps({"title": product_name(body)})


@dataclass
class FakeBatchAPI:
    answer: Answerer = echo_title
    script: tuple[str, ...] = DEFAULT_SCRIPT
    files: dict[str, dict[str, Any]] = field(default_factory=dict)
    batches: dict[str, dict[str, Any]] = field(default_factory=dict)
    uploads: int = 0
    creations: int = 0
    steps: dict[str, int] = field(default_factory=dict)
    scripts: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: raise this (once) on the next call to the named route: "upload", "create", "retrieve"
    crash: dict[str, BaseException] = field(default_factory=dict)

    def client(self) -> openai.OpenAI:
        http = httpx.Client(transport=httpx.MockTransport(self.handle))
        return openai.OpenAI(
            api_key="sk-test", base_url="https://api.test/v1", max_retries=0, http_client=cast(Any, http)
        )

    # -- routes ----------------------------------------------------------------------------

    def handle(self, request: httpx.Request) -> httpx.Response:
        path, method = request.url.path.removeprefix("/v1"), request.method
        if method == "POST" and path == "/files":
            return self._upload(request)
        if method == "GET" and path == "/files":
            data = [self._file_object(i) for i in self.files]
            return httpx.Response(200, json={"object": "list", "data": data, "has_more": False})
        if method == "GET" and path.startswith("/files/") and path.endswith("/content"):
            return httpx.Response(200, content=self.files[path.split("/")[2]]["content"])
        if method == "POST" and path == "/batches":
            return self._create(json.loads(request.content))
        if method == "GET" and path == "/batches":
            data = list(reversed(self.batches.values()))
            return httpx.Response(200, json={"object": "list", "data": data, "has_more": False})
        if method == "GET" and path.startswith("/batches/"):
            return self._retrieve(path.split("/")[2])
        return httpx.Response(404, json={"error": {"message": f"no route {method} {path}"}})

    def _maybe_crash(self, route: str) -> None:
        if route in self.crash:
            raise self.crash.pop(route)

    def _upload(self, request: httpx.Request) -> httpx.Response:
        boundary = request.headers["content-type"].split("boundary=")[1].encode()
        filename, content, purpose = "", b"", ""
        for part in request.content.split(b"--" + boundary):
            head, _, body = part.partition(b"\r\n\r\n")
            body = body.removesuffix(b"\r\n")
            if b'name="file"' in head:
                found = re.search(rb'filename="([^"]*)"', head)
                filename = found.group(1).decode() if found else ""
                content = body
            elif b'name="purpose"' in head:
                purpose = body.decode()
        self.uploads += 1
        file_id = f"file-{len(self.files) + 1}"
        self.files[file_id] = {"filename": filename, "content": content, "purpose": purpose}
        self._maybe_crash("upload")  # the upload happened; the caller never hears of it
        return httpx.Response(200, json=self._file_object(file_id))

    def _file_object(self, file_id: str) -> dict[str, Any]:
        entry = self.files[file_id]
        return {
            "id": file_id,
            "object": "file",
            "bytes": len(entry["content"]),
            "created_at": 1,
            "filename": entry["filename"],
            "purpose": entry["purpose"] or "batch",
            "status": "processed",
        }

    def _create(self, payload: dict[str, Any]) -> httpx.Response:
        self.creations += 1
        batch_id = f"batch_{len(self.batches) + 1}"
        lines = self.requests_of(payload["input_file_id"])
        self.batches[batch_id] = {
            "id": batch_id,
            "object": "batch",
            "endpoint": payload["endpoint"],
            "input_file_id": payload["input_file_id"],
            "completion_window": payload["completion_window"],
            "status": self.script[0],
            "created_at": 1,
            "metadata": payload.get("metadata"),
            "request_counts": {"total": len(lines), "completed": 0, "failed": 0},
            "output_file_id": None,
            "error_file_id": None,
            "errors": None,
        }
        self.steps[batch_id] = 0
        self.scripts[batch_id] = self.script  # a batch keeps the script it was created under
        self._maybe_crash("create")
        return httpx.Response(200, json=self.batches[batch_id])

    def requests_of(self, file_id: str) -> list[dict[str, Any]]:
        content = self.files[file_id]["content"].decode("utf-8")
        return [json.loads(line) for line in content.splitlines() if line.strip()]

    def _retrieve(self, batch_id: str) -> httpx.Response:
        self._maybe_crash("retrieve")
        batch = self.batches[batch_id]
        if batch["status"] not in ("completed", "expired", "failed", "cancelled"):
            self.steps[batch_id] += 1
            script = self.scripts[batch_id]
            batch["status"] = script[min(self.steps[batch_id], len(script) - 1)]
            if batch["status"] == "in_progress":
                batch["request_counts"]["completed"] = batch["request_counts"]["total"] // 2
            if batch["status"] in ("completed", "expired"):
                self._finish(batch)
            if batch["status"] == "failed":
                error = {
                    "code": "token_limit_exceeded",
                    "message": "Enqueued token limit reached.",
                    "line": None,
                }
                batch["errors"] = {"object": "list", "data": [error]}
        return httpx.Response(200, json=batch)

    def _finish(self, batch: dict[str, Any]) -> None:
        output, failed = [], []
        for number, request in enumerate(self.requests_of(batch["input_file_id"])):
            given = self.answer(request["body"])
            line: dict[str, Any] = {"id": f"req_{number}", "custom_id": request["custom_id"]}
            if given is UNFINISHED or (batch["status"] == "expired" and number % 2):
                line["response"] = None
                line["error"] = {
                    "code": "batch_expired",
                    "message": "This request could not be executed before the completion window expired.",
                }
                failed.append(line)
            elif isinstance(given, Fail):
                line["response"] = {
                    "status_code": given.status,
                    "request_id": "r",
                    "body": {"error": {"message": given.message, "type": "invalid_request_error"}},
                }
                line["error"] = None
                failed.append(line)
            else:
                line["response"] = {
                    "status_code": 200,
                    "request_id": "r",
                    "body": chat(str(given), request["body"]),
                }
                line["error"] = None
                output.append(line)
        batch["request_counts"].update(completed=len(output), failed=len(failed))
        batch["output_file_id"] = self._store_file(output, "batch_output") if output else None
        batch["error_file_id"] = self._store_file(failed, "batch_output") if failed else None

    def _store_file(self, lines: list[dict[str, Any]], purpose: str) -> str:
        file_id = f"file-{len(self.files) + 1}"
        content = "".join(json.dumps(line) + "\n" for line in lines).encode()
        self.files[file_id] = {"filename": f"{file_id}.jsonl", "content": content, "purpose": purpose}
        return file_id


def chat(text: str, body: dict[str, Any], finish: str = "stop") -> dict[str, Any]:
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 1,
        "model": body.get("model", "gpt-4.1-mini"),
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": finish}],
        "usage": {"prompt_tokens": 100, "completion_tokens": 10, "total_tokens": 110},
    }
