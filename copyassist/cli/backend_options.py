"""The backend options (provider, model, base URL, chat format, attempts): Annotated aliases
each command lists in its own signature (generate, batch, study, check, score, review), and
what ``--chat-format`` sets for a run."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from copyassist.backends.local import CHAT_FORMAT_ENV

__all__ = ["AttemptsOpt", "BaseUrlOpt", "ChatFormatOpt", "ModelOpt", "ProviderOpt", "use_chat_format"]

ProviderOpt = Annotated[
    str, typer.Option(envvar="COPYASSIST_PROVIDER", metavar="NAME", help="auto, openai, compatible or local.")
]
ModelOpt = Annotated[
    str | None, typer.Option(metavar="NAME", help="Model name, or a .gguf path for the local provider.")
]
BaseUrlOpt = Annotated[
    str | None, typer.Option(metavar="URL", help="OpenAI-compatible server URL (or OPENAI_BASE_URL).")
]
ChatFormatOpt = Annotated[
    str | None,
    typer.Option(
        envvar=CHAT_FORMAT_ENV,
        metavar="NAME",
        help="Embedded model: its chat format (chatml, gemma, llama-3...), for a GGUF file without a "
        "chat template. Default: the file's own.",
        show_default=False,
    ),
]
AttemptsOpt = Annotated[
    int,
    typer.Option(
        min=1, max=10, metavar="N", help="Model calls per product at most (first answer + repairs)."
    ),
]


def use_chat_format(chat_format: str | None) -> None:
    """``--chat-format``: the embedded model's format for this run (what its environment
    variable says, which the backend reads)."""
    if chat_format:
        os.environ[CHAT_FORMAT_ENV] = chat_format
