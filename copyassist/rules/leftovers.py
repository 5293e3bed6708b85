"""What a model leaves behind: placeholders, lorem ipsum, talk about itself, the prompt echoed.

Rules, all errors:

- ``leftover.placeholder``: ``[produit]``, ``[Product Name]``, ``{{ x }}``, ``{name}``,
  ``<brand>`` (HTML tags are not placeholders), ``XXX``, ``TBD``, ``INSERT ... here``,
  ``à compléter``;
- ``leftover.lorem``: lorem ipsum filler;
- ``leftover.ai_disclaimer``: "as an AI", "I cannot", "Here is your...", "en tant qu'IA",
  "Voici votre titre"... (lists ``wordlists/ai_disclaimer.<lang>.txt``, extensible by the user);
- ``leftover.prompt_echo``: the copy repeats the prompt. Product data legitimately comes back in
  copy, and the prompt holds it too, so the words of the prompt that come from
  ``context.product`` are set aside first. What is left is the instructions; the copy echoes
  them when it holds :data:`ECHO_WORDS` consecutive words of a stretch of prompt that is mostly
  instructions (at least half its words), or a whole instruction line of
  :data:`ECHO_LINE_CHARS` characters or more. Naming the persona ("persona", "Intended reader",
  "Lecteur visé") counts too, unless the product data itself uses the word.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

from copyassist.rules.base import CheckContext, FieldRules, Violation
from copyassist.rules.text import fold, fold_with_map
from copyassist.rules.wordlists import list_names, matcher, matcher_for

PLACEHOLDER = "leftover.placeholder"
LOREM = "leftover.lorem"
AI_DISCLAIMER = "leftover.ai_disclaimer"
PROMPT_ECHO = "leftover.prompt_echo"

#: A run of this many words found in the instructions is an echo.
ECHO_WORDS = 8
#: An instruction line this long (in characters) found whole in the copy is an echo.
ECHO_LINE_CHARS = 40
#: Stretches of prompt this many product words are shorter than are marked by exact match;
#: longer ones by any run of this many words they share with the product data.
_PRODUCT_RUN = 4
#: A line of a re-ask this many words long, found whole in the copy, is an echo.
_FOLLOWUP_WORDS = 3

PERSONA_WORDS = (
    "persona",
    "intended reader",
    "target reader",
    "lecteur visé",
    "lectrice visée",
    "lecteur cible",
)


#: Tags of HTML body content: ``<p>`` or ``<strong>`` is markup, ``<brand>`` a placeholder.
HTML_TAGS = frozenset(
    "a abbr article aside b bdi bdo blockquote br caption center cite code col colgroup dd del "  # noqa: SIM905
    "details dfn div dl dt em figcaption figure font footer h1 h2 h3 h4 h5 h6 header hr i img "
    "ins kbd li main mark nav ol p picture pre q s section small source span strike strong sub "
    "summary sup table tbody td tfoot th thead time tr tt u ul var video wbr".split()
)

_PLACEHOLDERS = [
    re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.DOTALL),
    re.compile(r"(?<!\{)\{\s*(?:[A-Za-z_][\w .\-]{0,40}|\d+)\s*\}(?!\})"),
    re.compile(r"\[(?=[^\[\]\n]*[^\W\d_])[^\[\]\n]{1,60}\](?!\()"),
    re.compile(r"(?<![\w%])%(?:\(\w+\))?[sd](?!\w)"),
    re.compile(r"(?<![\w-])(?:[Xx]{3,}|TBD|TBA|TODO|FIXME|INSERT)(?![\w-])"),
    re.compile(r"(?i)(?<!\w)[àa] (?:compl[ée]ter|renseigner|d[ée]finir)\b"),
]
#: "Insert ... here" is a slot only when it names what goes in (not "insert the SIM card here").
_INSERT_HERE = re.compile(r"(?i)\b(?:insert|ins[ée]rer|ins[ée]rez)\b[^.\n<>]{1,40}?\b(?:here|ici)\b")
_SLOT_WORDS = re.compile(
    r"(?i)\b(?:name|nom|brand|marque|keywords?|mots?[- ]cl[ée]s?|title|titre|product|produit|texte?|"
    r"description|link|lien|price|prix|url)\b"
)
_ANGLE = re.compile(r"<([^<>\n]{1,40})>")
_LOREM = re.compile(r"(?i)\blorem\s+ipsum\b|\bdolor\s+sit\s+amet\b|\bconsectetur\s+adipiscing\b")
_WORD = re.compile(r"\w+")


def _violation(rule: str, field: str, message: str, text: str) -> Violation:
    return Violation(rule, "error", field, message, text)


def check_placeholders(field: str, text: str, rules: FieldRules, context: CheckContext) -> list[Violation]:
    """``leftover.placeholder``: template slots and to-do markers left in the copy."""
    found: dict[str, None] = {}
    for pattern in _PLACEHOLDERS:
        for match in pattern.finditer(text):
            found.setdefault(match.group().strip(), None)
    for match in _INSERT_HERE.finditer(text):
        if _SLOT_WORDS.search(match.group()):
            found.setdefault(match.group(), None)
    for match in _ANGLE.finditer(text):
        inside = match.group(1).strip()
        name = re.split(r"[\s/]", inside.lstrip("/").strip(), maxsplit=1)[0].lower()
        if inside[:1].isalpha() and "=" not in inside and name not in HTML_TAGS:
            found.setdefault(match.group(), None)
    return [_violation(PLACEHOLDER, field, f'a placeholder is left in the copy: "{p}"', p) for p in found]


def check_lorem(field: str, text: str, rules: FieldRules, context: CheckContext) -> list[Violation]:
    """``leftover.lorem``: lorem ipsum filler."""
    match = _LOREM.search(text)
    if match is None:
        return []
    return [_violation(LOREM, field, "lorem ipsum filler text", match.group())]


def check_ai_disclaimer(field: str, text: str, rules: FieldRules, context: CheckContext) -> list[Violation]:
    """``leftover.ai_disclaimer``: the model speaks about itself or introduces its answer."""
    found: dict[str, str] = {}
    for hit in matcher_for(list_names("ai_disclaimer", context.language)).find(text):
        found.setdefault(fold(hit.phrase), hit.phrase)
    message = "the model talks about itself or the request"
    return [_violation(AI_DISCLAIMER, field, f'{message}: "{p}"', p) for p in found.values()]


def product_texts(product: Mapping[str, Any] | None) -> list[str]:
    """Every piece of text in the product data: field values, list items, and the names and
    values of nested mappings (attributes)."""
    texts: list[str] = []

    def walk(value: Any, keys: bool = True) -> None:
        if isinstance(value, str):
            texts.append(value)
        elif isinstance(value, int | float) and not isinstance(value, bool):
            texts.append(str(value))
        elif isinstance(value, Mapping):
            for key, item in value.items():
                if keys:
                    texts.append(str(key))
                walk(item)
        elif isinstance(value, list | tuple | set | frozenset):
            for item in value:
                walk(item)

    walk(product or {}, keys=False)
    return texts


def data_texts(context: CheckContext) -> tuple[str, ...]:
    """:func:`product_texts` of the context's product, read once per context."""
    return context.derived("product_texts", lambda c: tuple(product_texts(c.product)))


