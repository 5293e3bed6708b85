"""Copy that says the same thing twice: repeated phrases, keyword stuffing, a title naming its brand twice.

Rules (errors: a buyer reads such copy as broken or as spam, and search engines demote it):

- ``repetition.phrase``: a run of words holding at least :data:`PHRASE_WORDS` content words
  (per kind of field) written twice in one field, a run of two said again within
  :data:`NEAR_GAP` words (the product's name too, but in a description), one content word doubled
  (``étanche étanche``). Content words are words of three letters or more that are not stop
  words, and codes with letters and digits (``S2``); figures and units (``50 ml``) never count,
  so ``2 x 50 ml ... 50 ml`` is no repeated phrase.
- ``repetition.keyword_stuffing``: one content word, or one of the caller's keywords, used
  :data:`SHORT_STUFFING` times or more in a short field (a title, or fewer than
  :data:`SHORT_WORDS` words), or :data:`LONG_STUFFING` times or more and over
  :data:`LONG_DENSITY` of the words of a longer one.
- ``title.brand_repeated``: the brand written twice or more in a title.

A phrase, word or brand repeated in the product data itself (``Bora Bora``, a product name that
holds its brand twice) is not reported.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from copyassist.rules.base import Check, CheckContext, FieldRules, Violation
from copyassist.rules.leftovers import data_text_without
from copyassist.rules.text import fold_with_map, visible_text
from copyassist.rules.wordlists import matcher, words

PHRASE = "repetition.phrase"
STUFFING = "repetition.keyword_stuffing"
BRAND_REPEATED = "title.brand_repeated"

#: Content words a repeated run must hold to count, per kind of field: a title has no room for
#: saying anything twice; a long description may name a feature again, not a whole sentence.
PHRASE_WORDS: Mapping[str | None, int] = {
    "title": 2, "seo_title": 2, "meta_description": 3, "bullets": 3, "faq": 4, "copy": 3,
    "description": 4,
}  # fmt: skip
#: A run of this many content words said again within :data:`NEAR_GAP` words is a stutter
#: ("It installs with ISOFIX. It installs with ISOFIX"), whatever the kind of field.
NEAR_WORDS = 2
NEAR_GAP = 6
SHORT_WORDS = 25
SHORT_STUFFING = 3
LONG_STUFFING = 4
LONG_DENSITY = 0.08
#: Words that may stand twice in a row in good French or English ("vous vous", "had had").
_DOUBLED_OK = frozenset({"nous", "vous", "had", "that", "très", "tres", "very"})
#: Function words the shared stop-word list (made for Amazon's repeat rule) leaves out.
_MORE_STOP_WORDS = frozenset(
    "tout tous toute toutes elle elles ils mais donc car chaque entre comme aussi bien ainsi "  # noqa: SIM905
    "peut sont ont avoir etre fait faire also will can has have more very each any other "
    "than then when which what who how them they their there these those while just only "
    "vous nous lui eux you".split()
)
_TOKEN = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class _Word:
    folded: str
    start: int  # in the visible text
    end: int
    content: bool


def _stop_words() -> frozenset[str]:
    return _with_more_stop_words(words("stopwords.txt"))


@lru_cache(maxsize=8)
def _with_more_stop_words(listed: frozenset[str]) -> frozenset[str]:
    return listed | _MORE_STOP_WORDS


def _is_content(word: str, stop: frozenset[str]) -> bool:
    letters = sum(c.isalpha() for c in word)
    if any(c.isdigit() for c in word):
        return letters > 0 and len(word) >= 2 and not word.isalpha()  # S2, 4K: codes count; 50 does not
    return letters >= 3 and word not in stop


def tokens(text: str) -> list[_Word]:
    """The words of ``text`` (as a reader sees it), folded, with their place and whether they count."""
    return list(_tokens(text, _stop_words()))


@lru_cache(maxsize=1024)
def _tokens(text: str, stop: frozenset[str]) -> tuple[_Word, ...]:
    """Cached: every check of a field reads its words."""
    folded, index = fold_with_map(text)
    found = []
    for match in _TOKEN.finditer(folded):
        word = match.group()
        start, end = index[match.start()], index[match.end() - 1] + 1
        found.append(_Word(word, start, end, _is_content(word, stop)))
    return tuple(found)


def _data_text(context: CheckContext, copy: str) -> str:
    """The product data, less the copy itself (``copyassist check`` reads a listing as its own data)."""
    return data_text_without(context, copy)


def _repeated_in_data(phrase: str, context: CheckContext, copy: str) -> bool:
    data = _data_text(context, copy)
    return bool(data) and len(matcher((phrase,)).find(data)) >= 2


def _repeated_runs(found: list[_Word], needed: int) -> list[tuple[int, int, int]]:
    """(first, last, offset) word indexes of each second occurrence of a run with ``needed``
    content words, and how many words before it the first occurrence starts.

    Runs are compared on content words only ("réduction de bruit" = "réduction du bruit")."""
    content = [i for i, w in enumerate(found) if w.content]
    keys = [found[i].folded for i in content]
    first_at: dict[tuple[str, ...], int] = {}
    runs: list[tuple[int, int, int]] = []
    j = 0
    while j + needed <= len(keys):
        gram = tuple(keys[j : j + needed])
        i = first_at.get(gram)
        if i is not None and i + needed <= j:
            length = needed
            while j + length < len(keys) and i + length < j and keys[i + length] == keys[j + length]:
                length += 1
            runs.append((content[j], content[j + length - 1], content[j] - content[i]))
            j += length
            continue
        first_at.setdefault(gram, j)
        j += 1
    return runs


def _doubled(found: list[_Word], text: str) -> list[str]:
    """Content words written twice in a row, with nothing but a space between."""
    doubled = []
    for a, b in itertools.pairwise(found):
        if (
            a.folded == b.folded
            and a.content
            and a.folded not in _DOUBLED_OK
            and text[a.end : b.start] in (" ", "\u00a0")  # not across lines: two bullets
        ):
            doubled.append(text[a.start : b.end])
    return doubled


def _name_words(context: CheckContext) -> frozenset[str]:
    """The content words of the product's name and brand: naming the product again is no repeat."""
    name = f"{(context.product or {}).get('title') or ''} {context.brand or ''}"
    return frozenset(w.folded for w in tokens(name) if w.content)


