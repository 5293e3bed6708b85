"""OpenAI and OpenAI-compatible servers through the ``openai`` SDK.

This module and ``local.py`` are the only places that import a provider library; every
provider exception is translated into a copyassist error by ``openai_errors.translate_error``.
"""

from __future__ import annotations

import json
import logging
import ssl
from dataclasses import replace
from typing import Any, Literal, cast

import httpx
import openai

from copyassist import errors
from copyassist.backends.async_pool import AsyncClientPool
from copyassist.backends.base import STRUCTURED_MODES, Choice, Completion, Prompt, StructuredMode, Usage
from copyassist.backends.choices import (
    Answer,
    aseparate_calls,
    combined,
    refuses_choices,
    separate_calls,
    split_usage,
)
from copyassist.backends.openai_errors import limit_headers, translate_error
from copyassist.backends.request import build_request, encoded
from copyassist.backends.retry import RetryPolicy, acall_with_retries, call_with_retries
from copyassist.backends.transport import AIOHTTP_CONNECTIONS, HttpChoice, async_http_client, http_choice
from copyassist.redact import redact

DEFAULT_TIMEOUT = 120.0
CONNECT_TIMEOUT = 10.0
#: What ``chat.completions.create`` passes the SDK's ``post`` besides the body: bearer auth.
_POST_OPTIONS: Any = {"security": {"bearer_auth": True}}

logger = logging.getLogger(__name__)


class _ChoicesRefused(errors.BadRequestError):
    """The server refused ``n``: the choices are asked for one call each (never retried)."""


