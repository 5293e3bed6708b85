"""Local models load without weight repacking: llama.cpp's AMX path crashes on these machines."""

from __future__ import annotations

import subprocess
import sys

import pytest

pytest.importorskip("llama_cpp", reason='needs the local extra: pip install ".[local]"')


def test_default_model_parameters_turn_weight_repacking_off_once_patched() -> None:
    script = (
        "from llama_cpp import llama_cpp as b\n"
        "before = b.llama_model_default_params().use_extra_bufts\n"
        "from copyassist.backends.llama_params import without_weight_repacking as w\n"
        "w(); w()\n"
        "print(before, b.llama_model_default_params().use_extra_bufts)\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True", "False"]


def test_the_server_launcher_is_llama_cpp_server() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "copyassist.backends.llama_params", "--help"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert out.returncode == 0 and "--model" in out.stdout