def _extended(found: list[_Word], first: int, last: int, offset: int) -> int:
    """``last`` moved over the words after it that the first occurrence has too (USB-*C*)."""
    while last + 1 < len(found) and found[last + 1].folded == found[last + 1 - offset].folded:
        last += 1
    return last


def repetition_check(kind: str | None) -> Check:
    """``repetition.phrase`` for one kind of field (see :data:`PHRASE_WORDS`)."""
    needed = PHRASE_WORDS.get(kind, 3)
    names_count = kind in ("title", "seo_title")
    near_names = kind != "description"  # the name said twice in a row is a stutter, not a reminder

    def check_repeated_phrase(
        field: str, text: str, rules: FieldRules, context: CheckContext
    ) -> list[Violation]:
        plain = visible_text(text)
        found = tokens(plain)
        name = frozenset() if names_count else _name_words(context)
        phrases: dict[str, str] = {}
        runs = _repeated_runs(found, needed)
        runs += [
            run for run in _repeated_runs(found, NEAR_WORDS) if run[2] - (run[1] - run[0] + 1) <= NEAR_GAP
        ]
        for first, last, offset in runs:
            near = offset - (last - first + 1) <= NEAR_GAP
            skip = frozenset() if near and near_names else name
            said = [w for w in found[first : last + 1] if w.content and w.folded not in skip]
            if len(said) >= (NEAR_WORDS if near else needed):
                last = _extended(found, first, last, offset)
                phrase = plain[found[first].start : found[last].end]
                phrases.setdefault(" ".join(w.folded for w in found[first : last + 1]), phrase)
        for phrase in _doubled(found, plain):
            phrases.setdefault(phrase.casefold(), phrase)
        return [
            Violation(PHRASE, "error", field, f"{phrase!r} is said twice", phrase)
            for phrase in phrases.values()
            if not _repeated_in_data(phrase, context, text)
        ]

    return check_repeated_phrase


