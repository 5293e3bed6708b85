"""Secrets out of provider text: what a provider says back is written to stderr, the store,
the output's error column and ``runs show``, and some providers echo the key they refused.

``redact`` masks the configured key itself, whatever its shape, and anything shaped like an
API key (``sk-...``, ``sk-proj-...``) or a bearer token, so a key is masked even when it is not
the one this process was given (a proxy's, a key from the environment of the server).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

MASK = "[redacted]"
#: shorter "keys" (placeholders such as "x") would mask ordinary words
_MIN_SECRET = 6
_SHAPED = re.compile(
    r"(?P<bearer>\bBearer\s+)[A-Za-z0-9._~+/=-]{6,}"
    r"|\b(?:sk|rk|pk)-[A-Za-z0-9_-]{6,}",
    re.IGNORECASE,
)


def redact(text: str, secrets: Iterable[str | None] = ()) -> str:
    """``text`` with every secret in ``secrets`` and every key-shaped string masked."""
    for secret in sorted({s for s in secrets if s and len(s) >= _MIN_SECRET}, key=len, reverse=True):
        text = text.replace(secret, MASK)
    return _SHAPED.sub(lambda m: (m.group("bearer") or "") + MASK, text)
