"""The embedded backend's set-up: chat format, system role, threading defaults, grammar check.

llama_cpp is replaced by a fake module: these tests load no model."""

from __future__ import annotations

import json
import logging
import os
import sys
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest

import copyassist
from copyassist import errors
from copyassist.backends import local
from copyassist.backends.local import LocalBackend, fold_system

ANSWER = json.dumps({"title": "Kairos S2 montre connectée GPS"})


class FakeLlama:
    """What llama_cpp.Llama does at load: take a chat format, else the GGUF's, else Llama-2."""

    instances: ClassVar[list[FakeLlama]] = []
    metadata_for_next: ClassVar[dict[str, str]] = {}

    def __init__(self, **kwargs: Any) -> None:
        self.kwargs = kwargs
        self.omp_wait_policy = os.environ.get("OMP_WAIT_POLICY")
        self.metadata = dict(FakeLlama.metadata_for_next)
        self.chat_format = kwargs.get("chat_format")
        if self.chat_format is None:
            self.chat_format = (
                "chat_template.default" if "tokenizer.chat_template" in self.metadata else "llama-2"
            )
        self.sent: list[dict[str, Any]] = []
        FakeLlama.instances.append(self)

    def create_chat_completion(self, **arguments: Any) -> Any:
        self.sent.append(arguments)
        message = {"role": "assistant", "content": ANSWER}
        usage = {"prompt_tokens": 100, "completion_tokens": 10}
        return {"choices": [{"message": message, "finish_reason": "stop"}], "usage": usage}

    def close(self) -> None:
        pass


@pytest.fixture
def fake_llama_cpp(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    module = types.ModuleType("llama_cpp")
    module.Llama = FakeLlama  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "llama_cpp", module)
    monkeypatch.setattr(local, "local_available", lambda: True)
    monkeypatch.setattr(local, "_chat_format_names", lambda: ["chatml", "gemma", "llama-2", "llama-3"])
    monkeypatch.setattr(local, "check_grammar", lambda schema: True)
    for name in ("OMP_WAIT_POLICY", local.CHAT_FORMAT_ENV, local.THREADS_ENV):
        monkeypatch.delenv(name, raising=False)
    FakeLlama.instances.clear()
    FakeLlama.metadata_for_next = {}
    local._load.cache_clear()
    path = tmp_path / "model.gguf"
    path.write_bytes(b"GGUF")
    yield path
    local._load.cache_clear()


def _title(backend: LocalBackend) -> None:
    copyassist.generate(
        "product-title", {"title": "Kairos S2 montre connectée"}, language="fr", backend=backend
    )


def test_a_gguf_without_a_chat_template_is_said_once(
    fake_llama_cpp: Path, caplog: pytest.LogCaptureFixture
) -> None:
    FakeLlama.metadata_for_next = {"general.architecture": "llama"}
    backend = LocalBackend(fake_llama_cpp)
    with caplog.at_level(logging.WARNING, logger="copyassist.backends.local"):
        _title(backend)
        _title(backend)
    warnings = [r.getMessage() for r in caplog.records if "no chat template" in r.getMessage()]
    assert len(warnings) == 1 and "'llama-2'" in warnings[0] and "COPYASSIST_CHAT_FORMAT=NAME" in warnings[0]


def test_a_gemma_file_without_a_template_gets_gemma_and_its_system_message_folded(
    fake_llama_cpp: Path,
) -> None:
    FakeLlama.metadata_for_next = {"general.architecture": "gemma3"}
    _title(LocalBackend(fake_llama_cpp))
    llama = FakeLlama.instances[-1]
    assert llama.chat_format == "gemma"
    messages = llama.sent[0]["messages"]
    assert [m["role"] for m in messages] == ["user"]
    assert messages[0]["content"].startswith("Tu rédiges des titres"), (
        "the system message heads the user turn"
    )