def data_text_without(context: CheckContext, copy: str) -> str:
    """The product's texts, one a line, less those that are ``copy`` itself (``copyassist check``
    reads a listing as its own data): joined once per context when none is."""
    texts = data_texts(context)
    copy = copy.strip()
    if any(t.strip() == copy for t in texts):
        return "\n".join(t for t in texts if t.strip() != copy)
    return context.derived("data_text", lambda c: "\n".join(texts))


def _words(text: str) -> list[str]:
    return _WORD.findall(fold(text))


def _product_stretches(product: list[list[str]]) -> tuple[set[tuple[str, ...]], set[tuple[str, ...]]]:
    """The product data as runs of :data:`_PRODUCT_RUN` words, and its shorter texts whole.
    Built once per prompt, not per line: a feed of thousands of columns has as many lines."""
    runs = {tuple(v[i : i + _PRODUCT_RUN]) for v in product for i in range(len(v) - _PRODUCT_RUN + 1)}
    short = {tuple(v) for v in product if 0 < len(v) < _PRODUCT_RUN}
    return runs, short


def _product_marks(
    prompt: list[str], runs: set[tuple[str, ...]], short: set[tuple[str, ...]], starts: dict[str, list[int]]
) -> list[bool]:
    """For each word of the prompt, whether it belongs to a stretch of product data
    (``starts``: :func:`_stretch_starts` of the stretches)."""
    marked = [False] * len(prompt)
    for start, word in enumerate(prompt):
        for size in starts.get(word, ()):
            window = tuple(prompt[start : start + size])
            if len(window) == size and (window in runs or window in short):
                marked[start : start + size] = [True] * size
    return marked


def _stretch_starts(
    runs: set[tuple[str, ...]], short: set[tuple[str, ...]], sizes: set[int]
) -> dict[str, list[int]]:
    """The first word of each stretch -> the sizes (of ``sizes``, in its order) of the stretches
    it starts: a window can only be one of them if it starts with one of those words."""
    by_word: dict[str, set[int]] = {}
    for stretch in (*runs, *short):
        if len(stretch) in sizes:
            by_word.setdefault(stretch[0], set()).add(len(stretch))
    return {word: [size for size in sizes if size in found] for word, found in by_word.items()}


@lru_cache(maxsize=4096)
def _line_words(line: str) -> tuple[str, ...]:
    return tuple(_words(line))


