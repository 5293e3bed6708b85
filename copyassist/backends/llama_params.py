"""Load llama.cpp models without weight repacking ("extra buffer types").

llama.cpp repacks a model's weights for the CPU's matrix units when it can (Intel AMX, some ARM
kernels). On these machines the AMX path crashes the process (SIGSEGV in
``ggml_backend_amx_mul_mat``) on the first token, in llama-cpp-python 0.3.36 built from source,
and the speed-up is nothing for the small models an embedded backend runs. llama-cpp-python's
``Llama`` does not take the setting, so the default model parameters it starts from are wrapped.

``python -m copyassist.backends.llama_params ARGS`` runs ``python -m llama_cpp.server ARGS`` the
same way, for a local OpenAI-compatible server that does not crash either.
"""

from __future__ import annotations

import runpy
import sys
from typing import Any

_PATCHED = "_copyassist_no_repacking"


def without_weight_repacking() -> None:
    """From now on, every ``llama_cpp.Llama`` of this process loads with ``use_extra_bufts`` off."""
    try:
        from llama_cpp import llama_cpp as bindings  # the local extra; only where a local model is used
    except ImportError:  # a stand-in llama_cpp (the tests'), or a release laid out otherwise
        return
    original = getattr(bindings, "llama_model_default_params", None)
    if original is None or getattr(original, _PATCHED, False):
        return

    def defaults() -> Any:
        params = original()
        if hasattr(params, "use_extra_bufts"):  # absent from older llama-cpp-python releases
            params.use_extra_bufts = False
        return params

    setattr(defaults, _PATCHED, True)
    bindings.llama_model_default_params = defaults


def main() -> None:
    without_weight_repacking()
    sys.argv[0] = "llama_cpp.server"
    runpy.run_module("llama_cpp.server", run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
