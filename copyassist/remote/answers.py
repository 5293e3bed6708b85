"""Answers from a batch engine's output lines, kept as plain JSON and turned back into what a live
call returns: a ``Completion``, or the error the call would have raised.

An output line (OpenAI's Batch API and vLLM's ``run_batch`` alike) is ``{"id", "custom_id",
"response": {"status_code", "request_id", "body"}, "error"}``, the body a chat completion. It is
read the way ``OpenAIBackend`` reads a live response: the first choice's text and the usage; a
content filter or a refusal is a ``ContentFilterError``, an answer cut at ``max_tokens`` an
``OutputTruncatedError`` (which the attempts answer with a shorter re-ask). A line that failed
(an ``error``, or a status other than 200) is a ``BatchLineError``: the row fails with it.

Kept shape (``Answer``): ``{"kind": "ok" | "truncated" | "filtered" | "failed", "text",
"model", "input_tokens", "output_tokens", "finish_reason", "error"}``.
"""

from __future__ import annotations

from typing import Any

from copyassist import errors
from copyassist.backends.base import Completion, Usage
from copyassist.prices import estimate_cost
from copyassist.redact import redact

Answer = dict[str, Any]

#: error codes of a line that was never run (its batch expired or was cancelled): sent again
UNFINISHED_CODES = frozenset({"batch_expired", "batch_cancelled"})


class BatchLineError(errors.BackendError):
    """A request of a batch failed at the engine; its row fails with the engine's message."""


def _one_line(text: object, limit: int = 300) -> str:
    flat = " ".join(str(text).split())
    return redact(flat if len(flat) <= limit else flat[: limit - 1] + "…")


def _error_text(error: Any) -> str:
    if isinstance(error, dict):
        inner = error.get("error", error)
        if isinstance(inner, dict):
            code, message = inner.get("code"), inner.get("message")
            return _one_line(f"{code}: {message}" if code and message else message or code or inner)
        return _one_line(inner)
    return _one_line(error)


def from_response(body: dict[str, Any]) -> Answer:
    """A chat completion's body, as kept."""
    usage = body.get("usage") or {}
    tokens = {
        "input_tokens": int(usage.get("prompt_tokens") or 0),
        "output_tokens": int(usage.get("completion_tokens") or 0),
    }
    choices = body.get("choices") or []
    if not choices:
        return {"kind": "failed", "error": "the engine answered with no choices", **tokens}
    choice = choices[0]
    message = choice.get("message") or {}
    text = message.get("content") or ""
    finish = choice.get("finish_reason")
    model = body.get("model")
    if finish == "content_filter":
        return {"kind": "filtered", "error": "the provider's content filter stopped the answer", **tokens}
    if message.get("refusal"):
        return {"kind": "filtered", "error": f"the model refused: {_one_line(message['refusal'])}", **tokens}
    kind = "truncated" if finish == "length" else "ok"
    return {"kind": kind, "text": text, "model": model, "finish_reason": finish, **tokens}


def from_output_line(line: dict[str, Any]) -> tuple[str, Answer | None]:
    """(custom_id, answer) of one output or error line; answer None for a request its batch
    never ran (expired, cancelled): it is to be sent again."""
    custom = str(line.get("custom_id") or "")
    error = line.get("error")
    response = line.get("response")
    if error:
        code = error.get("code") if isinstance(error, dict) else None
        if code in UNFINISHED_CODES:
            return custom, None
        return custom, {"kind": "failed", "error": _error_text(error)}
    if not isinstance(response, dict):
        return custom, {"kind": "failed", "error": "the line holds neither a response nor an error"}
    body = response.get("body") if "body" in response else response
    status = response.get("status_code", 200)
    if status != 200 or not isinstance(body, dict):
        return custom, {"kind": "failed", "error": f"status {status}: {_error_text(body)}"}
    return custom, from_response(body)


def from_completion(completion: Completion) -> Answer:
    """A live call's answer (a repair made live), as kept."""
    return {
        "kind": "ok",
        "text": completion.text,
        "model": completion.model,
        "finish_reason": completion.finish_reason,
        "input_tokens": completion.usage.input_tokens,
        "output_tokens": completion.usage.output_tokens,
    }


def from_error(error: errors.CopyAssistError) -> Answer:
    """A live call's error, as kept: a cut-off answer goes on to its re-ask, others fail the row."""
    usage = error.usage if isinstance(error.usage, Usage) else Usage()
    tokens = {"input_tokens": usage.input_tokens, "output_tokens": usage.output_tokens}
    if isinstance(error, errors.OutputTruncatedError):
        return {"kind": "truncated", "text": error.partial_output, "model": None, **tokens}
    kind = "filtered" if isinstance(error, errors.ContentFilterError) else "failed"
    return {"kind": kind, "error": _one_line(error), **tokens}


def usage_of(answer: Answer) -> Usage:
    return Usage(int(answer.get("input_tokens") or 0), int(answer.get("output_tokens") or 0))


def cost_of(answer: Answer, model: str, *, batch: bool, local: bool = False) -> float | None:
    """What the answer was billed: at batch rates for a batch line, None for an unpriced model."""
    usage = usage_of(answer)
    if local:
        return 0.0
    return estimate_cost(answer.get("model") or model, usage.input_tokens, usage.output_tokens, batch=batch)


def as_call_result(answer: Answer, model: str) -> Completion | errors.CopyAssistError:
    """What the live call would have returned (a Completion) or raised (the error)."""
    usage = usage_of(answer)
    kind = answer.get("kind")
    if kind == "ok":
        return Completion(
            str(answer.get("text") or ""),
            str(answer.get("model") or model),
            usage,
            answer.get("finish_reason"),
        )
    if kind == "truncated":
        return errors.OutputTruncatedError(
            "the answer hit max_tokens before it was complete; raise max_tokens or ask for shorter copy",
            partial_output=str(answer.get("text") or ""),
            usage=usage,
        ).with_hint("max_tokens")
    if kind == "filtered":
        return errors.ContentFilterError(str(answer.get("error")), usage=usage)
    return BatchLineError(f"the batch request failed: {answer.get('error')}", usage=usage)
