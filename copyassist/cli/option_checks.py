"""Flag values checked or read before any work: the product a template needs (said with the
flags that give one), the channel's profile, and ``--text @FILE``."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from copyassist.errors import ConfigError, InputError
from copyassist.rules.profiles import load_profile
from copyassist.templates import load_template, template_languages

__all__ = ["NO_PRODUCT", "checked_channel", "read_text_option", "require_product"]


NO_PRODUCT = (
    "template {name!r} writes about a product: give it with --product FILE (JSON or YAML), or field by "
    "field, e.g. --set title='Lampe de bureau LED' --set description='...'"
)


def require_product(template: str, kwargs: Mapping[str, Any]) -> None:
    """A command's product check, said with the flags that give one (the library says product=...)."""
    product = kwargs.get("product")
    if product is not None and (product.title or product.description):
        return
    if template.endswith(".j2"):
        return  # a file of the user's: its own inputs are checked when it is read
    languages = template_languages(template, kwargs.get("prompts_dirs") or ())
    if (
        languages
        and "product"
        in load_template(template, languages[0], kwargs.get("prompts_dirs") or ()).meta.inputs.required
    ):
        raise InputError(NO_PRODUCT.format(name=template))


def checked_channel(channel: str | None) -> str | None:
    """``channel``, once its profile is found: a misspelt name fails before any work, with a guess."""
    if channel:
        try:
            load_profile(channel)
        except ConfigError as exc:
            raise exc.with_hint("channel") from None
    return channel


def read_text_option(value: str | None) -> str | None:
    """``--text``: the value itself, or the content of the file named after an ``@``."""
    if value is None or not value.startswith("@"):
        return value
    path = Path(value[1:])
    try:
        return path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(f"cannot read --text file {path}: {exc.strerror}") from None
