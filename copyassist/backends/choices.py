"""Several answers to one prompt: ``n`` choices in one call, or as many calls when a backend has no ``n``.

A backend that sends ``n`` gets one usage for the whole call: ``split_usage`` shares it out
among the choices (the prompt evenly, the answer by each choice's length), so that what each
candidate is said to cost adds up to what the call cost. A backend without ``n`` (the embedded
model, a server that refuses it) makes ``separate_calls``: each on its own seed when the prompt
has one, since the same seed would buy the same answer again.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace

from copyassist import errors
from copyassist.backends.base import Choice, Completion, Prompt, Usage

#: What a server says when it refuses ``n``: vLLM and OpenAI name the parameter, llama.cpp's
#: server says "Only one completion choice is allowed".
_REFUSES_N = re.compile(r"(?<![\w-])['\"`]?n['\"`]?(?![\w-])|\bchoices?\b", re.IGNORECASE)


def refuses_choices(error: errors.CopyAssistError) -> bool:
    """Whether ``error`` (the answer to a request with ``n``) is the server refusing ``n``."""
    message = str(error)
    return (
        isinstance(error, errors.BadRequestError)
        and "response_format" not in message
        and bool(_REFUSES_N.search(message.split("(", 1)[-1]))
    )


def _shares(total: int, weights: Sequence[int]) -> list[int]:
    """``total`` shared in proportion to ``weights`` (evenly if they are all 0), summing exactly."""
    count = len(weights)
    if sum(weights) <= 0:
        weights = [1] * count
    whole = sum(weights)
    exact = [total * w / whole for w in weights]
    shares = [int(x) for x in exact]
    by_remainder = sorted(range(count), key=lambda i: (shares[i] - exact[i], i))
    for index in by_remainder[: total - sum(shares)]:
        shares[index] += 1
    return shares


def split_usage(usage: Usage, texts: Sequence[str]) -> list[Usage]:
    """One call's usage shared among its choices: the prompt evenly, the answer by length."""
    inputs = _shares(usage.input_tokens, [1] * len(texts))
    outputs = _shares(usage.output_tokens, [len(t) for t in texts])
    return [Usage(i, o) for i, o in zip(inputs, outputs, strict=True)]


def one_of(prompt: Prompt, index: int) -> Prompt:
    """The single-answer prompt of choice ``index``: its own seed, when the prompt has one."""
    params = dict(prompt.params)
    seed = params.get("seed")
    if isinstance(seed, int) and index:
        params["seed"] = seed + 1000 * index  # clear of the re-asks' seed + 1, + 2...
    return replace(prompt, params=params, choices=1)


Answer = Completion | Choice | errors.CopyAssistError


def _as_choice(result: Answer) -> Choice:
    if isinstance(result, Choice):
        return result
    if isinstance(result, Completion):
        return Choice(result.text, result.finish_reason, result.usage)
    usage = result.usage if isinstance(result.usage, Usage) else Usage()
    if isinstance(result, errors.OutputTruncatedError):
        return Choice(result.partial_output or "", "length", usage)
    return Choice("", "content_filter", usage)


def combined(results: Sequence[Answer], model: str) -> Completion:
    """One completion of several single answers. A cut-off or filtered answer stays a choice
    (a cut-off one is re-asked shorter if it is chosen); when every one was filtered, the first
    one's error is raised, carrying what they all cost."""
    choices = tuple(_as_choice(r) for r in results)
    if all(isinstance(r, errors.ContentFilterError) for r in results):
        first = results[0]
        assert isinstance(first, errors.CopyAssistError)
        first.usage = sum((c.usage for c in choices), Usage())
        raise first
    head = next((r for r in results if isinstance(r, Completion)), None)
    return Completion(
        text=choices[0].text,
        model=head.model if head else model,
        usage=sum((c.usage for c in choices), Usage()),
        finish_reason=choices[0].finish_reason,
        rate_limits=head.rate_limits if head else {},
        choices=choices,
    )


_FAILED_CHOICE = (errors.OutputTruncatedError, errors.ContentFilterError)


def separate_calls(
    call: Callable[[Prompt], Completion], prompt: Prompt, count: int, start: int = 0
) -> list[Answer]:
    """``count`` single-answer calls for ``prompt`` (choices ``start``...); any other error than
    a cut-off or filtered answer ends them, carrying what the earlier ones cost."""
    results: list[Answer] = []
    for index in range(start, start + count):
        try:
            results.append(call(one_of(prompt, index)))
        except _FAILED_CHOICE as failed:
            results.append(failed)
        except errors.CopyAssistError as failed:
            _charge_earlier(failed, results)
            raise
    return results


async def aseparate_calls(
    call: Callable[[Prompt], Awaitable[Completion]], prompt: Prompt, count: int, start: int = 0
) -> list[Answer]:
    """The async twin of ``separate_calls`` (one call after the other: a row's share of the
    run's concurrency is one call)."""
    results: list[Answer] = []
    for index in range(start, start + count):
        try:
            results.append(await call(one_of(prompt, index)))
        except _FAILED_CHOICE as failed:
            results.append(failed)
        except errors.CopyAssistError as failed:
            _charge_earlier(failed, results)
            raise
    return results


def _charge_earlier(failed: errors.CopyAssistError, earlier: Sequence[Answer]) -> None:
    own = failed.usage if isinstance(failed.usage, Usage) else Usage()
    failed.usage = sum((_as_choice(r).usage for r in earlier), own)