def _keyword_counts(plain: str, keywords: Sequence[str]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for keyword in keywords:
        if len(tokens(keyword)) > 1:  # single words are counted with the other words
            counts[keyword] = len(matcher((keyword,)).find(plain))
    return counts


def stuffing_check(kind: str | None) -> Check:
    """``repetition.keyword_stuffing`` for one kind of field."""
    short_kind = kind in ("title", "seo_title")

    def check_keyword_stuffing(
        field: str, text: str, rules: FieldRules, context: CheckContext
    ) -> list[Violation]:
        plain = visible_text(text)
        found = tokens(plain)
        spelled: dict[str, str] = {}
        for word in found:
            spelled.setdefault(word.folded, plain[word.start : word.end])
        counts = Counter(w.folded for w in found if w.content)
        counts.update(_keyword_counts(plain, context.keywords))
        total = max(len(found), 1)
        short = short_kind or total < SHORT_WORDS
        stuffed = [
            (spelled.get(word, word), n)
            for word, n in counts.items()
            if (n >= SHORT_STUFFING if short else n >= LONG_STUFFING and n / total > LONG_DENSITY)
        ]
        data = _data_text(context, text)
        return [
            Violation(STUFFING, "error", field, f"{word!r} is used {n} times in {total} words", word)
            for word, n in stuffed
            if not data or len(matcher((word,)).find(data)) < n
        ]

    return check_keyword_stuffing


def check_brand_repeated(field: str, text: str, rules: FieldRules, context: CheckContext) -> list[Violation]:
    """``title.brand_repeated``: the brand twice in a title."""
    brand = (context.brand or "").strip()
    if not brand:
        return []
    hits = matcher((brand,)).find(visible_text(text))
    name = str((context.product or {}).get("title") or "")
    name = "" if name.strip() == text.strip() else name
    if len(hits) < 2 or len(matcher((brand,)).find(name)) >= len(hits):
        return []
    return [
        Violation(BRAND_REPEATED, "error", field, f"the brand {brand!r} is written {len(hits)} times", brand)
    ]


def repetition_checks(kind: str | None) -> tuple[Check, ...]:
    """The repetition checks for one kind of field (the brand rule on titles only)."""
    found = (repetition_check(kind), stuffing_check(kind))
    return (*found, check_brand_repeated) if kind == "title" else found


def later_repeats(keys: Sequence[Hashable | None]) -> list[tuple[int, int]]:
    """(index, index of its first occurrence) of each key met before; None keys are skipped."""
    first: dict[Hashable, int] = {}
    repeats = []
    for index, key in enumerate(keys):
        if key is not None:
            if key in first:
                repeats.append((index, first[key]))
            else:
                first[key] = index
    return repeats


def repeated_items(places: list[tuple[str, str]]) -> list[Violation]:
    """``repetition.phrase`` for each item of a list (bullets, FAQ answers) that says what an
    earlier item of the same list says, case, accents and punctuation aside. ``places`` are
    (place, text) pairs: ``bullets[1]``, ``items[2].answer``; items[2].answer is compared with
    the other answers only."""
    keys = []
    for place, text in places:
        words = tuple(w.folded for w in tokens(visible_text(text)))
        keys.append((re.sub(r"\[\d+\]", "[]", place), words) if words else None)
    return [
        Violation(PHRASE, "error", places[index][0], f"says the same as {places[first][0]}", places[index][1])
        for index, first in later_repeats(keys)
    ]
