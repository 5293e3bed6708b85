"""Copy as the review page shows it: a word-level diff, violations marked in the text, and an
HTML preview that only ever passes through the nh3 allowlist.

Everything returned is ``Markup`` built from escaped pieces: the copy is untrusted model (or
feed) output, so no character of it reaches the page unescaped.
"""

from __future__ import annotations

import difflib
import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from copyassist.review.checking import Flag
from copyassist.rules.checks import sanitize_html
from copyassist.rules.text import find_folded, fold, has_html

#: Words, runs of spaces and single punctuation marks: what the diff compares.
_TOKEN = re.compile(r"\w+|\s+|[^\w\s]")
#: Tags the preview keeps (no attribute at all survives sanitize_html, links are dropped).
PREVIEW_TAGS = frozenset(
    "p br ul ol li strong b em i u h2 h3 h4 h5 h6 blockquote table thead tbody tr td th span div".split()  # noqa: SIM905
)

Span = tuple[int, int]


@dataclass(frozen=True)
class FieldView:
    """One output field of a row, ready for the template."""

    name: str
    current: Markup | None  # the feed's copy, removed words in <del>; None: unknown (feed gone)
    proposed: Markup  # the copy to publish, added words in <ins>, violations in <mark>
    preview: Markup | None  # the proposed HTML through the allowlist, when it is HTML
    flags: list[Flag]
    changed: bool


def _offsets(tokens: Sequence[str]) -> list[int]:
    offsets = [0]
    for token in tokens:
        offsets.append(offsets[-1] + len(token))
    return offsets


def word_diff(old: str, new: str) -> tuple[list[Span], list[Span]]:
    """The character spans of ``old`` that were removed and of ``new`` that were added,
    compared word by word."""
    old_tokens, new_tokens = _TOKEN.findall(old), _TOKEN.findall(new)
    old_at, new_at = _offsets(old_tokens), _offsets(new_tokens)
    removed: list[Span] = []
    added: list[Span] = []
    matcher = difflib.SequenceMatcher(None, old_tokens, new_tokens, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag in ("delete", "replace") and i1 < i2:
            removed.append((old_at[i1], old_at[i2]))
        if tag in ("insert", "replace") and j1 < j2:
            added.append((new_at[j1], new_at[j2]))
    return removed, added


def flag_spans(text: str, flags: Sequence[Flag]) -> list[tuple[int, int, int]]:
    """``(start, end, index in flags)`` for every place a flag's offending text is found
    (without case or accents); a flag whose text is blank or not found marks nothing."""
    spans: list[tuple[int, int, int]] = []
    for index, flag in enumerate(flags):
        needle = fold(flag.text.strip())
        if not needle:
            continue
        for hit in find_folded(re.compile(re.escape(needle)), text):
            spans.append((hit.start, hit.end, index))
    return spans


def _covering(spans: Iterable[Span], start: int) -> bool:
    return any(a <= start < b for a, b in spans)


def render(
    text: str,
    changed: Sequence[Span],
    change_tag: str,
    marks: Sequence[tuple[int, int, int]] = (),
    flags: Sequence[Flag] = (),
) -> Markup:
    """``text`` escaped, its ``changed`` spans wrapped in ``change_tag`` (ins or del) and its
    ``marks`` in <mark> with the flags' rules and messages; pieces nest, never overlap."""
    cuts = {0, len(text)}
    for a, b in changed:
        cuts.update((a, b))
    for a, b, _ in marks:
        cuts.update((a, b))
    edges = sorted(cut for cut in cuts if 0 <= cut <= len(text))
    pieces: list[tuple[tuple[int, ...], bool, str]] = []  # (flags, changed, text): alike neighbours merged
    for start, end in itertools.pairwise(edges):
        key = (tuple(sorted({i for a, b, i in marks if a <= start < b})), _covering(changed, start))
        if pieces and pieces[-1][:2] == key:
            pieces[-1] = (*key, pieces[-1][2] + text[start:end])
        else:
            pieces.append((*key, text[start:end]))
    out: list[str] = []
    for hits, is_changed, chunk in pieces:
        piece = str(escape(chunk))
        if hits:
            rules = " ".join(dict.fromkeys(flags[i].rule for i in hits))
            tip = "\n".join(f"{flags[i].rule}: {flags[i].message}" for i in hits)
            ids = " ".join(map(str, hits))
            piece = (
                f'<mark data-flag="{ids}" data-rule="{escape(rules)}" title="{escape(tip)}">{piece}</mark>'
            )
        if is_changed:
            piece = f"<{change_tag}>{piece}</{change_tag}>"
        out.append(piece)
    return Markup("".join(out))


def preview(value: str) -> Markup | None:
    """The proposed HTML as a browser would show it, through the allowlist; None for text."""
    if not has_html(value):
        return None
    return Markup(sanitize_html(value, PREVIEW_TAGS))


def field_view(name: str, current: str | None, proposed: str, flags: Sequence[Flag]) -> FieldView:
    """Both sides of one field, diffed, with the field's flags marked in the proposed side;
    ``current`` None is copy not known (the feed is gone): nothing to diff against."""
    old, new = current or "", proposed  # as published, tags and all: the preview shows them rendered
    own = [flag for flag in flags if flag.field == name]
    removed, added = word_diff(old, new) if old else ([], [])
    return FieldView(
        name=name,
        current=None if current is None else render(old, removed, "del"),
        proposed=render(new, added, "ins", flag_spans(new, own), own),
        preview=preview(proposed),
        flags=own,
        changed=old != new,
    )