@lru_cache(maxsize=4096)
def _plain_line(words: tuple[str, ...]) -> frozenset[tuple[str, ...]]:
    """Every run of a line with no product word in it: all of them are instructions."""
    return frozenset(words[i : i + ECHO_WORDS] for i in range(len(words) - ECHO_WORDS + 1))


@lru_cache(maxsize=32)
def _instructions(
    prompt: str, product: tuple[str, ...]
) -> tuple[frozenset[tuple[str, ...]], tuple[tuple[str, ...], ...]]:
    """The prompt's instruction runs of :data:`ECHO_WORDS` words, and its instruction lines of
    :data:`ECHO_LINE_CHARS` characters or more; a run or line is instructions when at least half
    its words are not product data. Cached: every field of an output shares one prompt, and the
    template's own lines, which hold no product word, are the same for every row."""
    product_words = [_words(t) for t in product]
    vocabulary = {word for words in product_words for word in words}
    runs, short = _product_stretches(product_words)
    sizes = {_PRODUCT_RUN, *(len(text) for text in short)}
    starts = _stretch_starts(runs, short, sizes)
    grams: set[tuple[str, ...]] = set()
    lines: list[tuple[str, ...]] = []
    for line in prompt.splitlines():
        words = _line_words(line)
        if not words:
            continue
        long_line = len(line.strip()) >= ECHO_LINE_CHARS
        if vocabulary.isdisjoint(words):
            grams |= _plain_line(words)
            if long_line:
                lines.append(words)
            continue
        marks = _product_marks(list(words), runs, short, starts)
        for i in range(len(words) - ECHO_WORDS + 1):
            if marks[i : i + ECHO_WORDS].count(False) * 2 >= ECHO_WORDS:
                grams.add(words[i : i + ECHO_WORDS])
        if long_line and marks.count(False) * 2 >= len(words):
            lines.append(words)
    return frozenset(grams), tuple(lines)


def _echo_ranges(copy: list[str], prompt: str, product: tuple[str, ...]) -> list[tuple[int, int]]:
    """Word ranges [start, end) of the copy that repeat instructions of the prompt."""
    grams, lines = _instructions(prompt, product)
    ranges = [
        (i, i + ECHO_WORDS)
        for i in range(len(copy) - ECHO_WORDS + 1)
        if tuple(copy[i : i + ECHO_WORDS]) in grams
    ]
    at: dict[str, list[int]] = {}
    for i, word in enumerate(copy):
        at.setdefault(word, []).append(i)
    for line in lines:
        size = len(line)
        ranges += [(i, i + size) for i in at.get(line[0], ()) if tuple(copy[i : i + size]) == line]
    merged: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def check_prompt_echo(field: str, text: str, rules: FieldRules, context: CheckContext) -> list[Violation]:
    """``leftover.prompt_echo``: instructions or the persona repeated in the copy."""
    found: list[Violation] = []
    # the fields written before this one (a listing) are in the prompt as data, like the product
    texts = data_texts(context) + tuple((context.listing or {}).values())
    texts += tuple(t for e in context.examples for t in (e.get("approved") or {}).values())  # examples.leak's
    if context.prompt.strip():
        folded, index = fold_with_map(text)
        matches = list(_WORD.finditer(folded))
        for start, end in _echo_ranges([m.group() for m in matches], context.prompt, texts):
            echoed = text[index[matches[start].start()] : index[matches[end - 1].end() - 1] + 1]
            message = f'repeats the prompt word for word: "{_short(echoed)}"'
            found.append(_violation(PROMPT_ECHO, field, message, echoed))
    found.extend(_followup_echoes(field, text, context.followups))
    product_folded = " ".join(fold(t) for t in texts)
    for hit in matcher(PERSONA_WORDS).find(text):
        if not matcher((hit.phrase,)).find(product_folded):
            found.append(_violation(PROMPT_ECHO, field, f'mentions the persona: "{hit.phrase}"', hit.phrase))
    return found


def _followup_echoes(field: str, text: str, followups: Sequence[str]) -> list[Violation]:
    """The tool's own re-ask sentences in the copy: any line of them of ``_FOLLOWUP_WORDS`` words
    or more, found whole (the copy that answers "Your answer is not valid" with that sentence)."""
    if not followups:
        return []
    copy = " ".join(_words(text))
    found: list[Violation] = []
    for followup in followups:
        for line in followup.splitlines():
            words = _line_words(line)
            if len(words) >= _FOLLOWUP_WORDS and f" {' '.join(words)} " in f" {copy} ":
                message = f'repeats the tool\'s own request: "{_short(line.strip())}"'
                found.append(_violation(PROMPT_ECHO, field, message, line.strip()))
    return found


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def check_leftovers(field: str, text: str, rules: FieldRules, context: CheckContext) -> list[Violation]:
    """Every leftover rule at once."""
    found: list[Violation] = []
    for check in (check_placeholders, check_lorem, check_ai_disclaimer, check_prompt_echo):
        found.extend(check(field, text, rules, context))
    return found
