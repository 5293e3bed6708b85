"""The models an OpenAI-compatible server lists (``GET {base_url}/models``).

A compatible server started for one model (llama.cpp, vLLM, Ollama with one model pulled)
lists exactly that one, so a run given a base URL and no model name can use it.
"""

from __future__ import annotations

#: Seconds to wait for the list: a server that does not answer this fast is not ready anyway.
TIMEOUT = 5.0


def list_models(base_url: str, api_key: str | None = None, timeout: float = TIMEOUT) -> list[str]:
    """The model ids the server lists, in its order; raises ``httpx.HTTPError`` or ``ValueError``
    (an answer that is not the OpenAI list shape) when it cannot say."""
    import httpx  # where used: a run that never asks starts without it

    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    response = httpx.get(f"{base_url.rstrip('/')}/models", headers=headers, timeout=timeout)
    response.raise_for_status()
    payload = response.json()
    items = payload.get("data") if isinstance(payload, dict) else None
    if not isinstance(items, list):
        raise ValueError("the answer holds no 'data' list")
    return [str(item["id"]) for item in items if isinstance(item, dict) and item.get("id")]
