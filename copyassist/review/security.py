"""The review app's gate: every request passes it before any page or action.

- Host: only ``127.0.0.1``, ``localhost`` or ``[::1]`` (with any port) is answered, so a web
  page that rebinds its own domain to 127.0.0.1 (DNS rebinding) gets 403.
- Token: a request carries the secret the command printed, as ``?token=`` (a GET then sets an
  HttpOnly, SameSite=Strict cookie and redirects to the same URL without it, so the token does
  not linger in the address bar or history; named after the port, as cookies ignore ports), as
  that cookie, or as ``Authorization: Bearer``.
  None: 401; a wrong one: 403.
- CSRF: a POST also carries the page's CSRF token (``X-CSRF-Token`` header or ``csrf`` form
  field), and a cross-site ``Origin`` or ``Sec-Fetch-Site`` is refused: 403.
- Every answer gets a strict CSP (no inline script, nothing from elsewhere but images), no
  framing, no referrer, no caching.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

COOKIE = "copyassist_review"
CSRF_FIELD = "csrf"
CSRF_HEADER = "x-csrf-token"
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "[::1]"})
MAX_BODY = 4 * 1024 * 1024
#: Product images come from the feed's own URLs, so images alone may load from elsewhere.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' https: http: data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cache-control", b"no-store"),
]


def new_token() -> str:
    return secrets.token_urlsafe(24)


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}


def host_name(host: str) -> str:
    """``127.0.0.1:8123`` -> ``127.0.0.1``; ``[::1]:80`` -> ``[::1]``."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[: host.find("]") + 1]
    return host.rsplit(":", 1)[0] if ":" in host else host


def cookie_name(host: str) -> str:
    """The cookie of the app on this port: cookies ignore ports, and two reviews may run at once."""
    name = host_name(host)
    port = host.strip()[len(name) :].lstrip(":")
    return f"{COOKIE}_{port}" if port.isdigit() else COOKIE


def _same(given: str | None, expected: str) -> bool:
    return given is not None and secrets.compare_digest(given.encode(), expected.encode())


class Guard:
    """ASGI middleware around the review app; see the module docstring."""

    def __init__(self, app: ASGIApp, token: str, csrf: str) -> None:
        self.app = app
        self.token = token
        self.csrf = csrf

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)  # lifespan
            return
        headers = _headers(scope)
        send = self._with_headers(send)
        if host_name(headers.get("host", "")) not in LOCAL_HOSTS:
            await _refuse(send, 403, "this page is served to 127.0.0.1 only (wrong Host header)")
            return
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        given = self._given_token(headers, query)
        if given is None:
            await _refuse(send, 401, "open the address copyassist review printed: it holds the access token")
            return
        if not _same(given, self.token):
            await _refuse(send, 403, "wrong access token: open the address copyassist review printed")
            return
        method = scope.get("method", "GET")
        if method == "GET" and "token" in query:
            await self._enter(scope, headers, query, send)
            return
        if method not in ("GET", "HEAD"):
            body = await _read_body(receive)
            if body is None:
                await _refuse(send, 413, "request too large")
                return
            if not self._csrf_ok(headers, body):
                await _refuse(send, 403, "refused: missing or wrong CSRF token (reload the page)")
                return
            receive = _replay(body, receive)
        await self.app(scope, receive, send)

    def _given_token(self, headers: dict[str, str], query: dict[str, list[str]]) -> str | None:
        if "token" in query:
            return query["token"][0]
        authorization = headers.get("authorization", "")
        if authorization.lower().startswith("bearer "):
            return authorization[7:].strip()
        cookie: SimpleCookie = SimpleCookie()
        try:
            cookie.load(headers.get("cookie", ""))
        except Exception:  # a malformed cookie header is no token
            return None
        morsel = cookie.get(cookie_name(headers.get("host", "")))
        return morsel.value if morsel else None

    async def _enter(
        self, scope: Scope, headers: dict[str, str], query: dict[str, list[str]], send: Send
    ) -> None:
        """The printed URL: keep the token in a cookie, then show the same page without it."""
        root = scope.get("root_path", "") or ""
        rest = {k: v for k, v in query.items() if k != "token"}
        target = scope.get("path") or "/"
        if rest:
            target += "?" + urlencode(rest, doseq=True)
        name = cookie_name(headers.get("host", ""))
        cookie = f"{name}={self.token}; Path={root or '/'}; HttpOnly; SameSite=Strict"
        await send(
            {
                "type": "http.response.start",
                "status": 303,
                "headers": [(b"location", target.encode()), (b"set-cookie", cookie.encode())],
            }
        )
        await send({"type": "http.response.body", "body": b""})

    def _csrf_ok(self, headers: dict[str, str], body: bytes) -> bool:
        site = headers.get("sec-fetch-site")
        if site is not None and site not in ("same-origin", "none"):
            return False
        origin = headers.get("origin")
        if origin is not None and host_name(urlsplit(origin).netloc) not in LOCAL_HOSTS:
            return False
        if _same(headers.get(CSRF_HEADER), self.csrf):
            return True
        kind = headers.get("content-type", "").split(";")[0].strip().lower()
        if kind == "application/x-www-form-urlencoded":
            fields = parse_qs(body.decode("utf-8", "replace"))
            return _same(next(iter(fields.get(CSRF_FIELD, [])), None), self.csrf)
        if kind == "application/json":
            try:
                data = json.loads(body or b"{}")
            except ValueError:
                return False
            return isinstance(data, dict) and _same(str(data.get(CSRF_FIELD, "")), self.csrf)
        return False

    def _with_headers(self, send: Send) -> Send:
        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                own = {name.lower() for name, _ in headers}  # a page may narrow its own CSP
                headers += [(name, value) for name, value in SECURITY_HEADERS if name not in own]
                message["headers"] = headers
            await send(message)

        return sending


async def _read_body(receive: Receive) -> bytes | None:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes, receive_more: Receive) -> Receive:
    """A ``receive`` that gives the body read already, then waits on the real one."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive_more()

    return receive


async def _refuse(send: Send, status: int, message: str) -> None:
    body = f"copyassist review: {message}\n".encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
