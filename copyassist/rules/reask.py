"""The tool's own requests returned as copy: ``leftover.prompt_echo`` (error).

A small model handed a re-ask ("Your answer is not valid: ... Send the complete, corrected JSON
object") may answer with it: the list of problems as an FAQ answer, the request as a bullet.
This check knows every fixed text the tool sends (the re-asks of :mod:`copyassist.attempts` and
the format instructions of :mod:`copyassist.backends.request`, in French and English), so it
needs no prompt and runs in ``copyassist check`` too. It reports:

- :data:`RUN_WORDS` consecutive words of one of those texts, or the whole of a shorter line;
- a field path of the re-ask's problem lines (``items[0].answer:``, ``bullets[2]:``,
  ``faq[0].answer is empty``);
- "objet JSON" / "JSON object", unless the product data speaks of JSON;
- :data:`TEMPLATE_RUN_WORDS` consecutive words of a line of the bundled templates (their fixed
  text, Jinja tags left out): "Écris en français, dans une langue naturelle et idiomatique...";
- a sentence that gives the writer an order about the copy ("Write a product description for
  ...", "Rédige une fiche produit", "You are a copywriter", "Tu es un rédacteur").
"""

from __future__ import annotations

import re
from functools import lru_cache

from copyassist.assets import bundled_dir
from copyassist.attempts import followup_texts
from copyassist.backends.base import OutputSpec, StructuredMode
from copyassist.backends.request import format_instruction
from copyassist.rules.base import CheckContext, FieldRules, Violation
from copyassist.rules.leftovers import PROMPT_ECHO, data_texts
from copyassist.rules.text import fold, visible_text

#: This many consecutive words of a tool request found in the copy make an echo.
RUN_WORDS = 4
#: This many consecutive words of a template line (longer: templates hold ordinary words too).
TEMPLATE_RUN_WORDS = 6
LANGUAGES = ("fr", "en")
_MODES: tuple[StructuredMode, ...] = ("json_schema", "json_object")
_WORD = re.compile(r"[^\W_]+")
#: ``items[0].answer:``, and with no colon a dotted path (``faq[0].answer is empty``) or an index
#: the re-ask's verb follows (``bullets[2] est vide``): no copy writes either.
_FIELD_PATH = re.compile(
    r"(?<![\w.])[a-z_]+\[\d+\](?:(?:\.[a-z_]+)?\s*:|\.[a-z_]+(?!\w)|(?=\s+(?:is|est|must|doit|should|was)\b))",
    re.IGNORECASE,
)
_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)
_ORDER = re.compile(
    r"(?:^|(?<=[.!?:]\s))(?:write|generate|create|draft|r[ée]dige[zr]?|[ée]cri(?:s|vez)|g[ée]n[èe]re[zr]?|cr[ée]e[zr]?)"
    r"\s+(?:[^\W\d_]+\s+){0,4}?(?:product|products|produit|description|title|titre|fiche|copy|texte|text|bullets?"
    r"|puces|faq|meta|seo|listing|annonce)\b"
    r"|(?:^|(?<=[.!?]\s))(?:you are an?|tu es une?|vous [êe]tes une?"
    r"|as an? (?:seasoned )?copywriter|en tant que r[ée]dacteur)\s",
    re.IGNORECASE,
)
_JSON = re.compile(r"(?<!\w)(?:objets?\s+json|json\s+objects?|format\s+json|json\s+format)(?!\w)")


@lru_cache(maxsize=1)
def tool_lines() -> tuple[tuple[str, ...], ...]:
    """The words of every line the tool itself may send, in every language it speaks."""
    texts = [text for language in LANGUAGES for text in followup_texts(language)]
    empty = OutputSpec(name="Output", schema={})
    texts += [format_instruction(empty, mode, language) for mode in _MODES for language in LANGUAGES]
    lines = {tuple(_WORD.findall(fold(line))) for text in texts for line in text.splitlines()}
    return tuple(sorted(line for line in lines if line))


@lru_cache(maxsize=1)
def _runs() -> frozenset[tuple[str, ...]]:
    runs: set[tuple[str, ...]] = set()
    for line in tool_lines():
        if len(line) <= RUN_WORDS:
            runs.add(line)
        runs.update(line[i : i + RUN_WORDS] for i in range(len(line) - RUN_WORDS + 1))
    return frozenset(runs)


@lru_cache(maxsize=1)
def _template_runs() -> frozenset[tuple[str, ...]]:
    """Runs of :data:`TEMPLATE_RUN_WORDS` words of the bundled templates' fixed text."""
    runs: set[tuple[str, ...]] = set()
    for path in sorted(bundled_dir("prompts").rglob("*.j2")):
        body = path.read_text("utf-8").split("\n---\n", 1)[-1]  # the front matter is no prompt
        for piece in _JINJA.split(body):
            for line in piece.splitlines():
                words = _WORD.findall(fold(line))
                runs.update(
                    tuple(words[i : i + TEMPLATE_RUN_WORDS])
                    for i in range(len(words) - TEMPLATE_RUN_WORDS + 1)
                )
    return frozenset(runs)


@lru_cache(maxsize=4)
def _sizes(runs: frozenset[tuple[str, ...]]) -> tuple[int, ...]:
    return tuple(sorted({len(run) for run in runs}))


def _echoed(words: list[str], runs: frozenset[tuple[str, ...]]) -> list[str]:
    """The stretches of ``words`` made of ``runs``, overlapping runs merged."""
    covered = [False] * len(words)
    for size in _sizes(runs):
        for i in range(len(words) - size + 1):
            if tuple(words[i : i + size]) in runs:
                covered[i : i + size] = [True] * size
    stretches: list[list[str]] = []
    for i, word in enumerate(words):
        if covered[i]:
            if i and covered[i - 1]:
                stretches[-1].append(word)
            else:
                stretches.append([word])
    return [" ".join(stretch) for stretch in stretches]


def check_tool_request(field: str, text: str, rules: FieldRules, context: CheckContext) -> list[Violation]:
    """``leftover.prompt_echo``: a re-ask, a format instruction or a problem line in the copy."""
    plain = visible_text(text)
    folded = fold(plain)
    words = _WORD.findall(folded)
    found = _echoed(words, _runs()) + _echoed(words, _template_runs())
    found += [m.group().strip() for m in _ORDER.finditer(plain)]
    found += [m.group().rstrip(": ") for m in _FIELD_PATH.finditer(plain)]
    if not found and _JSON.search(folded) and not any("json" in fold(t) for t in data_texts(context)):
        found += [m.group() for m in _JSON.finditer(folded)]
    return [
        Violation(PROMPT_ECHO, "error", field, f'repeats the tool\'s own request: "{piece}"', piece)
        for piece in dict.fromkeys(found)
    ]
