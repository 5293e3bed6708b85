"""Every error copyassist raises on purpose.

    CopyAssistError                 root: catch this to catch everything below
    ├── ConfigError                 no usable backend, a missing key, a bad setting
    ├── AssetError                  a template or persona could not be found or loaded
    │   ├── TemplateError           unknown template, bad front matter, render failure
    │   └── PersonaError            unknown persona, invalid or unsafe persona YAML
    ├── InputError                  product data missing a required field or unreadable
    ├── StorageError                the output file or the result store could not be written
    ├── BackendError                the model provider failed (translated at the backend boundary)
    │   ├── AuthenticationError     key refused (401/403): fix the key, do not retry
    │   ├── QuotaExceededError      billing quota exhausted: do not retry
    │   ├── RateLimitError          429: retry after ``retry_after`` seconds
    │   ├── ProviderTimeoutError    the request took too long (also a builtin TimeoutError)
    │   ├── ProviderConnectionError the server could not be reached (also a builtin ConnectionError)
    │   ├── ServerError             5xx from the provider
    │   ├── BadRequestError         the request was refused as malformed (400/404/422)
    │   ├── ContentFilterError      the provider's content filter stopped the answer
    │   └── OutputTruncatedError    the answer hit max_tokens before it was complete
    ├── OutputError                 the model's answers never parsed or validated; carries the
    │                               attempts made, the last raw output and what they cost
    └── CostCapReached              the next call could cross max_cost: it was not sent

Errors carry context as attributes (``path``, ``attempts``, ``last_output``...) and their
message is one line that says what to do next, which is what the CLI prints. ``usage`` is what
the failed work had already cost (the answered calls of a generation, a cut-off or filtered
answer): a failed row's tokens are paid all the same, and counted.

The first names of those two, ``TimeoutError`` and ``ConnectionError``, shadowed the builtins;
they still work as deprecated aliases: ``copyassist.TimeoutError`` (or
``copyassist.errors.TimeoutError``) is ``ProviderTimeoutError``, with a DeprecationWarning.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Self


class CopyAssistError(Exception):
    """Root of every copyassist error."""

    exit_code = 1
    #: The keyword arguments (``"base_url"``, ``"max_tokens"``...) that would fix this error; the
    #: CLI names their flags. The message itself names the library's setting, never a flag.
    hint_options: tuple[str, ...] = ()
    #: the tokens already paid for by the work that raised this (a ``backends.Usage``; typed
    #: object since backends import this module); None when nothing was paid
    usage: object = None

    def with_hint(self, *options: str) -> Self:
        """Name the keyword arguments that fix this error: ``raise ConfigError(...).with_hint("model")``."""
        self.hint_options = options
        return self


class ConfigError(CopyAssistError):
    exit_code = 2


class AssetError(CopyAssistError):
    exit_code = 2


class TemplateError(AssetError):
    pass


class PersonaError(AssetError):
    def __init__(self, message: str, *, path: str | None = None) -> None:
        super().__init__(message)
        self.path = path


class InputError(CopyAssistError):
    exit_code = 2


class StorageError(CopyAssistError):
    """A disk or file-system failure while writing (disk full, folder gone read-only)."""


class BackendError(CopyAssistError):
    exit_code = 3
    retryable = False

    def __init__(self, message: str, *, status_code: int | None = None, usage: object = None) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.usage = usage


class AuthenticationError(BackendError):
    pass


class QuotaExceededError(BackendError):
    pass


class RateLimitError(BackendError):
    retryable = True

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = 429,
        retry_after: float | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message, status_code=status_code)
        self.retry_after = retry_after
        #: the 429's own ``x-ratelimit-*`` / ``retry-after`` headers: what a rate limiter learns from
        self.headers: dict[str, str] = dict(headers or {})


class ProviderTimeoutError(BackendError, TimeoutError):
    retryable = True


class ProviderConnectionError(BackendError, ConnectionError):
    retryable = True


class ServerError(BackendError):
    retryable = True


class BadRequestError(BackendError):
    pass


class ContentFilterError(BackendError):
    pass


class OutputTruncatedError(BackendError):
    def __init__(self, message: str, *, partial_output: str = "", usage: object = None) -> None:
        super().__init__(message, usage=usage)  # the tokens the cut-off answer still cost
        self.partial_output = partial_output


class OutputError(CopyAssistError):
    exit_code = 4

    def __init__(self, message: str, *, attempts: int, last_output: str, usage: object = None) -> None:
        super().__init__(message)
        self.attempts = attempts
        self.last_output = last_output
        self.usage = usage  # every attempt's tokens: the answers were paid for, if not usable


class CostCapReached(CopyAssistError):
    exit_code = 3

    def __init__(self, message: str, *, limit: float) -> None:
        super().__init__(message)
        self.limit = limit


def one_line(exc: BaseException, limit: int = 300) -> str:
    """``exc`` as one short line: a copyassist error's own message, any other error's type first
    (``RecursionError: maximum recursion depth exceeded``)."""
    text = " ".join(str(exc).split())
    if not isinstance(exc, CopyAssistError):
        text = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"


#: old name -> new name; the old names shadowed the builtins
DEPRECATED_NAMES = {"TimeoutError": "ProviderTimeoutError", "ConnectionError": "ProviderConnectionError"}


def deprecated_alias(name: str, module: str) -> type[BackendError]:
    """The error an old name stands for, with a DeprecationWarning at the caller's line."""
    new = DEPRECATED_NAMES[name]
    warnings.warn(
        f"{module}.{name} is deprecated: use {module}.{new} (the old name shadows the builtin {name})",
        DeprecationWarning,
        stacklevel=3,
    )
    error: type[BackendError] = globals()[new]
    return error


def __getattr__(name: str) -> type[BackendError]:
    if name in DEPRECATED_NAMES:
        return deprecated_alias(name, __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
