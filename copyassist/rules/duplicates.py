"""Duplicate and near-duplicate titles across a batch: ``batch.duplicate_title`` (warning).

Titles are compared once normalised: lower case, no accents, punctuation turned into spaces,
spaces collapsed. Equal normalised titles are duplicates; different ones are near-duplicates
when ``difflib.SequenceMatcher.ratio()`` reaches the threshold (0.9 by default).

Comparing every pair with difflib is quadratic, so a pair is only scored when it passes two
cheap filters (no dependency added; ``rapidfuzz`` would be faster still):

- length: a ratio ``2M / (la + lb) >= t`` needs ``2 min(la, lb) / (la + lb) >= t``. Titles are
  taken shortest first, and a title too short for the current one is dropped from the index for
  good, as every later title is at least as long;
- shared words: the two must share at least half their word stems (a stem is a word's first five
  letters, so ``noir``/``noire``/``noirs`` are one); below a threshold of 0.9 the share asked
  fades, down to a single stem at 0.8 and below. Stems are indexed rarest first and only the
  first ``k - needed + 1`` of each title (prefix filtering), so two titles sharing ``needed``
  stems always meet, and common words ("homme", "noir") rarely enter the index.

Then difflib scores the survivors (``real_quick_ratio`` and ``quick_ratio`` first, with the probe's
tables built once). The stem filter is a heuristic: a pair 90 % alike whose words differ in their
first letters more often than not could slip through; on samples of 660 titles it found exactly
the pairs of a full pairwise difflib scan. Measured: 5,000 titles with a realistic vocabulary
in 0.6 s, 20,000 in 8.5 s; 5,000 titles drawn from only 50 words (every title shares words with
every other) in 3 s.

Duplicates are reported against the first row holding that title, so a title repeated k times
gives k - 1 records, not k²; near-duplicates between the first rows of their groups.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict, deque
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from copyassist.rules.base import Violation
from copyassist.rules.text import fold

RULE = "batch.duplicate_title"
#: Two titles are compared only if they share this share of their word stems...
SHARED_STEMS = 0.5
#: ...a stem being a word's first letters.
STEM = 5
_PUNCTUATION = re.compile(r"[\W_]+")


def normalise_title(title: str) -> str:
    """Lower case, no accents, punctuation as spaces, single spaces."""
    return _PUNCTUATION.sub(" ", fold(title)).strip()


@dataclass(frozen=True)
class DuplicateTitle:
    """Title ``index`` repeats (or nearly repeats) the earlier title ``other`` (0-based rows)."""

    index: int
    other: int
    similarity: float  # 1.0 for the same normalised title
    text: str  # title ``index`` as given
    other_text: str

    rule = RULE
    severity = "warning"
    field = "title"

    @property
    def exact(self) -> bool:
        return self.similarity >= 1.0

    @property
    def message(self) -> str:
        """One line, without the row numbers (the caller knows how it numbers rows)."""
        if self.exact:
            return "the same title as another row"
        return f'nearly the same title as another row ({self.similarity:.0%} alike): "{self.other_text}"'

    def as_violation(self) -> Violation:
        message = f"title {self.index} {'repeats' if self.exact else 'nearly repeats'} title {self.other}"
        if not self.exact:
            message += f" ({self.similarity:.0%} alike)"
        return Violation(RULE, "warning", "title", message, self.text)

    def as_dict(self) -> dict[str, str | int | float]:
        return {
            **self.as_violation().as_dict(),
            "index": self.index,
            "other": self.other,
            "similarity": self.similarity,
        }


def _stems(text: str) -> frozenset[str]:
    """The words' first :data:`STEM` letters: ``noir``, ``noire`` and ``noirs`` are one."""
    return frozenset(word[:STEM] for word in text.split())


def _similar_pairs(texts: list[str], threshold: float) -> list[tuple[int, int, float]]:
    """(i, j, ratio) for i < j, distinct texts, ratio >= threshold."""
    stems = [_stems(t) for t in texts]
    lengths = [len(t) for t in texts]
    frequency = Counter(stem for group in stems for stem in group)
    needed = [_needed(size, threshold) for size in range(max(map(len, stems), default=0) + 1)]
    index: dict[str, deque[int]] = defaultdict(deque)  # stem -> titles, shortest first
    found: list[tuple[int, int, float]] = []
    for i in sorted(range(len(texts)), key=lengths.__getitem__):
        shortest = lengths[i] * threshold / (2 - threshold)  # the length filter
        ordered = sorted(stems[i], key=lambda stem: (frequency[stem], stem))
        prefix = ordered[: len(ordered) - needed[len(ordered)] + 1]
        postings = []
        for stem in prefix:
            posting = index[stem]
            while posting and lengths[posting[0]] < shortest:
                posting.popleft()  # too short for this title, so for every later one
            postings.append(posting)
        matcher = SequenceMatcher(None, "", texts[i], autojunk=False)  # the probe's tables, once
        for j in set().union(*postings):
            if len(stems[i] & stems[j]) < needed[max(len(stems[i]), len(stems[j]))]:
                continue
            matcher.set_seq1(texts[j])
            if matcher.real_quick_ratio() < threshold or matcher.quick_ratio() < threshold:
                continue
            ratio = matcher.ratio()
            if ratio >= threshold:
                found.append((min(i, j), max(i, j), ratio))
        for posting in postings:
            posting.append(i)
    return found


def _needed(size: int, threshold: float) -> int:
    """The stems two titles must share, the larger holding ``size``: :data:`SHARED_STEMS` of
    them from a threshold of 0.9 up, fading to a single one at 0.8 and below."""
    share = SHARED_STEMS * min(1.0, max(0.0, (threshold - 0.8) / 0.1))
    return max(1, math.ceil(share * size - 1e-9))


def find_duplicate_titles(titles: Sequence[str], threshold: float = 0.9) -> list[DuplicateTitle]:
    """Every title that repeats or nearly repeats an earlier one, sorted by row.

    Blank titles are skipped. A group of equal titles is reported against its first row; near
    duplicates are reported between the first rows of their groups, the later row flagged.
    """
    if not 0 < threshold <= 1:
        raise ValueError(f"threshold must be in (0, 1], not {threshold}")
    first_row: dict[str, int] = {}
    records: list[DuplicateTitle] = []
    for row, title in enumerate(titles):
        key = normalise_title(title)
        if not key:
            continue
        if key in first_row:
            other = first_row[key]
            records.append(DuplicateTitle(row, other, 1.0, title, titles[other]))
        else:
            first_row[key] = row
    if threshold < 1:
        keys = list(first_row)
        for a, b, ratio in _similar_pairs(keys, threshold):
            early, late = sorted((first_row[keys[a]], first_row[keys[b]]))
            records.append(DuplicateTitle(late, early, round(ratio, 3), titles[late], titles[early]))
    return sorted(records, key=lambda r: (r.index, r.other))