def test_the_users_chat_format_wins_and_is_not_warned_about(
    fake_llama_cpp: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv(local.CHAT_FORMAT_ENV, "chatml")
    with caplog.at_level(logging.WARNING, logger="copyassist.backends.local"):
        _title(LocalBackend(fake_llama_cpp))
    llama = FakeLlama.instances[-1]
    assert llama.kwargs["chat_format"] == "chatml" and llama.chat_format == "chatml"
    assert not caplog.records
    assert [m["role"] for m in llama.sent[0]["messages"]] == ["system", "user"]


def test_an_argument_beats_the_environment(fake_llama_cpp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(local.CHAT_FORMAT_ENV, "chatml")
    _title(LocalBackend(fake_llama_cpp, chat_format="llama-3"))
    assert FakeLlama.instances[-1].chat_format == "llama-3"


def test_an_unknown_chat_format_is_refused_with_the_known_ones(fake_llama_cpp: Path) -> None:
    with pytest.raises(errors.ConfigError, match=r"unknown chat format 'chatmel'.*chatml, gemma"):
        _title(LocalBackend(fake_llama_cpp, chat_format="chatmel"))


def test_a_gguf_template_is_kept(fake_llama_cpp: Path, caplog: pytest.LogCaptureFixture) -> None:
    FakeLlama.metadata_for_next = {
        "tokenizer.chat_template": "{% for m in messages %}{{ m.role }}{% endfor %}"
    }
    with caplog.at_level(logging.WARNING, logger="copyassist.backends.local"):
        _title(LocalBackend(fake_llama_cpp))
    assert FakeLlama.instances[-1].chat_format == "chat_template.default" and not caplog.records


def test_a_gguf_template_without_a_system_role_gets_it_folded(fake_llama_cpp: Path) -> None:
    FakeLlama.metadata_for_next = {"tokenizer.chat_template": "{{ '<u>' + messages[0]['content'] }}"}
    _title(LocalBackend(fake_llama_cpp))
    assert [m["role"] for m in FakeLlama.instances[-1].sent[0]["messages"]] == ["user"]


def test_the_config_file_names_a_chat_format(
    fake_llama_cpp: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'[local]\nmodel_path = "{fake_llama_cpp}"\nchat_format = "gemma"\n', encoding="utf-8")
    monkeypatch.setenv("COPYASSIST_CONFIG", str(config))
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "COPYASSIST_LOCAL_MODEL"):
        monkeypatch.delenv(name, raising=False)
    _title(copyassist.get_backend("local"))  # type: ignore[arg-type]
    assert FakeLlama.instances[-1].chat_format == "gemma"


def test_fold_system_keeps_the_turns_in_order() -> None:
    messages = [
        {"role": "system", "content": "S"},
        {"role": "user", "content": "U1"},
        {"role": "assistant", "content": "A"},
        {"role": "user", "content": "U2"},
    ]
    assert fold_system(messages) == [
        {"role": "user", "content": "S\n\nU1"},
        {"role": "assistant", "content": "A"},
        {"role": "user", "content": "U2"},
    ]
    assert messages[1]["content"] == "U1", "the caller's messages are not changed"


# -- threads ------------------------------------------------------------------------------------


def test_waiting_threads_sleep_by_default(fake_llama_cpp: Path) -> None:
    _title(LocalBackend(fake_llama_cpp))
    llama = FakeLlama.instances[-1]
    assert llama.omp_wait_policy == "passive", "set before the library loaded the model"
    assert llama.kwargs["n_threads"] == local.available_cpus() == llama.kwargs["n_threads_batch"]


def test_the_users_threading_environment_wins(fake_llama_cpp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OMP_WAIT_POLICY", "active")
    monkeypatch.setenv(local.THREADS_ENV, "1")
    _title(LocalBackend(fake_llama_cpp))
    llama = FakeLlama.instances[-1]
    assert llama.omp_wait_policy == "active" and llama.kwargs["n_threads"] == 1


def test_a_bad_thread_count_is_a_clear_error(fake_llama_cpp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(local.THREADS_ENV, "two")
    with pytest.raises(errors.ConfigError, match="COPYASSIST_THREADS must be a whole number"):
        _title(LocalBackend(fake_llama_cpp))


# -- the schema's grammar -----------------------------------------------------------------------


def test_a_schema_with_no_grammar_is_said(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    grammar = types.ModuleType("llama_cpp.llama_grammar")

    class Refusing:
        @staticmethod
        def from_json_schema(schema: str, verbose: bool = False) -> Any:
            raise ValueError("unsupported keyword")

    grammar.LlamaGrammar = Refusing  # type: ignore[attr-defined]
    package = types.ModuleType("llama_cpp")
    package.llama_grammar = grammar  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "llama_cpp", package)
    monkeypatch.setitem(sys.modules, "llama_cpp.llama_grammar", grammar)
    local.check_grammar.cache_clear()
    with caplog.at_level(logging.WARNING, logger="copyassist.backends.local"):
        assert local.check_grammar('{"type": "object", "x-odd": 1}') is False
    local.check_grammar.cache_clear()
    assert "makes no grammar" in caplog.text and "unsupported keyword" in caplog.text
