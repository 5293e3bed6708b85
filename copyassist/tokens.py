"""Token counts that never need the network (prices and costs: ``copyassist.prices``).

Counting uses tiktoken with the encoding of the model (``o200k_base`` for the GPT-4o, GPT-4.1,
GPT-5 and o-series families). tiktoken downloads its BPE file on first use and caches it; this
module looks in tiktoken's cache first (the same folder and file name tiktoken computes: see
``_tiktoken_cache_dir``) and, when the file is not there or does not match tiktoken's pinned
sha256, does not call tiktoken at all: it returns a labelled estimate instead. So a machine
without network never waits on a download, and nothing here raises because of the tokenizer.

Models tiktoken does not know (a llama.cpp model, a model behind an OpenAI-compatible server)
are counted with ``o200k_base`` too, but the count is flagged as an estimate: their own
tokenizer differs.

The estimate (``estimate_tokens``) imitates how ``o200k_base`` cuts text: on English and French
product copy it is off by 5 to 8% on average, 17% at worst on one short text, and by 2 to 3% on
the bundled prompt templates (see ``estimate_tokens``).
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import math
import os
import re
import tempfile
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tiktoken import Encoding

__all__ = [
    "DEFAULT_ENCODING",
    "TokenCount",
    "count_message_tokens",
    "count_tokens",
    "estimate_tokens",
]

DEFAULT_ENCODING = "o200k_base"

# What the OpenAI chat format adds around the text: each message is wrapped in about three
# tokens (<|start|>role<|message|>... <|end|>), a ``name`` costs one more, and every reply is
# primed with three (<|start|>assistant<|message|>).
TOKENS_PER_MESSAGE = 3
TOKENS_PER_NAME = 1
TOKENS_PER_REPLY = 3

OFFLINE_NOTE = "tokenizer files not available offline"

# The files tiktoken (0.7 to 0.14) downloads for each encoding, with the sha256 it checks them
# against (tiktoken_ext/openai_public.py). tiktoken deletes a cached file whose hash differs and
# downloads it again, so a file only counts as cached when its hash matches.
_SHA256 = {
    "o200k_base.tiktoken": "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
    "cl100k_base.tiktoken": "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
    "p50k_base.tiktoken": "94b5ca7dff4d00767bc256fdd1b27e5b17361d7b8a5f968547f9f23eb70d2069",
    "r50k_base.tiktoken": "306cd27f03c1a714eca7108e03d66b7dc042abe8c258b44c199a7ed9838dd930",
    "vocab.bpe": "1ce1664773c50f3e0cc8842619a93edc4624525b728b188a9e0be33b7726adc5",
    "encoder.json": "196139668be63f3b5d6574427317ae82f612a97c5d1cdaf36ed2256dbf636783",
}
_BPE_FILES: dict[str, tuple[str, ...]] = {
    "o200k_base": ("o200k_base.tiktoken",),
    "o200k_harmony": ("o200k_base.tiktoken",),
    "cl100k_base": ("cl100k_base.tiktoken",),
    "p50k_base": ("p50k_base.tiktoken",),
    "p50k_edit": ("p50k_base.tiktoken",),
    "r50k_base": ("r50k_base.tiktoken",),
    "gpt2": ("vocab.bpe", "encoder.json"),
}


def _bpe_url(file: str) -> str:
    folder = "gpt-2/encodings/main" if file in ("vocab.bpe", "encoder.json") else "encodings"
    return f"https://openaipublic.blob.core.windows.net/{folder}/{file}"


@dataclass(frozen=True)
class TokenCount:
    """A token count, and whether it is exact for the model it was counted for."""

    tokens: int
    exact: bool
    encoding: str | None
    note: str | None = None  # why the count is an estimate

    @property
    def label(self) -> str:
        unit = "token" if self.tokens == 1 else "tokens"
        if self.exact:
            return f"{self.tokens} {unit} (exact, {self.encoding})"
        return f"≈{self.tokens} {unit} (estimate: {self.note or 'no tokenizer'})"

    def __str__(self) -> str:
        return self.label


# --- counting --------------------------------------------------------------------------------


def count_tokens(text: str, model: str | None = None) -> TokenCount:
    """Count ``text`` as ``model`` would see it; an estimate when that cannot be done offline.

    Special-token markers such as ``<|endoftext|>`` in (untrusted) product text are counted as
    plain text, never interpreted and never an error.
    """
    if not isinstance(text, str):
        text = str(text)
    name, own_tokenizer = _encoding_name_for(model)
    encoding, why = _encoding(name)
    if encoding is not None:
        try:
            tokens = len(encoding.encode_ordinary(text))
        except Exception as exc:  # a tokenizer bug must not stop a run
            why = f"tokenizer error ({type(exc).__name__})"
        else:
            if own_tokenizer:
                return TokenCount(tokens, True, name)
            note = f"{name} count, the tokenizer of {model} differs"
            return TokenCount(tokens, False, name, note)
    return TokenCount(_estimate_cached(text), False, None, why)


def count_message_tokens(messages: list[dict[str, str]], model: str | None = None) -> TokenCount:
    """Count a chat request: every field of every message plus the chat format's overhead."""
    if not messages:
        return count_tokens("", model)
    total = TOKENS_PER_REPLY
    parts: list[TokenCount] = []
    for message in messages:
        total += TOKENS_PER_MESSAGE
        for key, value in message.items():
            part = count_tokens(value if isinstance(value, str) else str(value), model)
            parts.append(part)
            total += part.tokens + (TOKENS_PER_NAME if key == "name" else 0)
    if not parts:
        return TokenCount(total, True, _encoding_name_for(model)[0])
    inexact = next((part for part in parts if not part.exact), None)
    if inexact is None:
        return TokenCount(total, True, parts[0].encoding)
    return TokenCount(total, False, inexact.encoding, inexact.note)