class OpenAIBackend:
    """Chat completions on OpenAI (``name="openai"``) or a compatible server (``"compatible"``).

    ``structured`` is the structured-output mode; ``None`` picks ``json_schema`` and, on a
    compatible server that refuses it, steps down the modes once and remembers what worked.
    Every request is built for the mode it goes out in (``request``), so a step-down changes
    the prompt's format instruction along with the ``response_format``.

    Several answers (``Prompt.choices``) are one call with ``n``; a server that refuses ``n`` or
    answers with fewer choices makes the backend ask one call per answer from then on.
    ``http`` is the async calls' HTTP client: ``"httpx"``, ``"aiohttp"`` (less CPU per call; its
    sessions warn if ``aclose`` is not awaited), or ``"auto"`` (``transport.http_choice``: aiohttp
    when installed, unless ``COPYASSIST_HTTP=httpx``). Batch runs, which close what they open,
    use ``"auto"``.
    """

    def __init__(
        self,
        *,
        name: str = "openai",
        model: str,
        api_key: str | None = None,
        base_url: str | None = None,
        structured: StructuredMode | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        http: HttpChoice | Literal["auto"] = "httpx",
    ) -> None:
        self.name = name
        self.model = model
        self._api_key = api_key or "not-needed"
        self._secrets = (api_key,)  # masked out of every provider message (see redact)
        self._base_url = base_url
        self._timeout = timeout
        self._http_timeout = httpx.Timeout(timeout, connect=min(CONNECT_TIMEOUT, timeout))
        self._mode: StructuredMode = structured or "json_schema"
        self._mode_fixed = structured is not None or name == "openai"
        self.retry = retry or RetryPolicy()
        self.one_choice_per_call = False  # set once the server has refused n
        self._client: openai.OpenAI | None = None
        self._tls: ssl.SSLContext | None = None
        self._aclients: AsyncClientPool[openai.AsyncOpenAI] = AsyncClientPool(
            self._open_aclient, lambda client: client.close()
        )
        #: the async calls' HTTP client (``transport``); None: chosen at the first async call
        self._http: HttpChoice | None = None if http == "auto" else http
        if self._http == "aiohttp":  # one client holds every call: no sharding needed
            self._aclients.per_client = AIOHTTP_CONNECTIONS

    def __repr__(self) -> str:  # never shows the key
        return f"OpenAIBackend(name={self.name!r}, model={self.model!r}, base_url={self._base_url!r})"

    @property
    def http(self) -> HttpChoice | Literal["auto"]:
        """The async calls' HTTP client: ``"auto"`` until the first async call has chosen it."""
        return self._http or "auto"

    @property
    def structured_mode(self) -> StructuredMode:
        return self._mode

    @property
    def client(self) -> openai.OpenAI:
        if self._client is None:
            # An explicit httpx client: openai 3.x defaults to httpx2 (and types its parameter
            # so), which respx cannot intercept; it drives an httpx client all the same.
            # SDK retries are off: RetryPolicy is the only retry layer.
            self._client = openai.OpenAI(
                api_key=self._api_key,
                base_url=self._base_url,
                max_retries=0,
                timeout=self._timeout,
                http_client=cast(Any, httpx.Client(timeout=self._http_timeout)),
            )
        return self._client

    def _open_aclient(self, connections: int) -> openai.AsyncOpenAI:
        if self._tls is None:  # one TLS context for every client: building one takes 20 ms of CPU
            self._tls = httpx.create_ssl_context()
        connect = min(CONNECT_TIMEOUT, self._timeout)
        http = async_http_client(self._http or "httpx", connections, self._timeout, connect, self._tls)
        return openai.AsyncOpenAI(
            api_key=self._api_key,
            base_url=self._base_url,
            max_retries=0,
            timeout=self._timeout,
            http_client=cast(Any, http),
        )

    def request(self, prompt: Prompt, mode: StructuredMode | None = None) -> dict[str, Any]:
        """The body this backend sends for ``prompt`` in ``mode`` (default: its current mode)."""
        # OpenAI's newer models only take max_completion_tokens; servers mostly max_tokens.
        key = "max_completion_tokens" if self.name == "openai" else "max_tokens"
        return build_request(prompt, mode or self._mode).body(self.model, max_tokens_key=key)

    def encoded_request(self, prompt: Prompt, mode: StructuredMode | None = None) -> bytes:
        """``request`` as the JSON bytes sent: what the SDK's ``create`` would send for it."""
        return encoded(self.request(prompt, mode))

    def _encoded_once(
        self, bodies: dict[StructuredMode, bytes], prompt: Prompt, mode: StructuredMode
    ) -> bytes:
        if mode not in bodies:  # a retry sends the bytes already built
            bodies[mode] = self.encoded_request(prompt, mode)
        return bodies[mode]

    def complete(self, prompt: Prompt, *, retry: RetryPolicy | None = None) -> Completion:
        if prompt.choices > 1 and self.one_choice_per_call:
            return combined(
                separate_calls(lambda p: self.complete(p, retry=retry), prompt, prompt.choices), self.model
            )
        bodies: dict[StructuredMode, bytes] = {}  # built once per mode, whatever the retries

        def send() -> Any:
            while True:  # again only after a step-down: the request is built anew for the new mode
                mode = self._mode
                try:
                    body = self._encoded_once(bodies, prompt, mode)
                    # the SDK's own post, the body already JSON: no per-call transform of the
                    # arguments, no response model; its status checks and errors all the same
                    return self.client.post(
                        "/chat/completions", cast_to=httpx.Response, content=body, options=_POST_OPTIONS
                    )
                except openai.OpenAIError as exc:
                    self._raise_unless_stepped_down(exc, mode, prompt)

        try:
            response = call_with_retries(send, self.retry if retry is None else retry)
        except _ChoicesRefused:
            return self.complete(prompt, retry=retry)
        completion = self._accepted(response)
        missing = prompt.choices - max(1, len(completion.choices))
        if missing <= 0:
            return completion
        self.one_choice_per_call = True
        more = separate_calls(
            lambda p: self.complete(p, retry=retry), prompt, missing, prompt.choices - missing
        )
        return combined([*self._answers(completion), *more], completion.model)

    async def acomplete(self, prompt: Prompt, *, retry: RetryPolicy | None = None) -> Completion:
        if prompt.choices > 1 and self.one_choice_per_call:
            calls = await aseparate_calls(lambda p: self.acomplete(p, retry=retry), prompt, prompt.choices)
            return combined(calls, self.model)
        if self._http is None:
            self._http = http_choice()
            if self._http == "aiohttp":
                self._aclients.per_client = AIOHTTP_CONNECTIONS
        bodies: dict[StructuredMode, bytes] = {}

        async def send() -> Any:
            while True:
                mode = self._mode
                try:
                    body = self._encoded_once(bodies, prompt, mode)
                    async with self._aclients.client() as sdk:
                        return await sdk.post(
                            "/chat/completions", cast_to=httpx.Response, content=body, options=_POST_OPTIONS
                        )
                except openai.OpenAIError as exc:
                    self._raise_unless_stepped_down(exc, mode, prompt)

        try:
            response = await acall_with_retries(send, self.retry if retry is None else retry)
        except _ChoicesRefused:
            return await self.acomplete(prompt, retry=retry)
        completion = self._accepted(response)
        missing = prompt.choices - max(1, len(completion.choices))
        if missing <= 0:
            return completion
        self.one_choice_per_call = True
        more = await aseparate_calls(
            lambda p: self.acomplete(p, retry=retry), prompt, missing, prompt.choices - missing
        )
        return combined([*self._answers(completion), *more], completion.model)

    @staticmethod
    def _answers(completion: Completion) -> list[Answer]:
        if completion.choices:
            return list(completion.choices)
        return [Choice(completion.text, completion.finish_reason, completion.usage)]

    def close(self) -> None:
        if self._client is not None:
            self._client.close()

    async def aclose(self) -> None:
        """Close the async clients; call it on the event loop that used them."""
        await self._aclients.aclose()

    def _raise_unless_stepped_down(
        self, exc: openai.OpenAIError, refused: StructuredMode, prompt: Prompt
    ) -> None:
        """Raise the copyassist error for ``exc``, unless it refused the structured-output mode
        and there is another mode to try (then the caller sends again, in that mode). A refusal
        of ``n`` is ``_ChoicesRefused``, before any step-down: the mode was not what it refused."""
        error = translate_error(exc, self._secrets)
        if prompt.choices > 1 and refuses_choices(error):
            logger.debug("%s refused n=%d; asking one call per answer from now on", self.name, prompt.choices)
            self.one_choice_per_call = True
            raise _ChoicesRefused(str(error), status_code=getattr(error, "status_code", None)) from None
        if not (isinstance(error, errors.BadRequestError) and self._step_down(refused)):
            # not chained: the SDK's exception holds the provider's unmasked text and the
            # request's Authorization header, and a traceback would print the first
            raise error from None

    def _step_down(self, refused: StructuredMode) -> bool:
        """After a refused first request, move to the next structured-output mode, once each.

        Concurrent calls refused in the same mode step down once between them: a call whose
        mode another one has already left is sent again in the mode now in force."""
        if self._mode != refused:
            return True
        if self._mode_fixed:
            return False
        position = STRUCTURED_MODES.index(self._mode)
        if position + 1 >= len(STRUCTURED_MODES):
            return False
        self._mode = STRUCTURED_MODES[position + 1]
        logger.debug(
            "%s refused structured-output mode %s; stepping down to %s",
            self.name, refused, self._mode,
        )  # fmt: skip
        return True

    def _accepted(self, raw: Any) -> Completion:
        self._mode_fixed = True  # the server took this mode: keep it for the calls that follow
        return self._completion(raw)

    def _completion(self, raw: Any) -> Completion:
        """The Completion of a chat answer (the HTTP response), read as plain JSON; several
        choices (``n``) become one Completion with every answer in ``choices``."""
        headers = limit_headers(raw.headers)
        try:
            response = json.loads(raw.content)
            choices = response.get("choices") if isinstance(response, dict) else None
        except ValueError:  # UnicodeDecodeError too
            choices = None
        if not isinstance(choices, list):
            raise errors.ServerError(f"{self.name}: the server's answer is not a chat completion")
        if not choices or not all(isinstance(c, dict) for c in choices):
            raise errors.ServerError(f"{self.name}: the server answered with no choices")
        tokens: dict[str, Any] = response["usage"] if isinstance(response.get("usage"), dict) else {}
        usage = Usage(_count(tokens.get("prompt_tokens")), _count(tokens.get("completion_tokens")))
        model = str(response.get("model") or self.model)
        if len(choices) == 1:
            text = self._checked(choices[0], usage)
            return Completion(text, model, usage, _finish_reason(choices[0]), headers)
        ordered = sorted(choices, key=lambda c: c["index"] if isinstance(c.get("index"), int) else 0)
        shares = split_usage(usage, [_content(c) for c in ordered])
        answers: list[Answer] = []
        for choice, share in zip(ordered, shares, strict=True):
            try:
                answers.append(Choice(self._checked(choice, share), _finish_reason(choice), share))
            except (errors.ContentFilterError, errors.OutputTruncatedError) as failed:
                answers.append(failed)
        return replace(combined(answers, model), rate_limits=headers)

    def _checked(self, choice: dict[str, Any], usage: Usage) -> str:
        """The text of one choice, or the error of an answer filtered, refused or cut off."""
        message: dict[str, Any] = choice["message"] if isinstance(choice.get("message"), dict) else {}
        text = message.get("content") or ""
        if not isinstance(text, str):
            raise errors.ServerError(f"{self.name}: the server's answer has no text content")
        finish_reason = _finish_reason(choice)
        if finish_reason == "content_filter":
            raise errors.ContentFilterError(
                f"{self.name}: the provider's content filter stopped the answer; "
                "reword the product data or the template",
                usage=usage,
            )
        if message.get("refusal"):
            refusal = redact(" ".join(str(message["refusal"]).split()), self._secrets)
            raise errors.ContentFilterError(f"{self.name}: the model refused: {refusal}", usage=usage)
        if finish_reason == "length":
            raise errors.OutputTruncatedError(
                f"{self.name}: the answer hit max_tokens before it was complete; "
                "raise max_tokens or ask for shorter copy",
                partial_output=text,
                usage=usage,
            ).with_hint("max_tokens")
        return text


def _finish_reason(choice: dict[str, Any]) -> str | None:
    reason = choice.get("finish_reason")
    return reason if isinstance(reason, str) else None


def _content(choice: dict[str, Any]) -> str:
    message = choice.get("message")
    text = message.get("content") if isinstance(message, dict) else None
    return text if isinstance(text, str) else ""


def _count(value: Any) -> int:
    return value if isinstance(value, int) and value > 0 else 0
