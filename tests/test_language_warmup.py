"""The language model warms beside a batch's first calls, loaded once however many ask."""

from __future__ import annotations

import functools
import threading
import time
from typing import Any

import pytest

from copyassist.rules import language


def test_a_model_warming_in_a_thread_is_loaded_once_and_shared(monkeypatch: pytest.MonkeyPatch) -> None:
    loads: list[str] = []

    @functools.lru_cache(maxsize=1)
    def slow_model() -> Any:
        loads.append(threading.current_thread().name)
        time.sleep(0.2)
        return type("Model", (), {"labels": ("fr", "en")})()

    monkeypatch.setattr(language, "_loaded_model", slow_model)
    language.known_languages.cache_clear()
    started = time.monotonic()
    language.warm_in_background()
    assert time.monotonic() - started < 0.15  # the caller does not wait for the load
    model = language._model()  # asks while the thread is loading: waits for it, no second load
    assert loads == ["copyassist-langid"] and model is slow_model()
    language.known_languages.cache_clear()