# Pieces cut roughly as o200k_base pre-tokenizes: runs of letters (a space before them is part
# of the piece), runs of digits, line breaks and indentation, runs of other symbols.
_PIECE = re.compile(
    r"(?P<word>[^\W\d_]+)|(?P<digits>\d+)|(?P<gap>[ \t]*\n\s*|[ \t]{2,})"
    r"|(?P<symbols>(?:[^\w\s]|_)+)|\s"
)


def estimate_tokens(text: str) -> int:
    """An o200k_base-like token count for ``text``, without any tokenizer file.

    Rules, each checked against o200k_base: a word is one token, plus one per lower-to-upper
    case change ("dB" is "d" + "B"), plus one per 5 letters beyond 10, plus 0.8 per accented
    Latin letter (French words with accents split more often: "réveillera" is "réve" +
    "illera"); digits go three to a token, and a space before a number is a token of its own;
    a line break or a run of spaces is one token; a run of symbols is one token (one more per 4
    symbols beyond 4). Other scripts: about 3 letters a token, CJK about one character a token.

    Measured against o200k_base (tiktoken 0.14): on 24 English and French product texts
    (descriptions, bullets, titles, JSON, HTML) used to set the constants, off by 5% on average
    and 13% at worst; on 10 product texts kept apart, 5% on average for English and 8% for
    French, which it undercounts (17% at worst: rarer French words split more than their length
    suggests); on the 40 bundled prompt templates, 2 to 3% on average and 5.5% at worst. A flat
    "4 characters a token" is off by 12% on average and 44% at worst on the same product texts.
    """
    total = 0.0
    for match in _PIECE.finditer(text):
        kind = match.lastgroup
        piece = match.group()
        if kind == "word":
            total += _word_cost(piece)
        elif kind == "digits":
            space_before = match.start() > 0 and text[match.start() - 1] == " "
            total += math.ceil(len(piece) / 3) + (1 if space_before else 0)
        elif kind == "gap":
            total += 1
        elif kind == "symbols":
            total += 1 + max(0, len(piece) - 4) / 4
    return math.ceil(total)


