"""The HTTP client under the async SDK client: aiohttp when the SDK can use it, else httpx.

Measured on a local server (benchmarks/request_cpu.py, 2 cores): the SDK on its aiohttp
transport (``openai.DefaultAioHttpClient``, the ``openai[aiohttp]`` extra) spends about half the
CPU per call of the same SDK on httpx/httpcore, and one aiohttp client carries 64 calls at once
without the connection-pool bookkeeping that makes httpx clients want sharding
(``async_pool``). The SDK stays the one transport either way: its errors, status checks and
headers are the same.

``COPYASSIST_HTTP=httpx`` keeps httpx (what respx intercepts: the test suite sets it);
``aiohttp`` asks for aiohttp and fails if it is missing; unset or ``auto``, aiohttp when installed.
"""

from __future__ import annotations

import importlib
import os
import ssl
from functools import cache
from typing import Any, Literal

import httpx
import openai

from copyassist.errors import ConfigError

ENV_VAR = "COPYASSIST_HTTP"
HttpChoice = Literal["httpx", "aiohttp"]
#: connections of one aiohttp client: its pool costs the same whatever its size
AIOHTTP_CONNECTIONS = 64


@cache
def _aiohttp_client_class() -> Any | None:
    """``openai.DefaultAioHttpClient`` when it works here: the SDK has one and aiohttp is installed."""
    factory = getattr(openai, "DefaultAioHttpClient", None)
    if factory is None:
        return None
    try:  # the SDK's stand-in raises RuntimeError when aiohttp is missing; a real one opens nothing yet
        factory(verify=False)
    except (RuntimeError, ImportError):
        return None
    return factory


def http_choice() -> HttpChoice:
    """The HTTP client async calls go through, from ``COPYASSIST_HTTP`` and what is installed."""
    wanted = os.environ.get(ENV_VAR, "auto").strip().lower() or "auto"
    if wanted not in ("auto", "httpx", "aiohttp"):
        raise ConfigError(f"{ENV_VAR} must be auto, httpx or aiohttp, not {wanted!r}")
    if wanted == "httpx":
        return "httpx"
    if _aiohttp_client_class() is not None:
        return "aiohttp"
    if wanted == "aiohttp":
        raise ConfigError(f"{ENV_VAR}=aiohttp needs aiohttp: pip install 'openai[aiohttp]'")
    return "httpx"


def async_http_client(
    choice: HttpChoice, connections: int, timeout: float, connect_timeout: float, tls: ssl.SSLContext
) -> Any:
    """An async HTTP client for ``openai.AsyncOpenAI(http_client=...)``."""
    if choice == "aiohttp":
        factory: Any = _aiohttp_client_class()
        # the SDK's aiohttp client is built on the SDK's own httpx flavour: its Timeout/Limits
        module = _module_of(factory)
        return factory(
            timeout=module.Timeout(timeout, connect=connect_timeout),
            limits=module.Limits(max_connections=connections, max_keepalive_connections=connections),
            verify=tls,
        )
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    timeouts = httpx.Timeout(timeout, connect=connect_timeout)
    return httpx.AsyncClient(timeout=timeouts, limits=limits, verify=tls)


def _module_of(factory: Any) -> Any:
    for base in factory.__mro__:
        root = base.__module__.split(".")[0]
        if root in ("httpx", "httpx2"):
            return importlib.import_module(root)
    return httpx
