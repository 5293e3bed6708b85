"""Model prices and what a call costs: the price table and the cost estimate, offline.

Prices come from ``data/prices.json`` (USD per 1M tokens, standard and Batch API rates, with its
date and source), overridden per model by ``$COPYASSIST_PRICES`` or ``<copyassist home>/prices.json``.
"""

from __future__ import annotations

import functools
import json
import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from copyassist.assets import file_stamp, user_home
from copyassist.errors import ConfigError

__all__ = [
    "ModelPrice",
    "estimate_cost",
    "load_prices",
    "price_for",
]

PRICES_ENV_VAR = "COPYASSIST_PRICES"
BUNDLED_PRICES = Path(__file__).resolve().parent / "data" / "prices.json"

#: what the Batch API charges against the standard rate, for an entry that gives no batch rates
BATCH_DISCOUNT = 0.5


@dataclass(frozen=True)
class ModelPrice:
    """USD per 1M tokens; the batch rates default to ``BATCH_DISCOUNT`` of the standard ones."""

    input_per_million: float
    output_per_million: float
    batch_input_per_million: float | None = None
    batch_output_per_million: float | None = None

    def cost(self, input_tokens: int, output_tokens: int, *, batch: bool = False) -> float:
        if batch:
            rates = (
                _or(self.batch_input_per_million, self.input_per_million * BATCH_DISCOUNT),
                _or(self.batch_output_per_million, self.output_per_million * BATCH_DISCOUNT),
            )
        else:
            rates = (self.input_per_million, self.output_per_million)
        return (input_tokens * rates[0] + output_tokens * rates[1]) / 1_000_000


def _or(value: float | None, default: float) -> float:
    return default if value is None else value


def load_prices(path: str | os.PathLike[str] | None = None) -> dict[str, ModelPrice]:
    """The bundled price table, with the entries of an override file replacing it per model.

    The override file is ``path`` when given, else ``$COPYASSIST_PRICES``, else
    ``<copyassist home>/prices.json`` if it exists. It has the bundled file's shape:
    ``{"models": {"gpt-4o": {"input": 2.5, "output": 10.0}}}``. Model names are lower-cased.
    Raises ConfigError naming the file when it is missing (if named explicitly) or invalid.
    """
    prices = dict(_read_price_file(BUNDLED_PRICES))
    if path is not None:
        override, required = Path(path).expanduser(), True
    elif os.environ.get(PRICES_ENV_VAR):
        override, required = Path(os.environ[PRICES_ENV_VAR]).expanduser(), True
    else:
        override, required = user_home() / "prices.json", False
    if required or _exists(override):
        prices.update(_read_price_file(override))
    return prices


_SNAPSHOT = re.compile(r"\d{4}-\d{2}-\d{2}|\d{4}")


def price_for(model: str, prices: Mapping[str, ModelPrice] | None = None) -> ModelPrice | None:
    """The price of ``model``; a dated snapshot (``gpt-4o-mini-2024-07-18``) falls back to the
    longest entry it extends. Only a date suffix falls back: ``gpt-5-pro`` or ``gpt-5.4`` are
    other models with other prices, never priced as ``gpt-5``."""
    table = {name.lower(): price for name, price in (load_prices() if prices is None else prices).items()}
    wanted = model.strip().lower()
    if wanted in table:
        return table[wanted]
    best: str | None = None
    for name in table:
        extends = wanted.startswith(name + "-") and _SNAPSHOT.fullmatch(wanted[len(name) + 1 :])
        if extends and (best is None or len(name) > len(best)):
            best = name
    return None if best is None else table[best]


def estimate_cost(
    model: str,
    input_tokens: int,
    output_tokens: int,
    prices: Mapping[str, ModelPrice] | None = None,
    *,
    batch: bool = False,
) -> float | None:
    """USD for one call (``batch``: sent through a Batch API), or None when the model is not in
    the price table."""
    if input_tokens < 0 or output_tokens < 0:
        raise ValueError("token counts cannot be negative")
    price = price_for(model, prices)
    return None if price is None else price.cost(input_tokens, output_tokens, batch=batch)


def _exists(path: Path) -> bool:
    try:
        file_stamp(path)
    except OSError:
        return False
    return True


def _read_price_file(path: Path) -> dict[str, ModelPrice]:
    try:
        mtime_ns, size = file_stamp(path)  # every row prices its calls: looked at once a second
    except OSError as exc:
        raise ConfigError(f"cannot read price file {path}: {exc.strerror or exc}") from exc
    return dict(_parse_price_file(str(path), mtime_ns, size))


@functools.lru_cache(maxsize=8)
def _parse_price_file(path: str, mtime_ns: int, size: int) -> dict[str, ModelPrice]:
    """Parsed once per version of the file (the key holds its mtime and size)."""

    def invalid(reason: str) -> ConfigError:
        return ConfigError(f"invalid price file {path}: {reason}; fix it or remove it")

    try:
        raw: Any = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read price file {path}: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise invalid("not UTF-8 text") from exc
    except json.JSONDecodeError as exc:
        raise invalid(f"not JSON ({exc.msg} at line {exc.lineno} column {exc.colno})") from exc
    models = raw.get("models") if isinstance(raw, dict) else None
    if not isinstance(models, dict):
        raise invalid('expected {"models": {"<model>": {"input": <USD/1M>, "output": <USD/1M>}}}')
    prices: dict[str, ModelPrice] = {}
    for name, entry in models.items():
        if not isinstance(entry, dict):
            raise invalid(f"{name!r} must map to an object with input and output prices")
        values: list[float | None] = []
        for key in ("input", "output", "batch_input", "batch_output"):
            value: Any = entry.get(key)
            if value is None and key.startswith("batch_"):
                values.append(None)  # optional: half the standard rate
                continue
            number_ok = isinstance(value, int | float) and not isinstance(value, bool)
            if not number_ok or not math.isfinite(value) or value < 0:
                raise invalid(f"{name!r} needs {key!r} as a number >= 0 (USD per 1M tokens)")
            values.append(float(value))
        standard_in, standard_out, batch_in, batch_out = values
        assert standard_in is not None and standard_out is not None
        prices[name.strip().lower()] = ModelPrice(standard_in, standard_out, batch_in, batch_out)
    return prices
