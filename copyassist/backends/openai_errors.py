"""The one boundary where ``openai`` SDK exceptions become copyassist errors
(``translate_error``), and what a refusal's headers say: the rate-limit headers passed on to the
batch limiter, and ``retry-after``."""

from __future__ import annotations

import email.utils
import logging
import time
from collections.abc import Iterable, Mapping

import openai

from copyassist import errors
from copyassist.redact import redact

#: Response headers passed on to callers that pace themselves (the batch rate limiter).
_LIMIT_HEADERS = ("x-ratelimit-", "retry-after")

logger = logging.getLogger("copyassist.backends.openai_backend")


def limit_headers(headers: Mapping[str, str]) -> dict[str, str]:
    return {k: v for k, v in headers.items() if k.lower().startswith(_LIMIT_HEADERS)}


def _retry_after(headers: Mapping[str, str]) -> float | None:
    if "retry-after-ms" in headers:
        try:
            return float(headers["retry-after-ms"]) / 1000
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        parsed = email.utils.parsedate_to_datetime(value)
        return max(0.0, parsed.timestamp() - time.time()) if parsed else None


def translate_error(exc: openai.OpenAIError, secrets: Iterable[str | None] = ()) -> errors.CopyAssistError:
    """The copyassist error for an SDK exception: the one boundary where they are mapped.

    Every bit of provider text in the message goes through ``redact``: ``secrets`` (the
    configured key) and anything shaped like a key are masked, since some providers echo the
    key they refused, and the message is written to stderr, the store and the output."""
    # the SDK's aiohttp transport reports a refused or dropped connection as a connect timeout
    failed = _connection_failure(exc) if isinstance(exc, openai.APITimeoutError) else None
    if isinstance(exc, openai.APITimeoutError) and failed is None:
        return errors.ProviderTimeoutError(
            "the model server did not answer in time; try again or raise the timeout"
        )
    if isinstance(exc, openai.APIConnectionError):
        reason = redact(str(failed or exc.__cause__ or exc), secrets)
        return errors.ProviderConnectionError(
            f"cannot reach the model server ({reason}); check base_url / OPENAI_BASE_URL"
        ).with_hint("base_url")
    if not isinstance(exc, openai.APIStatusError):
        return errors.BackendError(f"model provider error: {redact(str(exc), secrets)}")
    status = exc.status_code
    code = getattr(exc, "code", None) or ""
    detail = redact(_message(exc), secrets)
    if status in (401, 403):
        return errors.AuthenticationError(
            f"the provider refused the API key ({status}: {detail}); check OPENAI_API_KEY",
            status_code=status,
        )
    if status == 429:
        retry_after = _retry_after(exc.response.headers)
        logger.debug("429 from the provider (retry-after %s s): %s", retry_after, detail)
        if code == "insufficient_quota" or "quota" in detail.lower():
            return errors.QuotaExceededError(
                f"the account's quota is used up ({detail}); check the provider's billing page",
                status_code=status,
            )
        return errors.RateLimitError(
            f"rate limited by the provider ({detail})",
            retry_after=retry_after,
            headers=limit_headers(exc.response.headers),
        )
    if "response_format" in detail:
        # llama.cpp's server answers an unsupported response_format with a 500; it is a
        # refusal of the request's shape, not a failure worth retrying.
        return errors.BadRequestError(
            f"the server does not accept this structured-output mode ({status}: {detail})",
            status_code=status,
        )
    if status >= 500:
        return errors.ServerError(f"the model server failed ({status}: {detail})", status_code=status)
    if code == "content_filter" or "content management policy" in detail.lower():
        return errors.ContentFilterError(f"the provider's content filter refused the request ({detail})")
    if status == 404:
        return errors.BadRequestError(
            f"not found on the server ({detail}); check the model name (model=)",
            status_code=status,
        ).with_hint("model")
    return errors.BadRequestError(f"the server refused the request ({status}: {detail})", status_code=status)


def _connection_failure(exc: BaseException) -> BaseException | None:
    """The failure under an SDK timeout error when it is not a timeout: a socket error, or an
    aiohttp connection error (refused, dropped), which the aiohttp transport maps to a timeout."""
    seen: BaseException | None = exc.__cause__ or exc.__context__
    for _ in range(8):  # a chain of a few causes at most
        if seen is None:
            return None
        from_aiohttp = type(seen).__module__.startswith("aiohttp")
        if not isinstance(seen, TimeoutError) and (isinstance(seen, OSError) or from_aiohttp):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def _message(exc: openai.APIStatusError) -> str:
    """The provider's own explanation, on one line and of bounded length."""
    body = exc.body
    text = str(exc.message)
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and inner.get("message"):
            text = str(inner["message"])
        elif isinstance(body.get("detail"), str):
            text = str(body["detail"])
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= 300 else one_line[:299] + "…"