#: the same system prompt is counted for every row of a batch: estimate it once
_estimate_cached = functools.lru_cache(maxsize=256)(estimate_tokens)


@functools.lru_cache(maxsize=8192)  # a catalogue's words repeat from row to row
def _word_cost(word: str) -> float:
    if word.isascii():  # the common case, the Latin rule below without accents
        humps = (
            0
            if word.islower() or word.isupper()
            else sum(1 for a, b in itertools.pairwise(word) if a.islower() and b.isupper())
        )
        return 1 + humps + max(0, len(word) - 10) / 5
    if all(ch <= "\u024f" for ch in word):  # Latin script, accented letters included
        accented = sum(1 for ch in word if ch >= "\u00c0")
        humps = sum(1 for a, b in itertools.pairwise(word) if a.islower() and b.isupper())
        return 1 + humps + max(0, len(word) - 10) / 5 + 0.8 * accented
    wide = sum(1 for ch in word if ch >= "\u2e80")  # CJK and other wide scripts
    return max(1.0, wide + (len(word) - wide) / 3)


def _encoding_name_for(model: str | None) -> tuple[str, bool]:
    """The encoding to count with, and whether it is the model's own tokenizer."""
    if model is None:
        return DEFAULT_ENCODING, True
    try:
        from tiktoken.model import encoding_name_for_model

        return encoding_name_for_model(model.strip().lower()), True
    except Exception:  # KeyError for a model tiktoken does not know, ImportError without it
        return DEFAULT_ENCODING, False


def _encoding(name: str) -> tuple[Encoding | None, str | None]:
    return _load_encoding(name, _tiktoken_cache_dir())


@functools.lru_cache(maxsize=16)
def _load_encoding(name: str, cache_dir: str | None) -> tuple[Encoding | None, str | None]:
    """The tiktoken encoding, or None and why; never downloads (keyed by cache dir)."""
    try:
        import tiktoken
    except ImportError:
        return None, "tiktoken is not installed"
    try:
        if cache_dir is None or not _bpe_files_cached(name, cache_dir):
            return None, OFFLINE_NOTE
        return tiktoken.get_encoding(name), None
    except Exception as exc:
        return None, f"tokenizer failed to load ({type(exc).__name__})"


def _tiktoken_cache_dir() -> str | None:
    """Where tiktoken keeps its downloads (tiktoken/load.py ``read_file_cached``).

    ``TIKTOKEN_CACHE_DIR`` wins when set, then ``DATA_GYM_CACHE_DIR``, else
    ``<tempdir>/data-gym-cache``. An empty value turns tiktoken's cache off, so every load would
    download: None here.
    """
    if "TIKTOKEN_CACHE_DIR" in os.environ:
        cache_dir = os.environ["TIKTOKEN_CACHE_DIR"]
    elif "DATA_GYM_CACHE_DIR" in os.environ:
        cache_dir = os.environ["DATA_GYM_CACHE_DIR"]
    else:
        cache_dir = os.path.join(tempfile.gettempdir(), "data-gym-cache")
    return cache_dir or None


def _bpe_cache_path(cache_dir: str, url: str) -> str:
    """tiktoken names each cached file after the sha1 of the URL it came from."""
    return os.path.join(cache_dir, hashlib.sha1(url.encode(), usedforsecurity=False).hexdigest())


def _bpe_files_cached(name: str, cache_dir: str) -> bool:
    files = _BPE_FILES.get(name)
    if not files:  # an encoding we cannot check: loading it might download
        return False
    for file in files:
        try:
            with open(_bpe_cache_path(cache_dir, _bpe_url(file)), "rb") as handle:
                data = handle.read()
        except OSError:
            return False
        if hashlib.sha256(data).hexdigest() != _SHA256[file]:
            return False
    return True
