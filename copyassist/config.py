"""User settings: environment variables first, then ``<copyassist home>/config.toml``.

The file is optional. Its keys (all optional)::

    [openai]
    api_key = "sk-..."        # prefer the OPENAI_API_KEY environment variable
    base_url = "http://127.0.0.1:8000/v1"
    model = "gpt-4.1-mini"

    [local]
    model_path = "/models/my-model.gguf"
    chat_format = "chatml"    # when the GGUF file has no chat template (COPYASSIST_CHAT_FORMAT)

Nothing is read at import time; the key is never logged or written anywhere.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from copyassist.assets import user_home
from copyassist.errors import ConfigError


@dataclass(frozen=True)
class Settings:
    api_key: str | None = None
    base_url: str | None = None
    model: str | None = None
    local_model_path: str | None = None
    local_chat_format: str | None = None

    def __repr__(self) -> str:  # keep the key out of logs and tracebacks
        key = "set" if self.api_key else None
        return f"Settings(api_key={key}, base_url={self.base_url!r}, model={self.model!r})"


def config_path() -> Path:
    return Path(os.environ.get("COPYASSIST_CONFIG") or user_home() / "config.toml")


def load_settings() -> Settings:
    path = config_path()
    data: dict[str, dict[str, str]] = {}
    if path.is_file():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    openai_section = data.get("openai", {})
    local_section = data.get("local", {})
    return Settings(
        api_key=os.environ.get("OPENAI_API_KEY") or openai_section.get("api_key"),
        base_url=os.environ.get("OPENAI_BASE_URL") or openai_section.get("base_url"),
        model=os.environ.get("COPYASSIST_MODEL") or openai_section.get("model"),
        local_model_path=os.environ.get("COPYASSIST_LOCAL_MODEL") or local_section.get("model_path"),
        local_chat_format=os.environ.get("COPYASSIST_CHAT_FORMAT") or local_section.get("chat_format"),
    )
